import { expect } from 'chai';
import { ClientIdentity } from 'fabric-shim';
import {
  buildBlock,
  createCompositeKey,
  GENESIS_PREVIOUS_HASH,
  QUERY_BATCH_SIZE,
  WorldState,
  type EndorsedTransaction,
  type StateBackend,
  type TxContext,
} from '../../../chaincode/src/worldstate';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import {
  bytes,
  collect,
  committedValid,
  endorsed,
  keysOf,
  rejection,
  seed,
  tamperedBackend,
  text,
  thrown,
  TxFactory,
} from './helpers';

export interface BackendFactory {
  readonly name: string;
  create(): Promise<StateBackend>;
  dispose(backend: StateBackend): Promise<void>;
}

/**
 * The behaviour of the world-state engine, written once and run against
 * every StateBackend.
 */
export function worldStateBehaviour(factory: BackendFactory): void {
  describe(`world state over ${factory.name}`, () => {
    let alice: TestIdentity;
    let bob: TestIdentity;
    let backend: StateBackend;
    let ws: WorldState;
    let txs: TxFactory;

    before(async () => {
      alice = await makeIdentity('Org1MSP', 'alice@org1.example.com');
      bob = await makeIdentity('BankMSP', 'bob@bank.example.com', 'admin');
    });

    beforeEach(async () => {
      backend = await factory.create();
      ws = new WorldState(backend);
      txs = new TxFactory(alice);
    });

    afterEach(async () => {
      await factory.dispose(backend);
    });

    describe('reads and writes', () => {
      it('reads a missing key as empty bytes, not undefined', async () => {
        const sim = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.getState('nothing-here')));
        expect(sim.result).to.be.instanceOf(Uint8Array);
        expect(sim.result.length).to.equal(0);
        expect(sim.rwset.reads).to.deep.equal([{ key: 'nothing-here', version: null }]);
      });

      it('does not let a transaction read its own writes', async () => {
        await seed(ws, txs, { k: 'committed' });
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            await stub.putState('k', bytes('pending'));
            await stub.putState('fresh', bytes('new'));
            return { k: text(await stub.getState('k')), fresh: (await stub.getState('fresh')).length };
          }),
        );
        expect(sim.result).to.deep.equal({ k: 'committed', fresh: 0 });
        await ws.commitBlock([sim]);
        expect(text((await ws.getCommittedState('k'))!.value)).to.equal('pending');
        expect(text((await ws.getCommittedState('fresh'))!.value)).to.equal('new');
      });

      it('treats a put of an empty value as a delete', async () => {
        await seed(ws, txs, { k: 'v' });
        const sim = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.putState('k', new Uint8Array(0))));
        expect(sim.rwset.writes).to.deep.equal([{ key: 'k', isDelete: true, value: Buffer.alloc(0) }]);
        await ws.commitBlock([sim]);
        expect(await ws.getCommittedState('k')).to.equal(undefined);
        const history = endorsed(await ws.simulate(txs.next(), async ({ stub }) => {
          const out: boolean[] = [];
          for await (const m of stub.getHistoryForKey('k')) out.push(m.isDelete);
          return out;
        }));
        expect(history.result).to.deep.equal([true, false]);
      });

      it('keeps only the last write of a key within a transaction', async () => {
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            await stub.putState('k', bytes('first'));
            await stub.deleteState('k');
            await stub.putState('k', bytes('last'));
          }),
        );
        expect(sim.rwset.writes.map((w) => [w.key, text(w.value)])).to.deep.equal([['k', 'last']]);
        await ws.commitBlock([sim]);
        expect(text((await ws.getCommittedState('k'))!.value)).to.equal('last');
      });

      it('copies written bytes so later changes by the caller do not leak in', async () => {
        const value = bytes('abc');
        const sim = endorsed(await ws.simulate(txs.next(), async ({ stub }) => {
          await stub.putState('k', value);
          value[0] = 0x7a;
        }));
        await ws.commitBlock([sim]);
        expect(text((await ws.getCommittedState('k'))!.value)).to.equal('abc');
      });

      it('refuses a key that is not valid UTF-8, and commits nothing', async () => {
        // The empty key is a valid key on a LevelDB peer with fabric-shim (fabric-parity.test.ts).
        const lone = await ws.simulate(txs.next(), ({ stub }) => stub.putState('bad\uD800', bytes('x')));
        expect(lone.status === 'FAILED' && lone.error.message).to.match(/not valid UTF-8/);
        const deleted = await ws.simulate(txs.next(), ({ stub }) => stub.deleteState('\uDE00bad'));
        expect(deleted.status === 'FAILED' && deleted.error.message).to.match(/not valid UTF-8/);
        expect(await ws.height()).to.equal(0);
      });

      it('returns a FAILED simulation carrying the thrown error, and writes nothing', async () => {
        const sim = await ws.simulate(txs.next(), async ({ stub }) => {
          await stub.putState('k', bytes('v'));
          throw new Error('[BUSINESS_RULE] amounts do not sum');
        });
        expect(sim.status).to.equal('FAILED');
        expect(sim.status === 'FAILED' && sim.error.message).to.equal('[BUSINESS_RULE] amounts do not sum');
        expect(await ws.getCommittedState('k')).to.equal(undefined);
        expect(await ws.height()).to.equal(0);
      });

      it('refuses malformed transaction input with a clear error', async () => {
        const noId = await rejection(ws.simulate({ ...txs.next(), txId: '' }, () => 1));
        expect(noId.message).to.equal('txId must be a non-empty string');
        const badTime = await rejection(ws.simulate({ ...txs.next(), timestamp: '2024-13-01T00:00:00Z' }, () => 1));
        expect(badTime.message).to.match(/not a valid date/);
        const otherChannel = await rejection(ws.simulate({ ...txs.next(), channelId: 'other' }, () => 1));
        expect(otherChannel.message).to.match(/not this ledger's channel/);
        expect(await ws.height()).to.equal(0);
      });

      it('fails any stub call made after the transaction is over', async () => {
        const sim = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub));
        const err = await rejection(sim.result.getState('k'));
        expect(err.message).to.equal(`transaction ${sim.txId} is no longer active`);
      });

      it('answers rich queries as a LevelDB peer does: not supported', async () => {
        const sim = await ws.simulate(txs.next(), ({ stub }) => stub.getQueryResult('{"selector":{}}'));
        expect(sim.status === 'FAILED' && sim.error.message).to.equal('ExecuteQuery not supported for leveldb');
      });
    });

    describe('transaction context', () => {
      it('exposes tx id, channel, time, creator and arguments as fabric-shim does', async () => {
        const input = txs.next({
          txId: 'abc123',
          timestamp: '2024-05-01T08:30:15.123456789Z',
          fnName: 'voucher:Transfer',
          args: ['{"id":"VCH-1"}'],
        });
        const sim = endorsed(
          await ws.simulate(input, ({ stub }) => {
            const ts = stub.getTxTimestamp();
            return {
              txId: stub.getTxID(),
              channel: stub.getChannelID(),
              seconds: ts.seconds.toNumber(),
              unsigned: ts.seconds.unsigned,
              nanos: ts.nanos,
              date: stub.getDateTimestamp().toISOString(),
              mspid: stub.getCreator().mspid,
              idBytes: text(stub.getCreator().idBytes),
              fn: stub.getFunctionAndParameters(),
              args: stub.getArgs(),
            };
          }),
        );
        expect(sim.result).to.deep.equal({
          txId: 'abc123',
          channel: 'scf',
          seconds: Date.UTC(2024, 4, 1, 8, 30, 15) / 1000,
          unsigned: true,
          nanos: 123456789,
          date: '2024-05-01T08:30:15.123Z',
          mspid: 'Org1MSP',
          idBytes: alice.certificatePem,
          fn: { fcn: 'voucher:Transfer', params: ['{"id":"VCH-1"}'] },
          args: ['voucher:Transfer', '{"id":"VCH-1"}'],
        });
      });

      it("gives fabric-shim's ClientIdentity, with Fabric's id format from the certificate", async () => {
        const sim = endorsed(
          await ws.simulate(txs.next({ creator: bob }), ({ clientIdentity }) => ({
            id: clientIdentity.getID(),
            msp: clientIdentity.getMSPID(),
          })),
        );
        expect(sim.result).to.deep.equal({
          id: 'x509::/OU=admin/CN=bob@bank.example.com::/O=BankMSP/CN=ca.BankMSP',
          msp: 'BankMSP',
        });
      });

      it('gives, call after call, the identity a fresh parse of the creator gives (the engine parses a certificate once)', async () => {
        for (const creator of [alice, bob, alice, bob, alice]) {
          const sim = endorsed(
            await ws.simulate(txs.next({ creator }), ({ stub, clientIdentity }) => {
              const fresh = new ClientIdentity(stub);
              const view = (c: ClientIdentity) => ({
                instance: c instanceof ClientIdentity,
                id: c.getID(),
                msp: c.getMSPID(),
                idBytes: Buffer.from(c.getIDBytes()).toString('utf8'),
                attr: c.getAttributeValue('hf.EnrollmentID'),
                asserted: c.assertAttributeValue('hf.EnrollmentID', 'x'),
              });
              return { cached: view(clientIdentity), fresh: view(fresh) };
            }),
          );
          expect(sim.result.cached).to.deep.equal(sim.result.fresh);
          expect(sim.result.cached).to.include({ instance: true, msp: creator.mspId, idBytes: creator.certificatePem });
        }
      });

      it('fails the simulation when the creator certificate is not a certificate', async () => {
        const sim = await ws.simulate(txs.next({ creator: { mspId: 'Org1MSP', certificatePem: 'not a cert' } }), () => 1);
        expect(sim.status === 'FAILED' && sim.error.message).to.match(/certificate/);
      });
    });

    describe('range queries', () => {
      it('returns [start, end) in UTF-8 byte order, including characters above U+FFFF', async () => {
        // In UTF-16 order 'b\u{1F600}' (0xD83D…) sorts before 'b\uFFFD'; in UTF-8 it sorts after.
        await seed(ws, txs, { a: '1', b: '2', 'b\uFFFD': '3', 'b\u{1F600}': '4', 'b\u{10FFFF}': '5', c: '6', d: '7' });
        const keys = endorsed(await ws.simulate(txs.next(), ({ stub }) => keysOf(stub.getStateByRange('b', 'c'))));
        expect(keys.result).to.deep.equal(['b', 'b\uFFFD', 'b\u{1F600}', 'b\u{10FFFF}']);
        const tail = endorsed(await ws.simulate(txs.next(), ({ stub }) => keysOf(stub.getStateByRange('b\u{1F600}', ''))));
        expect(tail.result).to.deep.equal(['b\u{1F600}', 'b\u{10FFFF}', 'c', 'd']);
      });

      it('excludes composite keys when the start key is empty', async () => {
        const composite = createCompositeKey('VCH', ['1']);
        await seed(ws, txs, { [composite]: 'c', '\u0001low': 'l', plain: 'p' });
        const keys = endorsed(await ws.simulate(txs.next(), ({ stub }) => keysOf(stub.getStateByRange('', ''))));
        expect(keys.result).to.deep.equal(['\u0001low', 'plain']);
      });

      it('refuses a simple-key range that starts in the composite-key namespace', async () => {
        const sim = await ws.simulate(txs.next(), ({ stub }) => keysOf(stub.getStateByRange('\u0000VCH', '')));
        expect(sim.status === 'FAILED' && sim.error.message).to.match(/contains a null character/);
      });

      it('iterates with next() and close() as fabric-shim iterators do', async () => {
        await seed(ws, txs, { a: '1', b: '2', c: '3' });
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            const it = await stub.getStateByRange('a', 'c');
            const first = await it.next();
            const second = await it.next();
            const end = await it.next();
            await it.close();
            return {
              first: { key: first.value.key, value: text(first.value.value), done: first.done },
              second: second.value.key,
              end,
            };
          }),
        );
        expect(sim.result).to.deep.equal({ first: { key: 'a', value: '1', done: false }, second: 'b', end: { done: true } });
      });

      it('stops early when a for-await loop breaks', async () => {
        await seed(ws, txs, { a: '1', b: '2', c: '3' });
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            const seen: string[] = [];
            for await (const kv of stub.getStateByRange('', '')) {
              seen.push(kv.key);
              if (seen.length === 2) break;
            }
            return seen;
          }),
        );
        expect(sim.result).to.deep.equal(['a', 'b']);
      });

      it('reads ranges longer than one peer batch completely and in order', async () => {
        const entries: Record<string, string> = {};
        for (let i = 0; i < QUERY_BATCH_SIZE * 2 + 50; i++) entries[`k${String(i).padStart(4, '0')}`] = String(i);
        await seed(ws, txs, entries);
        const sim = endorsed(await ws.simulate(txs.next(), ({ stub }) => collect(stub.getStateByRange('k', 'l'))));
        expect(sim.result.map((kv) => kv.key)).to.deep.equal(Object.keys(entries));
        expect(sim.result.map((kv) => kv.value)).to.deep.equal(Object.values(entries));
      });
    });

    describe('composite keys', () => {
      it("encodes keys with Fabric's separators and splits them back", async () => {
        const sim = endorsed(
          await ws.simulate(txs.next(), ({ stub }) => {
            const key = stub.createCompositeKey('IDX_VCH_HOLDER', ['91310000MA1FL0001X', 'VCH-1.2']);
            return { key, split: stub.splitCompositeKey(key), simple: stub.splitCompositeKey('plain') };
          }),
        );
        expect(sim.result.key).to.equal('\u0000IDX_VCH_HOLDER\u000091310000MA1FL0001X\u0000VCH-1.2\u0000');
        expect(sim.result.split).to.deep.equal({ objectType: 'IDX_VCH_HOLDER', attributes: ['91310000MA1FL0001X', 'VCH-1.2'] });
        expect(sim.result.simple).to.deep.equal({ objectType: null, attributes: [] });
      });

      it('accepts any non-empty string part, U+0000 and U+10FFFF included, and refuses empty or non-string parts, as fabric-shim does', async () => {
        const sim = endorsed(
          await ws.simulate(txs.next(), ({ stub }) => ({
            nul: stub.createCompositeKey('T', ['a\u0000b']),
            max: stub.createCompositeKey('T', ['a\u{10FFFF}']),
            refused: [
              thrown(() => stub.createCompositeKey('T', [''])).message,
              thrown(() => stub.createCompositeKey('', ['a'])).message,
              thrown(() => stub.createCompositeKey('T', [7 as unknown as string])).message,
            ],
          })),
        );
        // As on a peer, the part with U+0000 gives the same key as two parts.
        expect(sim.result.nul).to.equal('\u0000T\u0000a\u0000b\u0000');
        expect(sim.result.max).to.equal('\u0000T\u0000a\u{10FFFF}\u0000');
        expect(sim.result.refused).to.deep.equal(Array(3).fill('object type or attribute not a non-zero length string'));
      });

      it('finds keys by partial composite key, and only those', async () => {
        const key = (type: string, ...attrs: string[]) => createCompositeKey(type, attrs);
        await seed(ws, txs, {
          [key('IDX', 'h1', 'v1')]: 'x',
          [key('IDX', 'h1', 'v2')]: 'x',
          [key('IDX', 'h1\u{10FFFD}', 'v3')]: 'x',
          [key('IDX', 'h10', 'v4')]: 'x',
          [key('IDX', 'h2', 'v5')]: 'x',
          [key('IDXB', 'h1', 'v6')]: 'x',
          plain: 'x',
        });
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => ({
            h1: (await keysOf(stub.getStateByPartialCompositeKey('IDX', ['h1']))).map((k) => stub.splitCompositeKey(k).attributes),
            all: (await keysOf(stub.getStateByPartialCompositeKey('IDX', []))).length,
            exact: (await keysOf(stub.getStateByPartialCompositeKey('IDX', ['h1', 'v2']))).length,
          })),
        );
        expect(sim.result.h1).to.deep.equal([['h1', 'v1'], ['h1', 'v2']]);
        expect(sim.result.all).to.equal(5);
        expect(sim.result.exact).to.equal(1);
      });

      it('throws at once on an empty part of a partial key, as fabric-shim does', async () => {
        const sim = endorsed(
          await ws.simulate(txs.next(), ({ stub }) => thrown(() => stub.getStateByPartialCompositeKey('IDX', ['a', ''])).message),
        );
        expect(sim.result).to.equal('object type or attribute not a non-zero length string');
      });

      it('rejects a partial key that is not valid UTF-8, recording no query', async () => {
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => (await rejection(keysOf(stub.getStateByPartialCompositeKey('IDX', ['\uD800'])))).message),
        );
        expect(sim.result).to.match(/partial composite key .* is not valid UTF-8/);
        expect(sim.rwset.rangeQueries).to.deep.equal([]);
      });
    });

    describe('paginated queries', () => {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

      beforeEach(async () => {
        const entries: Record<string, string> = {};
        for (const id of ids) entries[createCompositeKey('IDX', ['h', id])] = id;
        entries[createCompositeKey('IDX', ['i', 'z'])] = 'z';
        await seed(ws, txs, entries);
      });

      it('pages through a partial composite key with bookmarks', async () => {
        const pages: { ids: string[]; count: number; bookmark: string }[] = [];
        let bookmark = '';
        do {
          const sim = endorsed(
            await ws.simulate(txs.next(), async ({ stub }) => {
              const { iterator, metadata } = await stub.getStateByPartialCompositeKeyWithPagination('IDX', ['h'], 3, bookmark);
              const page: string[] = [];
              for (let r = await iterator.next(); !r.done; r = await iterator.next()) page.push(text(r.value.value));
              await iterator.close();
              return { ids: page, count: metadata.fetchedRecordsCount, bookmark: metadata.bookmark };
            }),
          );
          pages.push(sim.result);
          bookmark = sim.result.bookmark;
        } while (bookmark !== '' && pages.length < 10);
        expect(pages.map((p) => p.ids)).to.deep.equal([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
        expect(pages.map((p) => p.count)).to.deep.equal([3, 3, 1]);
        expect(pages[0]!.bookmark).to.equal(createCompositeKey('IDX', ['h', 'd']));
        expect(pages[2]!.bookmark).to.equal('');
      });

      it('pages through a simple-key range too', async () => {
        await seed(ws, txs, { p1: '1', p2: '2', p3: '3', q: '4' });
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            const first = await stub.getStateByRangeWithPagination('p', 'q', 2);
            const second = await stub.getStateByRangeWithPagination('p', 'q', 2, first.metadata.bookmark);
            return [first.metadata, second.metadata];
          }),
        );
        expect(sim.result).to.deep.equal([
          { fetchedRecordsCount: 2, bookmark: 'p3' },
          { fetchedRecordsCount: 1, bookmark: '' },
        ]);
        // A full page covers up to its last key; a page that is not full saw the end of the range.
        expect(sim.rwset.rangeQueries.map((q) => ({ ...q, results: q.results.map((r) => r.key) }))).to.deep.equal([
          { startKey: 'p', endKey: 'p2', itrExhausted: false, results: ['p1', 'p2'] },
          { startKey: 'p3', endKey: 'q', itrExhausted: true, results: ['p3'] },
        ]);
      });

      it('fails a write after a paginated query, and the transaction commits nothing', async () => {
        const sim = await ws.simulate(txs.next(), async ({ stub }) => {
          await stub.getStateByPartialCompositeKeyWithPagination('IDX', ['h'], 2);
          await stub.putState('k', bytes('v'));
        });
        expect(sim.status === 'FAILED' && sim.error.message).to.match(/already performed a paginated query. Writes are not allowed/);
        expect(await ws.getCommittedState('k')).to.equal(undefined);
        expect(await ws.height()).to.equal(1);
      });

      it('fails a paginated query after a write', async () => {
        const sim = await ws.simulate(txs.next(), async ({ stub }) => {
          await stub.deleteState('k');
          await stub.getStateByPartialCompositeKeyWithPagination('IDX', ['h'], 2);
        });
        expect(sim.status === 'FAILED' && sim.error.message).to.match(/Paginated queries are supported only in a read-only transaction/);
      });

      it('refuses a page size that is not a positive integer', async () => {
        for (const size of [0, -1, 1.5]) {
          const sim = await ws.simulate(txs.next(), ({ stub }) => stub.getStateByPartialCompositeKeyWithPagination('IDX', ['h'], size));
          expect(sim.status === 'FAILED' && sim.error.message).to.equal(`pageSize must be a positive integer, got ${size}`);
        }
      });
    });

    describe('events', () => {
      it('keeps only the last setEvent of a transaction', async () => {
        const result = committedValid(
          await ws.submit(txs.next(), ({ stub }) => {
            stub.setEvent('VoucherIssued', bytes('{"first":true}'));
            stub.setEvent('VoucherTransferred', bytes('{"last":true}'));
          }),
        );
        expect(result.status === 'ENDORSED' && result.event?.name).to.equal('VoucherTransferred');
        const events = await ws.eventsSince(0);
        expect(events.map((e) => [e.name, text(e.payload), e.txId, e.blockNumber, e.txIndex])).to.deep.equal([
          ['VoucherTransferred', '{"last":true}', result.txId, 0, 0],
        ]);
        const block = await ws.getBlock(0);
        expect(block!.transactions[0]!.event?.name).to.equal('VoucherTransferred');
      });

      it('refuses an event without a name', async () => {
        const sim = await ws.simulate(txs.next(), ({ stub }) => stub.setEvent('', bytes('x')));
        expect(sim.status === 'FAILED' && sim.error.message).to.equal('Event name must be a non-empty string');
      });

      it('resumes the event stream after a given block and transaction', async () => {
        const emit = (name: string) => ws.simulate(txs.next(), ({ stub }) => stub.setEvent(name, bytes(name)));
        await ws.commitBlock([endorsed(await emit('A')), endorsed(await emit('B'))]);
        await ws.commitBlock([endorsed(await emit('C'))]);
        const names = async (b: number, t?: number) => (await ws.eventsSince(b, t)).map((e) => e.name);
        expect(await names(0)).to.deep.equal(['A', 'B', 'C']);
        expect(await names(0, 0)).to.deep.equal(['B', 'C']);
        expect(await names(0, 1)).to.deep.equal(['C']);
        expect(await names(1)).to.deep.equal(['C']);
        expect(await names(2)).to.deep.equal([]);
        expect((await ws.eventsSince(0, undefined, 2)).map((e) => e.name)).to.deep.equal(['A', 'B']);
        const bad = await rejection(ws.eventsSince(-1));
        expect(bad.message).to.match(/blockNumber must be a non-negative integer/);
      });

      it('tells commit listeners about each block, with its events', async () => {
        const seen: { number: number; events: string[]; codes: string[] }[] = [];
        const stop = ws.onCommit((c) =>
          seen.push({ number: c.block.number, events: c.events.map((e) => e.name), codes: c.results.map((r) => r.validationCode) }),
        );
        await ws.submit(txs.next(), ({ stub }) => stub.setEvent('Done', bytes('')));
        stop();
        await ws.submit(txs.next(), ({ stub }) => stub.setEvent('Later', bytes('')));
        expect(seen).to.deep.equal([{ number: 0, events: ['Done'], codes: ['VALID'] }]);
      });
    });

    describe('MVCC validation', () => {
      const readThenWrite = (label: string) => async ({ stub }: { stub: Stub }) => {
        const current = text(await stub.getState('counter'));
        await stub.putState('counter', bytes(`${current}+${label}`));
        stub.setEvent('Bumped', bytes(label));
      };

      it('commits the first of two conflicting transactions in a block and marks the second MVCC_READ_CONFLICT', async () => {
        await seed(ws, txs, { counter: '0' });
        const first = endorsed(await ws.simulate(txs.next(), readThenWrite('A')));
        const second = endorsed(await ws.simulate(txs.next(), readThenWrite('B')));
        const commit = await ws.commitBlock([first, second]);
        expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
        expect(text((await ws.getCommittedState('counter'))!.value)).to.equal('0+A');
        expect((await ws.getCommittedState('counter'))!.version).to.deep.equal({ blockNumber: 1, txIndex: 0 });
        expect(await ws.getTransactionStatus(second.txId)).to.deep.equal({
          txId: second.txId,
          validationCode: 'MVCC_READ_CONFLICT',
          blockNumber: 1,
          txIndex: 1,
        });
      });

      it('rejects a transaction whose read was overtaken by an earlier block', async () => {
        await seed(ws, txs, { counter: '0' });
        const first = endorsed(await ws.simulate(txs.next(), readThenWrite('A')));
        const second = endorsed(await ws.simulate(txs.next(), readThenWrite('B')));
        expect((await ws.commitBlock([first])).transactions[0]!.validationCode).to.equal('VALID');
        expect((await ws.commitBlock([second])).transactions[0]!.validationCode).to.equal('MVCC_READ_CONFLICT');
        expect(text((await ws.getCommittedState('counter'))!.value)).to.equal('0+A');
        expect(await ws.height()).to.equal(3);
      });

      it('conflicts on a key read as absent that another transaction then created', async () => {
        const claim = (label: string) => async ({ stub }: { stub: Stub }) => {
          if ((await stub.getState('FP-1')).length > 0) throw new Error('[DOUBLE_FINANCING] claimed');
          await stub.putState('FP-1', bytes(label));
        };
        const a = endorsed(await ws.simulate(txs.next(), claim('A')));
        const b = endorsed(await ws.simulate(txs.next(), claim('B')));
        const c = endorsed(await ws.simulate(txs.next(), claim('C')));
        const commit = await ws.commitBlock([a, b]);
        expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
        expect((await ws.commitBlock([c])).transactions[0]!.validationCode).to.equal('MVCC_READ_CONFLICT');
        expect(text((await ws.getCommittedState('FP-1'))!.value)).to.equal('A');
      });

      it('lets blind writes of the same key in one block both commit, the later one winning', async () => {
        const write = (label: string) => ({ stub }: { stub: Stub }) => stub.putState('k', bytes(label));
        const a = endorsed(await ws.simulate(txs.next(), write('A')));
        const b = endorsed(await ws.simulate(txs.next(), write('B')));
        const commit = await ws.commitBlock([a, b]);
        expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'VALID']);
        expect(text((await ws.getCommittedState('k'))!.value)).to.equal('B');
        const history = await ws.backend.getHistory('k');
        expect(history.map((h) => [h.txId, text(h.value)])).to.deep.equal([[b.txId, 'B'], [a.txId, 'A']]);
      });

      it('ignores the writes of an invalid transaction when validating later ones in the block', async () => {
        await seed(ws, txs, { counter: '0', other: 'x' });
        const stale = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            await stub.getState('counter');
            await stub.putState('other', bytes('from invalid'));
          }),
        );
        const bump = endorsed(await ws.simulate(txs.next(), readThenWrite('A')));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('counter', bytes('9'))));
        const readsOther = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            await stub.putState('seen', await stub.getState('other'));
          }),
        );
        const commit = await ws.commitBlock([stale, readsOther, bump]);
        expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal([
          'MVCC_READ_CONFLICT',
          'VALID',
          'MVCC_READ_CONFLICT',
        ]);
        expect(text((await ws.getCommittedState('other'))!.value)).to.equal('x');
        expect(text((await ws.getCommittedState('seen'))!.value)).to.equal('x');
      });

      it('writes no event and no history for an invalid transaction', async () => {
        await seed(ws, txs, { counter: '0' });
        const first = endorsed(await ws.simulate(txs.next(), readThenWrite('A')));
        const second = endorsed(await ws.simulate(txs.next(), readThenWrite('B')));
        await ws.commitBlock([first, second]);
        const events = await ws.eventsSince(0);
        expect(events.map((e) => text(e.payload))).to.deep.equal(['A']);
        const history = await ws.backend.getHistory('counter');
        expect(history.map((h) => h.txId)).to.not.include(second.txId);
        expect(history).to.have.length(2);
        const block = await ws.getBlock(1);
        expect(block!.transactions[1]!.event).to.equal(undefined);
      });
    });

    describe('phantom reads', () => {
      const countRange = async ({ stub }: { stub: Stub }) => {
        const keys = await keysOf(stub.getStateByRange('inv-', 'inv.'));
        await stub.putState('summary', bytes(String(keys.length)));
        return keys;
      };

      beforeEach(async () => {
        await seed(ws, txs, { 'inv-1': 'a', 'inv-2': 'b', 'other-9': 'c' });
      });

      it('rejects a range read when another transaction inserts into the range first', async () => {
        const reader = endorsed(await ws.simulate(txs.next(), countRange));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('inv-3', bytes('c'))));
        const commit = await ws.commitBlock([reader]);
        expect(commit.transactions[0]!.validationCode).to.equal('PHANTOM_READ_CONFLICT');
        expect(await ws.getCommittedState('summary')).to.equal(undefined);
      });

      it('detects the phantom inside a single block too', async () => {
        const inserter = endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.putState('inv-0', bytes('z'))));
        const reader = endorsed(await ws.simulate(txs.next(), countRange));
        const commit = await ws.commitBlock([inserter, reader]);
        expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'PHANTOM_READ_CONFLICT']);
      });

      it('rejects a range read when a key in the range is deleted or rewritten', async () => {
        const deleted = endorsed(await ws.simulate(txs.next(), countRange));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.deleteState('inv-1')));
        expect((await ws.commitBlock([deleted])).transactions[0]!.validationCode).to.equal('PHANTOM_READ_CONFLICT');
        const rewritten = endorsed(await ws.simulate(txs.next(), countRange));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('inv-2', bytes('changed'))));
        expect((await ws.commitBlock([rewritten])).transactions[0]!.validationCode).to.equal('PHANTOM_READ_CONFLICT');
      });

      it('accepts a range read when the changes fall outside the range', async () => {
        const reader = endorsed(await ws.simulate(txs.next(), countRange));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('inv.', bytes('just past the end'))));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('inv', bytes('just before the start'))));
        expect((await ws.commitBlock([reader])).transactions[0]!.validationCode).to.equal('VALID');
        expect(text((await ws.getCommittedState('summary'))!.value)).to.equal('2');
      });

      it('checks only what the peer fetched when an iterator was left before its end', async () => {
        const entries: Record<string, string> = {};
        for (let i = 0; i < QUERY_BATCH_SIZE + 20; i++) entries[`r${String(i).padStart(4, '0')}`] = 'x';
        await seed(ws, txs, entries);
        const firstOnly = async ({ stub }: { stub: Stub }) => {
          const it = await stub.getStateByRange('r', 's');
          const first = await it.next();
          await it.close();
          await stub.putState('first', bytes(first.value.key));
        };
        // The peer fetched the first batch only: an insert beyond it is no phantom, one inside it is.
        const beyond = endorsed(await ws.simulate(txs.next(), firstOnly));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('r9999', bytes('late'))));
        expect((await ws.commitBlock([beyond])).transactions[0]!.validationCode).to.equal('VALID');
        const inside = endorsed(await ws.simulate(txs.next(), firstOnly));
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState('r0000a', bytes('early'))));
        expect((await ws.commitBlock([inside])).transactions[0]!.validationCode).to.equal('PHANTOM_READ_CONFLICT');
      });

      it('detects phantoms in partial composite key queries', async () => {
        const key = (id: string) => createCompositeKey('IDX_HOLDER', ['m1', id]);
        await seed(ws, txs, { [key('v1')]: '\u0000' });
        const reader = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            await keysOf(stub.getStateByPartialCompositeKey('IDX_HOLDER', ['m1']));
            await stub.putState('snapshot', bytes('1'));
          }),
        );
        committedValid(await ws.submit(txs.next(), ({ stub }) => stub.putState(key('v2'), bytes('\u0000'))));
        expect((await ws.commitBlock([reader])).transactions[0]!.validationCode).to.equal('PHANTOM_READ_CONFLICT');
      });
    });

    describe('transaction ids', () => {
      it('rejects a transaction id that is already committed, keeping the first status', async () => {
        const first = endorsed(await ws.simulate(txs.next({ txId: 'same' }), ({ stub }) => stub.putState('k', bytes('1'))));
        const again = endorsed(await ws.simulate(txs.next({ txId: 'same' }), ({ stub }) => stub.putState('k', bytes('2'))));
        await ws.commitBlock([first]);
        const commit = await ws.commitBlock([again]);
        expect(commit.transactions[0]!.validationCode).to.equal('DUPLICATE_TXID');
        expect(text((await ws.getCommittedState('k'))!.value)).to.equal('1');
        expect(await ws.getTransactionStatus('same')).to.deep.equal({ txId: 'same', validationCode: 'VALID', blockNumber: 0, txIndex: 0 });
      });

      it('rejects the second of two transactions with the same id in one block', async () => {
        const a = endorsed(await ws.simulate(txs.next({ txId: 'dup' }), ({ stub }) => stub.putState('a', bytes('1'))));
        const b = endorsed(await ws.simulate(txs.next({ txId: 'dup' }), ({ stub }) => stub.putState('b', bytes('1'))));
        const commit = await ws.commitBlock([a, b]);
        expect(commit.transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'DUPLICATE_TXID']);
        expect(await ws.getCommittedState('b')).to.equal(undefined);
      });

      it('refuses to simulate a transaction id that is already on the ledger', async () => {
        committedValid(await ws.submit(txs.next({ txId: 'once' }), () => 'ok'));
        const sim = await ws.simulate(txs.next({ txId: 'once' }), () => 'again');
        expect(sim.status === 'FAILED' && sim.error.message).to.equal('duplicate transaction found [once]');
      });

      it('answers the status of unknown transactions with undefined', async () => {
        expect(await ws.getTransactionStatus('never')).to.equal(undefined);
      });
    });

    describe('key history', () => {
      it('lists committed versions newest first, with deletes, tx ids and times', async () => {
        const t1 = txs.next({ timestamp: '2024-05-01T00:00:01.5Z' });
        const t2 = txs.next({ timestamp: '2024-05-01T00:00:02Z' });
        const t3 = txs.next({ timestamp: '2024-05-01T00:00:03Z' });
        committedValid(await ws.submit(t1, ({ stub }) => stub.putState('k', bytes('v1'))));
        committedValid(await ws.submit(t2, ({ stub }) => stub.deleteState('k')));
        committedValid(await ws.submit(t3, ({ stub }) => stub.putState('k', bytes('v3'))));
        const sim = endorsed(
          await ws.simulate(txs.next(), async ({ stub }) => {
            await stub.putState('k', bytes('uncommitted'));
            const out: unknown[] = [];
            for await (const m of stub.getHistoryForKey('k')) {
              out.push({ txId: m.txId, isDelete: m.isDelete, value: text(m.value), timestamp: m.timestamp });
            }
            return out;
          }),
        );
        const second = (iso: string) => Date.parse(iso) / 1000;
        expect(sim.result).to.deep.equal([
          { txId: t3.txId, isDelete: false, value: 'v3', timestamp: { seconds: second('2024-05-01T00:00:03Z'), nanos: 0 } },
          { txId: t2.txId, isDelete: true, value: '', timestamp: { seconds: second('2024-05-01T00:00:02Z'), nanos: 0 } },
          { txId: t1.txId, isDelete: false, value: 'v1', timestamp: { seconds: second('2024-05-01T00:00:01Z'), nanos: 500_000_000 } },
        ]);
        expect(sim.rwset.reads).to.deep.equal([]);
      });

      it('keeps the histories of a key and a longer key that starts with it apart', async () => {
        await seed(ws, txs, { a: '1', ab: '2' });
        await seed(ws, txs, { a: '3' });
        expect((await ws.backend.getHistory('a')).map((h) => text(h.value))).to.deep.equal(['3', '1']);
        expect((await ws.backend.getHistory('ab')).map((h) => text(h.value))).to.deep.equal(['2']);
      });
    });

    describe('block log', () => {
      it('numbers blocks from 0 and chains them by hash', async () => {
        await seed(ws, txs, { a: '1' });
        await seed(ws, txs, { b: '2' });
        const b0 = (await ws.getBlock(0))!;
        const b1 = (await ws.getBlock(1))!;
        expect(b0.previousHash).to.equal(GENESIS_PREVIOUS_HASH);
        expect(b1.previousHash).to.equal(b0.hash);
        expect(b1.hash).to.equal(buildBlock(1, b0.hash, b1.transactions).hash);
        expect(b0.transactions[0]).to.include({ validationCode: 'VALID', creatorMspId: 'Org1MSP', fnName: 'test:Run' });
        expect(await ws.height()).to.equal(2);
        expect(await ws.getBlock(2)).to.equal(undefined);
        expect(await ws.verifyChain()).to.deep.equal({ valid: true, height: 2 });
      });

      it('detects a block whose content was changed after commit', async () => {
        for (let i = 0; i < 3; i++) await seed(ws, txs, { [`k${i}`]: String(i) });
        const edited = new WorldState(
          tamperedBackend(backend, 1, (b) => ({
            ...b,
            transactions: b.transactions.map((t) => ({ ...t, validationCode: 'MVCC_READ_CONFLICT' })),
          })),
        );
        expect(await edited.verifyChain()).to.deep.equal({
          valid: false,
          height: 3,
          blockNumber: 1,
          reason: 'dataHash does not match the transactions',
        });
      });

      it('detects a block rewritten with fresh hashes, at the next link', async () => {
        for (let i = 0; i < 3; i++) await seed(ws, txs, { [`k${i}`]: String(i) });
        const rewritten = new WorldState(
          tamperedBackend(backend, 1, (b) =>
            buildBlock(b.number, b.previousHash, b.transactions.map((t) => ({ ...t, creatorMspId: 'EvilMSP' }))),
          ),
        );
        const result = await rewritten.verifyChain();
        expect(result).to.deep.equal({
          valid: false,
          height: 3,
          blockNumber: 2,
          reason: 'previousHash does not match the hash of the previous block',
        });
      });

      it('refuses to commit an empty block or a failed simulation, changing nothing', async () => {
        const empty = await rejection(ws.commitBlock([]));
        expect(empty.message).to.equal('a block needs at least one transaction');
        const failed = await ws.simulate(txs.next(), () => {
          throw new Error('nope');
        });
        const err = await rejection(ws.commitBlock([failed as unknown as EndorsedTransaction]));
        expect(err.message).to.match(/was not endorsed/);
        expect(await ws.height()).to.equal(0);
      });

      it('serialises concurrent commits into consecutive blocks', async () => {
        const sims = await Promise.all(
          [1, 2, 3, 4].map(async (i) => endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.putState(`c${i}`, bytes('x'))))),
        );
        const commits = await Promise.all(sims.map((s) => ws.commitBlock([s])));
        expect(commits.map((c) => c.blockNumber).sort()).to.deep.equal([0, 1, 2, 3]);
        expect(await ws.verifyChain()).to.deep.equal({ valid: true, height: 4 });
      });
    });
  });
}

type Stub = TxContext['stub'];
