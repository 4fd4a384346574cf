import { expect } from 'chai';
import fc from 'fast-check';
import stringify from 'json-stringify-deterministic';
import { marshal, marshalString, unmarshal } from '../../../chaincode/src/ledger/codec';

/**
 * The codec's bytes feed state, results, events and block hashes, so they
 * must never change: every value is checked against the library the codec
 * replaced (json-stringify-deterministic, the oracle).
 */
describe('ledger/codec', () => {
  /** JSON values, plus object members and array items that have no JSON form. */
  const withGaps = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, () => 1),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 6 }),
    ),
  })).value;

  it('writes exactly the bytes json-stringify-deterministic writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(marshalString(v)).to.equal(stringify(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes exactly its bytes for values with undefined members, functions, NaN, -0 and any Unicode keys', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), withGaps, { maxKeys: 8 }), (v) => {
        expect(marshalString(v)).to.equal(stringify(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts keys recursively by UTF-16 code units and round-trips through unmarshal', () => {
    const value = { b: 1, a: { z: [{ y: 2, x: 1 }], 'é': 3, E: 4 }, '\u{1F600}': 5, '\uFFFF': 6 };
    const text = marshalString(value);
    expect(text).to.equal('{"a":{"E":4,"z":[{"x":1,"y":2}],"é":3},"b":1,"\u{1F600}":5,"\uFFFF":6}');
    expect(unmarshal(marshal(value))).to.deep.equal(value);
    expect(Buffer.from(marshal(value)).toString('utf8')).to.equal(text);
  });

  it('honours toJSON and regular expressions as the library does', () => {
    const value = { when: new Date(Date.UTC(2026, 0, 5)), pattern: /a+b/g, nested: [new Date(0)] };
    expect(marshalString(value)).to.equal(stringify(value));
    expect(marshalString(value)).to.equal('{"nested":["1970-01-01T00:00:00.000Z"],"pattern":"/a+b/g","when":"2026-01-05T00:00:00.000Z"}');
  });

  it('refuses a value with no JSON form, and a bigint, instead of writing nothing', () => {
    expect(() => marshalString(undefined)).to.throw(TypeError, 'no JSON form');
    expect(() => marshal(() => 1)).to.throw(TypeError, 'no JSON form');
    expect(() => marshalString({ amount: 1n })).to.throw(TypeError);
  });
});
