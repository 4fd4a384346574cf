import { expect } from 'chai';
import fc from 'fast-check';
import { buildBlock, GENESIS_PREVIOUS_HASH, MemoryBackend, type HistoryEntry, type StateWrite } from '../../../chaincode/src/worldstate';
import { rejection } from './helpers';

/**
 * MemoryBackend.applyBlock must be atomic (types.ts StateBackend) for blocks of
 * any size. Its sorted-key rebuild once spread one array per added (or
 * removed) key into Array.prototype.concat, which overflowed the call stack
 * somewhere above 60 000 keys, after the state map had already been changed.
 * Blocks of few key changes splice the sorted list in place; larger ones
 * merge it in one pass: both paths must give byte order.
 */
describe('MemoryBackend with a block of many keys', () => {
  const COUNT = 70_000;
  const key = (i: number) => `k${String(i).padStart(6, '0')}`;
  const version = (blockNumber: number) => ({ blockNumber, txIndex: 0 });
  const allKeys = async (backend: MemoryBackend) => (await backend.rangeScan('', '')).map((e) => e.key);

  it('applies a block adding 70 000 keys, and then one deleting them, completely', async () => {
    const backend = new MemoryBackend();
    const puts: StateWrite[] = [];
    for (let i = 0; i < COUNT; i++) puts.push({ key: key(i), value: Buffer.from('x'), version: { blockNumber: 0, txIndex: 0 } });
    const block0 = buildBlock(0, GENESIS_PREVIOUS_HASH, []);
    await backend.applyBlock({ block: block0, writes: puts, history: [], statuses: [], events: [] });
    expect((await backend.rangeScan('', '')).length).to.equal(COUNT);
    expect((await backend.getLastBlock())?.number).to.equal(0);

    const deletes = puts.map((w) => ({ key: w.key, value: null, version: { blockNumber: 1, txIndex: 0 } }));
    await backend.applyBlock({ block: buildBlock(1, block0.hash, []), writes: deletes, history: [], statuses: [], events: [] });
    expect(await backend.rangeScan('', '')).to.deep.equal([]);
    expect(await backend.getState(key(0))).to.equal(undefined);
  });

  for (const size of [3, 500]) {
    it(`changes nothing when a block of ${size} key changes cannot be applied, and takes the next valid block`, async () => {
      const backend = new MemoryBackend();
      const block0 = buildBlock(0, GENESIS_PREVIOUS_HASH, []);
      const seeded: StateWrite[] = [];
      for (let i = 0; i < 1000; i += 2) seeded.push({ key: key(i), value: Buffer.from('0'), version: version(0) });
      await backend.applyBlock({ block: block0, writes: seeded, history: [], statuses: [], events: [] });
      const before = await allKeys(backend);

      // Adds odd keys and deletes even ones; the history entry with no value makes the block fail.
      const writes: StateWrite[] = [];
      for (let i = 0; i < size; i++) writes.push({ key: key(i), value: i % 2 ? Buffer.from('1') : null, version: version(1) });
      const broken = { key: key(1), blockNumber: 1, txIndex: 0, txId: 't1', timestamp: { seconds: 1, nanos: 0 }, isDelete: false, value: null };
      const block1 = buildBlock(1, block0.hash, []);
      const err = await rejection(
        backend.applyBlock({ block: block1, writes, history: [broken as unknown as HistoryEntry], statuses: [], events: [] }),
      );
      expect(err).to.be.instanceOf(TypeError);
      expect(await allKeys(backend)).to.deep.equal(before);
      expect(await backend.getState(key(1))).to.equal(undefined);
      expect(await backend.getHistory(key(1))).to.deep.equal([]);
      expect((await backend.getLastBlock())?.number).to.equal(0);

      await backend.applyBlock({ block: block1, writes, history: [], statuses: [], events: [] });
      const expected = new Set(before);
      for (const w of writes) (w.value === null ? expected.delete(w.key) : expected.add(w.key));
      expect(await allKeys(backend)).to.deep.equal([...expected].sort());
      expect((await backend.getLastBlock())?.number).to.equal(1);
    });
  }

  it('answers range scans in UTF-8 byte order after blocks of many puts and deletes', async () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    const byteOrder = (a: string, b: string) => Buffer.compare(bytes(a), bytes(b));
    const anyKey = fc.oneof(
      fc.constantFrom('a', 'ab', '\u00e9', '\u{1F600}', '\uFFFF', 'a\u0000b', ''),
      fc.string({ minLength: 1, maxLength: 3, unit: 'grapheme' }),
    );
    // Sizes on both sides of the splice/merge switch, over a small key space so blocks overlap.
    const op = fc.record({ key: anyKey, del: fc.boolean() });
    const block = fc.oneof(fc.array(op, { minLength: 1, maxLength: 20 }), fc.array(op, { minLength: 100, maxLength: 300, size: 'max' }));
    await fc.assert(
      fc.asyncProperty(fc.array(block, { minLength: 1, maxLength: 6 }), async (blocks) => {
        const backend = new MemoryBackend();
        const model = new Set<string>();
        let previous = GENESIS_PREVIOUS_HASH;
        for (const [n, ops] of blocks.entries()) {
          const last = new Map<string, boolean>();
          for (const o of ops) last.set(o.key, o.del);
          const writes: StateWrite[] = [...last.entries()].map(([k, del]) => ({ key: k, value: del ? null : bytes(`v${n}`), version: version(n) }));
          for (const [k, del] of last) (del ? model.delete(k) : model.add(k));
          const b = buildBlock(n, previous, []);
          await backend.applyBlock({ block: b, writes, history: [], statuses: [], events: [] });
          previous = b.hash;
          expect(await allKeys(backend)).to.deep.equal([...model].sort(byteOrder));
        }
      }),
      { numRuns: 150 },
    );
  });
});
