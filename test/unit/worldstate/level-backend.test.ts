import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import sinon from 'sinon';
import { WorldState, type StateBackend } from '../../../chaincode/src/worldstate';
import { LevelBackend } from '../../../gateway/src/ledger/embedded/level-backend';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import { failBatchWrites } from '../../support/level-faults';
import { worldStateBehaviour } from './behaviour.suite';
import { bytes, committedValid, endorsed, rejection, seed, text, TxFactory } from './helpers';

const dirs = new Map<StateBackend, string>();

async function freshDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'scf-worldstate-'));
}

// The whole behaviour with the default caches, with caches so small that
// entries are dropped all the time, and with none.
for (const [name, stateCacheBytes] of [
  ['LevelBackend', undefined],
  ['LevelBackend with 4 KiB of cache', 4096],
  ['LevelBackend without cache', 0],
] as const) {
  worldStateBehaviour({
    name,
    create: async () => {
      const dir = await freshDir();
      const backend = await LevelBackend.open(dir, { stateCacheBytes });
      dirs.set(backend, dir);
      return backend;
    },
    dispose: async (backend) => {
      await (backend as LevelBackend).close();
      const dir = dirs.get(backend);
      dirs.delete(backend);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  });
}

describe('LevelBackend durability', () => {
  let alice: TestIdentity;
  let dir: string;
  let txs: TxFactory;

  before(async () => {
    alice = await makeIdentity('Org1MSP', 'alice@org1.example.com');
  });

  beforeEach(async () => {
    dir = await freshDir();
    txs = new TxFactory(alice);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps state, history, statuses, events and blocks across close and reopen', async () => {
    const first = await LevelBackend.open(dir);
    const ws = new WorldState(first);
    await seed(ws, txs, { k: 'v1', other: 'o' });
    const update = committedValid(
      await ws.submit(txs.next(), async ({ stub }) => {
        await stub.putState('k', bytes('v2'));
        stub.setEvent('Updated', bytes('{"k":"v2"}'));
      }),
    );
    const stale = endorsed(await ws.simulate(txs.next(), async ({ stub }) => stub.putState('k', await stub.getState('k'))));
    committedValid(
      await ws.submit(txs.next(), async ({ stub }) => {
        await stub.deleteState('other');
        await stub.putState('k', bytes('v3'));
      }),
    );
    const mixed = await ws.commitBlock([
      stale,
      endorsed(await ws.simulate(txs.next(), ({ stub }) => stub.putState('k', bytes('x')))),
    ]);
    expect(mixed.transactions.map((t) => t.validationCode)).to.deep.equal(['MVCC_READ_CONFLICT', 'VALID']);
    const before = {
      height: await ws.height(),
      last: await ws.getBlock(3),
      k: await ws.getCommittedState('k'),
      history: await first.getHistory('k'),
      events: await ws.eventsSince(0),
      status: await ws.getTransactionStatus(update.txId),
    };
    await first.close();

    const reopened = await LevelBackend.open(dir);
    try {
      const again = new WorldState(reopened);
      expect(await again.height()).to.equal(before.height);
      expect(await again.getBlock(3)).to.deep.equal(before.last);
      expect(await again.getCommittedState('k')).to.deep.equal(before.k);
      expect(await again.getCommittedState('other')).to.equal(undefined);
      expect(await reopened.getHistory('k')).to.deep.equal(before.history);
      expect(await reopened.getHistory('other')).to.have.length(2);
      expect(await again.eventsSince(0)).to.deep.equal(before.events);
      expect(await again.getTransactionStatus(update.txId)).to.deep.equal(before.status);
      expect(await again.getTransactionStatus(stale.txId)).to.deep.equal({
        txId: stale.txId,
        validationCode: 'MVCC_READ_CONFLICT',
        blockNumber: 3,
        txIndex: 0,
      });
      expect((await reopened.getHistory('k')).map((h) => text(h.value))).to.deep.equal(['x', 'v3', 'v2', 'v1']);
      expect(await again.verifyChain()).to.deep.equal({ valid: true, height: 4 });
    } finally {
      await reopened.close();
    }
  });

  it('continues the height and the hash chain after reopening', async () => {
    const first = await LevelBackend.open(dir);
    const ws = new WorldState(first);
    await seed(ws, txs, { a: '1' });
    await seed(ws, txs, { b: '2' });
    const lastHash = (await ws.getBlock(1))!.hash;
    await first.close();

    const reopened = await LevelBackend.open(dir);
    try {
      const again = new WorldState(reopened);
      const next = await again.commitBlock([
        endorsed(await again.simulate(txs.next(), async ({ stub }) => stub.putState('c', await stub.getState('a')))),
      ]);
      expect(next.blockNumber).to.equal(2);
      expect((await again.getBlock(2))!.previousHash).to.equal(lastHash);
      expect(text((await again.getCommittedState('c'))!.value)).to.equal('1');
      expect(await again.verifyChain()).to.deep.equal({ valid: true, height: 3 });
      const duplicate = await again.simulate(txs.next({ txId: 'tx-1' }), () => 'again');
      expect(duplicate.status === 'FAILED' && duplicate.error.message).to.equal('duplicate transaction found [tx-1]');
    } finally {
      await reopened.close();
    }
  });

  it('keeps an acknowledged commit when the writing process is killed', async function () {
    this.timeout(60_000);
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'fixtures', 'level-writer.ts'), dir],
      { cwd: path.resolve(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const committed = out.split('\n').find((l) => l.startsWith('COMMITTED '));
          if (committed) resolve(committed);
        });
        void exited.then((how) => reject(new Error(`writer exited (${String(how)}) before committing: ${stderr}`)));
      });
      child.kill('SIGKILL');
      expect(await exited).to.equal('SIGKILL');
      const [, txId, hash] = line.split(' ');

      const reopened = await LevelBackend.open(dir);
      try {
        const ws = new WorldState(reopened);
        expect(await ws.getTransactionStatus(txId!)).to.deep.equal({ txId, validationCode: 'VALID', blockNumber: 0, txIndex: 0 });
        expect(text((await ws.getCommittedState('survivor'))!.value)).to.equal('acknowledged');
        expect((await ws.getBlock(0))!.hash).to.equal(hash);
        expect((await ws.eventsSince(0)).map((e) => e.name)).to.deep.equal(['Survived']);
        expect(await ws.verifyChain()).to.deep.equal({ valid: true, height: 1 });
      } finally {
        await reopened.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('detects a block edited directly in the database', async () => {
    const first = await LevelBackend.open(dir);
    const ws = new WorldState(first);
    await seed(ws, txs, { a: '1' });
    await seed(ws, txs, { b: '2' });
    await first.close();

    const raw = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open();
    const key = Buffer.concat([Buffer.from('b'), Buffer.alloc(8)]);
    const block = JSON.parse((await raw.get(key))!.toString('utf8')) as { transactions: { creatorMspId: string }[] };
    block.transactions[0]!.creatorMspId = 'EvilMSP';
    await raw.put(key, Buffer.from(JSON.stringify(block)));
    await raw.close();

    const reopened = await LevelBackend.open(dir);
    try {
      expect(await new WorldState(reopened).verifyChain()).to.deep.equal({
        valid: false,
        height: 2,
        blockNumber: 0,
        reason: 'dataHash does not match the transactions',
      });
    } finally {
      await reopened.close();
    }
  });

  it('refuses data written in an unknown storage format', async () => {
    const raw = new ClassicLevel<string, string>(dir);
    await raw.open();
    await raw.put('mformat', '99');
    await raw.close();
    const err = await rejection(LevelBackend.open(dir));
    expect(err.message).to.match(/storage format 99, expected 1/);
  });

  it('refuses a block that does not follow the last one, writing nothing', async () => {
    const backend = await LevelBackend.open(dir);
    try {
      const ws = new WorldState(backend);
      await seed(ws, txs, { a: '1' });
      const block = (await ws.getBlock(0))!;
      const err = await rejection(
        backend.applyBlock({
          block: { ...block, number: 5 },
          writes: [{ key: 'z', value: bytes('1'), version: { blockNumber: 5, txIndex: 0 } }],
          history: [],
          statuses: [],
          events: [],
        }),
      );
      expect(err.message).to.equal('block 5 does not follow the last block: expected 1');
      expect(await backend.getState('z')).to.equal(undefined);
      expect(await ws.height()).to.equal(1);
    } finally {
      await backend.close();
    }
  });
});

