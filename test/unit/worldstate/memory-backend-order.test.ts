import { expect } from 'chai';
import fc from 'fast-check';
import { buildBlock, MemoryBackend, type StateWrite } from '../../../chaincode/src/worldstate';

/**
 * The memory backend keeps a byte-ordered key list that it rebuilds once per
 * block. Random blocks of puts and deletes must leave range scans equal to a
 * reference model sorted by UTF-8 bytes.
 */
const key = fc.oneof(
  fc.constantFrom('a', 'b', 'ab', 'z', '\u00e9', '\u{1F600}', '\uFFFF', 'a\u0000b'),
  fc.string({ minLength: 1, maxLength: 4, unit: 'grapheme' }),
);
const op = fc.record({ key, del: fc.boolean() });

const bytes = (s: string) => Buffer.from(s, 'utf8');
const byteOrder = (a: string, b: string) => Buffer.compare(bytes(a), bytes(b));

describe('memory backend key order', () => {
  it('answers range scans in UTF-8 byte order after any sequence of blocks of puts and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 15 }), key, key, async (blocks, lo, hi) => {
        const backend = new MemoryBackend();
        const model = new Set<string>();
        for (const [n, ops] of blocks.entries()) {
          const last = new Map<string, boolean>();
          for (const o of ops) last.set(o.key, o.del);
          const writes: StateWrite[] = [...last.entries()]
            .sort(([a], [b]) => byteOrder(a, b))
            .map(([k, del]) => ({ key: k, value: del ? null : bytes(`v${n}`), version: { blockNumber: n, txIndex: 0 } }));
          for (const [k, del] of last) (del ? model.delete(k) : model.add(k));
          const prev = await backend.getLastBlock();
          const block = buildBlock(n, prev ? prev.hash : '0'.repeat(64), []);
          await backend.applyBlock({ block, writes, history: [], statuses: [], events: [] });
        }
        const [start, end] = byteOrder(lo, hi) <= 0 ? [lo, hi] : [hi, lo];
        const expected = [...model].filter((k) => byteOrder(k, start) >= 0 && byteOrder(k, end) < 0).sort(byteOrder);
        const got = (await backend.rangeScan(start, end)).map((e) => e.key);
        expect(got).to.deep.equal(expected);
        const all = (await backend.rangeScan('', '\u{10FFFF}\u{10FFFF}')).map((e) => e.key);
        expect(all).to.deep.equal([...model].filter((k) => byteOrder(k, '\u{10FFFF}\u{10FFFF}') < 0).sort(byteOrder));
      }),
      { numRuns: 200 },
    );
  });
});
