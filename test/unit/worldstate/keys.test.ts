import { expect } from 'chai';
import fc from 'fast-check';
import {
  compareKeys,
  createCompositeKey,
  isWellFormed,
  keySuccessor,
  partialCompositeKeyRange,
  splitCompositeKey,
} from '../../../chaincode/src/worldstate';

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
// Characters around the UTF-16/UTF-8 disagreement (high BMP versus surrogate pairs), plus any code point.
const char = fc.oneof(
  fc.constantFrom('a', 'b', '\u0000', '\u007f', '\u0080', '\uE000', '\uFFFD', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFF}'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const anyKey = fc.string({ unit: char, maxLength: 12 });
const part = fc
  .string({ unit: char, minLength: 1, maxLength: 8 })
  .filter((s) => !s.includes('\u0000') && !s.includes('\u{10FFFF}'));

describe('key order', () => {
  it('orders any two keys exactly as their UTF-8 bytes order', () => {
    fc.assert(fc.property(anyKey, anyKey, (a, b) => Math.sign(compareKeys(a, b)) === Math.sign(utf8Order(a, b))));
  });

  it('disagrees with UTF-16 string comparison above U+FFFF, where bytes are right', () => {
    const astral = '\u{1F600}';
    const bmpHigh = '\uFFFD';
    expect(astral < bmpHigh).to.equal(true);
    expect(compareKeys(astral, bmpHigh)).to.equal(1);
    expect(utf8Order(astral, bmpHigh)).to.equal(1);
  });

  it('puts the successor of a key right after it: nothing fits between', () => {
    fc.assert(
      fc.property(anyKey, anyKey, (k, other) => {
        const s = keySuccessor(k);
        return compareKeys(k, s) < 0 && !(compareKeys(k, other) < 0 && compareKeys(other, s) < 0);
      }),
    );
  });

  it('tells strings with a lone surrogate from well-formed ones', () => {
    expect(isWellFormed('a\u{1F600}b')).to.equal(true);
    expect(isWellFormed('a\uD83D')).to.equal(false);
    expect(isWellFormed('\uDE00a')).to.equal(false);
  });
});

describe('composite keys', () => {
  it('splits every composite key back into its type and attributes', () => {
    fc.assert(
      fc.property(part, fc.array(part, { maxLength: 4 }), (type, attrs) => {
        expect(splitCompositeKey(createCompositeKey(type, attrs))).to.deep.equal({ objectType: type, attributes: attrs });
      }),
    );
  });

  it('keeps every key under a partial key inside its range, and keys of other prefixes out', () => {
    fc.assert(
      fc.property(part, fc.array(part, { maxLength: 2 }), fc.array(part, { minLength: 1, maxLength: 2 }), part, (type, prefix, rest, other) => {
        const { startKey, endKey } = partialCompositeKeyRange(type, prefix);
        const inside = createCompositeKey(type, [...prefix, ...rest]);
        expect(compareKeys(startKey, inside) < 0 && compareKeys(inside, endKey) < 0).to.equal(true);
        if (other !== type) {
          const outside = createCompositeKey(other, prefix);
          expect(compareKeys(outside, startKey) < 0 || compareKeys(outside, endKey) >= 0).to.equal(true);
        }
      }),
    );
  });

  it('reads a simple key as no composite key at all', () => {
    expect(splitCompositeKey('VCH-1')).to.deep.equal({ objectType: null, attributes: [] });
    expect(splitCompositeKey('')).to.deep.equal({ objectType: null, attributes: [] });
  });

  it('refuses attributes that are not strings, and an attribute list that is not an array', () => {
    expect(() => createCompositeKey('T', [42 as unknown as string])).to.throw('object type or attribute not a non-zero length string');
    expect(() => createCompositeKey('T', 'a' as unknown as string[])).to.throw('attributes must be an array');
  });

  it('leaves UTF-8 checks to where keys are used, as fabric-shim does', () => {
    // The stub refuses such a key in getState, putState and queries (behaviour.suite.ts).
    expect(createCompositeKey('T', ['\uD800'])).to.equal('\u0000T\u0000\uD800\u0000');
  });
});