describe('LevelBackend caches', () => {
  type Db = ClassicLevel<Buffer, Buffer>;
  const dbOf = (backend: LevelBackend): Db => (backend as unknown as { db: Db }).db;
  let alice: TestIdentity;
  let dir: string;
  let txs: TxFactory;
  let backend: LevelBackend;

  before(async () => {
    alice = await makeIdentity('Org1MSP', 'alice@org1.example.com');
  });

  beforeEach(async () => {
    dir = await freshDir();
    txs = new TxFactory(alice);
    const first = await LevelBackend.open(dir);
    await seed(new WorldState(first), txs, { k: 'v1' });
    await first.close();
    // Reopened: the caches start empty.
    backend = await LevelBackend.open(dir);
  });

  afterEach(async () => {
    sinon.restore();
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a key, present or absent, from LevelDB once, then from the cache', async () => {
    const get = sinon.spy(dbOf(backend), 'getSync');
    for (let i = 0; i < 3; i++) {
      expect(text((await backend.getState('k'))!.value)).to.equal('v1');
      expect(await backend.getState('missing')).to.equal(undefined);
    }
    expect(get.callCount).to.equal(2);
    expect(backend.cacheStats().state.keys).to.equal(2);
  });

  it('answers what a block wrote without reading LevelDB, deletions included', async () => {
    const ws = new WorldState(backend);
    await ws.getCommittedState('k');
    const done = committedValid(
      await ws.submit(txs.next(), async ({ stub }) => {
        await stub.deleteState('k');
        await stub.putState('n', bytes('new'));
      }),
    );
    const get = sinon.spy(dbOf(backend), 'getSync');
    expect(await backend.getState('k')).to.equal(undefined);
    expect(text((await backend.getState('n'))!.value)).to.equal('new');
    expect(await backend.getTxStatus(done.txId)).to.deep.equal({ txId: done.txId, validationCode: 'VALID', blockNumber: 1, txIndex: 0 });
    expect(get.callCount).to.equal(0);
  });

  it('gives out copies: changing a returned value changes nothing held', async () => {
    const first = (await backend.getState('k'))!;
    (first.value as Buffer).write('XX');
    expect(text((await backend.getState('k'))!.value)).to.equal('v1');
  });

  it('keeps answering the committed state when a block write fails', async () => {
    const ws = new WorldState(backend);
    await ws.getCommittedState('k');
    failBatchWrites(dbOf(backend), () => new Error('IO error: No space left on device'));
    const failed = await ws.simulate(txs.next(), ({ stub }) => stub.putState('k', bytes('lost')));
    await rejection(ws.commitBlock([endorsed(failed)]));
    expect(text((await backend.getState('k'))!.value)).to.equal('v1');
    expect(await backend.getTxStatus(failed.txId)).to.equal(undefined);
  });

  it('stays within its bound in bytes while many keys are written and read', async () => {
    const small = await LevelBackend.open(await freshDir(), { stateCacheBytes: 64 * 1024 });
    try {
      const ws = new WorldState(small);
      for (let b = 0; b < 20; b++) {
        const entries = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${b}-${i}`, 'x'.repeat(200)]));
        await seed(ws, txs, entries);
        const { state, statuses } = small.cacheStats();
        expect(state.bytes).to.be.at.most(state.maxBytes);
        expect(statuses.bytes).to.be.at.most(statuses.maxBytes);
      }
      expect(small.cacheStats().state.maxBytes + small.cacheStats().statuses.maxBytes).to.equal(64 * 1024);
      // The earliest keys were dropped from the cache, never from LevelDB.
      expect(text((await small.getState('key-0-0'))!.value)).to.equal('x'.repeat(200));
      expect(text((await small.getState('key-19-49'))!.value)).to.equal('x'.repeat(200));
    } finally {
      await small.close();
      await rm(small.location, { recursive: true, force: true });
    }
  });
});
