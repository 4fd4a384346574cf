import '../../../gateway/src/chaincode-logs';
import { expect } from 'chai';
import { isValidUscc } from '../../../chaincode/src/domain/uscc';
import { configFor } from '../../../scripts/bench/config';
import { advanceOf, approvalSlot, type LineUnderTest, obligorId } from '../../../scripts/bench/credit-lines';
import { connectorSubmit, equalParts, FANOUT, mintPieces, parallel, planForRecords } from '../../../scripts/bench/fixtures';
import { runLoad } from '../../../scripts/bench/load';
import { areaOf, type CpuProfile, summariseProfile } from '../../../scripts/bench/profile-summary';
import { Recorder } from '../../../scripts/bench/recorder';
import { type BenchReport, type Machine, machineLine, phaseTable, unusualNodeFlags, uvThreadpoolSize } from '../../../scripts/bench/report';
import type { LoadResult } from '../../../scripts/bench/load';
import { EmbeddedTarget, openTarget } from '../../../scripts/bench/target';
import { makeIdentity } from '../../support/certs';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('bench harness', () => {
  describe('load generator', () => {
    it('runs every index once, the warm-up first, and measures only the counted operations', async () => {
      const seen: number[] = [];
      let measuringFrom = -1;
      const result = await runLoad({
        count: 30,
        warmup: 10,
        concurrency: 4,
        beforeMeasure: () => {
          measuringFrom = seen.length;
        },
        op: async (i) => {
          seen.push(i);
          await tick();
          return i % 3 === 0 ? 'MVCC_READ_CONFLICT' : 'VALID';
        },
      });
      expect([...seen].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
      expect(measuringFrom).to.equal(10);
      expect(seen.slice(0, 10).every((i) => i < 10)).to.equal(true);
      expect(result.operations).to.equal(30);
      // Indices 10..39: multiples of 3 are 12, 15, …, 39 → 10 conflicts.
      expect(result.outcomes).to.deep.equal({ VALID: 20, MVCC_READ_CONFLICT: 10 });
      expect(result.invalidRate).to.equal(10 / 30);
      expect(result.latencyMs.count).to.equal(30);
      expect(result.tps).to.be.closeTo((20 / 30) * result.attemptedPerSecond, 1e-6);
    });

    it('never has more operations in flight than the concurrency', async () => {
      let inFlight = 0;
      let peak = 0;
      await runLoad({
        count: 50,
        warmup: 0,
        concurrency: 5,
        op: async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await tick();
          inFlight -= 1;
          return 'OK';
        },
      });
      expect(peak).to.equal(5);
    });

    it('in partitioned mode gives each client its own indices, in order, one at a time', async () => {
      const clients = 4;
      const byClient = new Map<number, number[]>();
      const busy = new Set<number>();
      await runLoad({
        count: 20,
        warmup: 0,
        concurrency: clients,
        schedule: 'partitioned',
        op: async (i) => {
          const c = i % clients;
          if (busy.has(c)) throw new Error(`client ${c} ran two operations at once`);
          busy.add(c);
          byClient.set(c, [...(byClient.get(c) ?? []), i]);
          // Uneven delays: a shared queue would let fast clients take a slow one's indices.
          for (let k = 0; k < c + 1; k++) await tick();
          busy.delete(c);
          return 'VALID';
        },
      });
      expect(byClient.get(0)).to.deep.equal([0, 4, 8, 12, 16]);
      expect(byClient.get(3)).to.deep.equal([3, 7, 11, 15, 19]);
    });

    it('refuses a zero count, a negative warm-up and a zero concurrency', async () => {
      const op = () => Promise.resolve('VALID');
      for (const bad of [{ count: 0, warmup: 0, concurrency: 1 }, { count: 1, warmup: -1, concurrency: 1 }, { count: 1, warmup: 0, concurrency: 0 }]) {
        let error: unknown;
        try {
          await runLoad({ ...bad, op });
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(RangeError);
      }
    });
  });

  const result = (tps: number): LoadResult => ({
    operations: 1,
    concurrency: 1,
    wallMs: 1,
    tps,
    attemptedPerSecond: tps,
    latencyMs: { count: 1, min: 1, mean: 1, p50: 1, p95: 1, p99: 1, max: 1 },
    outcomes: { VALID: 1 },
    invalidRate: 0,
    cpuCores: 1,
  });

  describe('recorder', () => {
    it('forms a ratio from the same repeat of two phases, whatever order they were recorded in', () => {
      const rec = new Recorder();
      rec.phase('throughput', 'b', 1, 'x', result(400));
      rec.phase('throughput', 'a', 0, 'x', result(100));
      rec.phase('throughput', 'b', 0, 'x', result(1000));
      rec.phase('throughput', 'a', 1, 'x', result(100));
      const r = rec.ratio('a over b', 'a', 'b', (p) => p.tps, 'tps');
      expect(r.value.values).to.deep.equal([0.1, 0.25]);
      expect(r.formula).to.equal('tps(a) ÷ tps(b)');
    });

    it('refuses a ratio of a phase that was never measured', () => {
      const rec = new Recorder();
      rec.phase('throughput', 'a', 0, 'x', result(1));
      expect(() => rec.ratio('r', 'a', 'missing', (p) => p.tps, 'tps')).to.throw('no measurements of missing');
    });
  });

  describe('runtime settings in the report', () => {
    const machine = (over: Partial<Machine>): Machine => ({
      node: 'v20.20.2',
      v8: '11.3',
      platform: 'linux x64',
      kernel: '6.1',
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryGiB: 23.5,
      gitCommit: 'abc1234',
      nodeFlags: ['--expose-gc', '-r', 'ts-node/register/transpile-only'],
      uvThreadpoolSize: 4,
      nodeOptions: undefined,
      ...over,
    });

    it('names node flags, NODE_OPTIONS and a thread pool other than the bench scripts\' own, and only those', () => {
      expect(machineLine(machine({}))).to.equal('AMD EPYC, 2 cores, 23.5 GiB, linux x64 (kernel 6.1), node v20.20.2, commit abc1234');
      expect(
        machineLine(machine({ nodeFlags: ['--expose-gc', '--single-threaded-gc', '-r', 'ts-node/register/transpile-only'], uvThreadpoolSize: 2 })),
      ).to.equal(
        'AMD EPYC, 2 cores, 23.5 GiB, linux x64 (kernel 6.1), node v20.20.2, node flags --single-threaded-gc, UV_THREADPOOL_SIZE=2, commit abc1234',
      );
      expect(machineLine(machine({ nodeOptions: '-r ./preload.js' }))).to.equal(
        'AMD EPYC, 2 cores, 23.5 GiB, linux x64 (kernel 6.1), node v20.20.2, NODE_OPTIONS=-r ./preload.js, commit abc1234',
      );
    });

    it('keeps a preload other than ts-node whole, flag and module', () => {
      expect(unusualNodeFlags(['-r', './profile.js', '--expose-gc', '-r', 'ts-node/register/transpile-only'])).to.deep.equal(['-r', './profile.js']);
    });

    it('reads the thread pool size as libuv does: 4 when unset, 1 for 0 or no number, at most 1024', () => {
      expect(uvThreadpoolSize({})).to.equal(4);
      expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: '2' })).to.equal(2);
      expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: '0' })).to.equal(1);
      expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: 'many' })).to.equal(1);
      expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: '5000' })).to.equal(1024);
      expect(uvThreadpoolSize({ UV_THREADPOOL_SIZE: '-3' })).to.equal(1024);
    });
  });

  describe('credit line contention', () => {
    const line = (id: string, financings: number): LineUnderTest => ({
      id,
      obligor: id,
      financings: Array.from({ length: financings }, (_, n) => `${id}-FIN-${n}`),
      approved: 0n,
    });

    it('gives every approval of every repeat its own financing: on one line in order, on K lines line i mod K', () => {
      const perRepeat = 8;
      const one = [line('ONE', 2 * perRepeat)];
      const seen = [0, 1].flatMap((r) => Array.from({ length: perRepeat }, (_, i) => approvalSlot(one, perRepeat, r, i).financingId));
      expect(seen).to.deep.equal(one[0]?.financings);
      const many = [line('A', 4), line('B', 4), line('C', 4), line('D', 4)];
      const slots = [0, 1].flatMap((r) => Array.from({ length: perRepeat }, (_, i) => ({ i, ...approvalSlot(many, perRepeat, r, i) })));
      // Client c of 4 (partitioned: indices ≡ c mod 4) stays on line c.
      expect(slots.every((s) => s.line === many[s.i % 4])).to.equal(true);
      expect(new Set(slots.map((s) => s.financingId)).size).to.equal(16);
      expect(() => approvalSlot(many, perRepeat, 2, 0)).to.throw('has no financing 4');
    });

    it('sizes the phases in whole rounds of the clients, one line per client in the control', () => {
      for (const mode of ['full', 'quick'] as const) {
        const { count, warmup, concurrency } = configFor(mode).creditLines;
        expect(count % concurrency, mode).to.equal(0);
        expect(warmup % concurrency, mode).to.equal(0);
      }
    });

    it('varies the advances within the request, and gives each obligor a valid code of its own', () => {
      const advances = Array.from({ length: 2000 }, (_, i) => Number(advanceOf(i)));
      expect(Math.min(...advances)).to.equal(8000);
      expect(Math.max(...advances)).to.be.below(9000);
      const ids = Array.from({ length: 40 }, (_, k) => obligorId(k));
      expect(ids.every(isValidUscc)).to.equal(true);
      expect(new Set(ids).size).to.equal(40);
    });

    it('adds a retries-per-operation column when a phase counted the connector\'s retries', () => {
      const rec = new Recorder();
      rec.phase('creditlines', 'ledger', 0, 'x', result(10));
      expect(phaseTable({ phases: rec.phases } as BenchReport)).to.not.include('retries/op');
      rec.phase('creditlines', 'rest', 0, 'x', { ...result(5), operations: 4, retries: 11 });
      const rows = phaseTable({ phases: rec.phases } as BenchReport).split('\n');
      expect(rows[0]).to.match(/\| retries\/op \|$/);
      expect(rows[2]).to.match(/\| +– \|$/);
      expect(rows[3]).to.match(/\| +2\.75 \|$/);
    });
  });

  describe('fixtures arithmetic', () => {
    it('splits an amount into equal parts that sum to it, the remainder in the last', () => {
      expect(equalParts(200_000n, FANOUT)).to.deep.equal(Array.from({ length: 20 }, () => '10000'));
      expect(equalParts(10n, 3)).to.deep.equal(['3', '3', '4']);
    });

    it('plans roots and second-level splits that reach the wanted voucher count, overshooting by less than a split', () => {
      const plan = planForRecords(21, 100_000, 10_000n, 8);
      expect(plan).to.not.equal(undefined);
      const records = 21 + (plan?.roots ?? 0) * 21 + (plan?.secondLevelSplits ?? 0) * 20;
      expect(records).to.be.at.least(100_000);
      expect(records - 100_000).to.be.below(21);
      expect(plan?.secondLevelSplits).to.be.at.most((plan?.roots ?? 0) * 20);
      expect(planForRecords(5000, 1000, 10_000n, 8)).to.equal(undefined);
    });

    it('runs at most the given number of tasks at once and answers in item order', async () => {
      let inFlight = 0;
      let peak = 0;
      const out = await parallel([5, 4, 3, 2, 1], 2, async (n) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        for (let k = 0; k < n; k++) await tick();
        inFlight -= 1;
        return n * 10;
      });
      expect(out).to.deep.equal([50, 40, 30, 20, 10]);
      expect(peak).to.equal(2);
    });
  });

  describe('targets', () => {
    it('runs the embedded ledger only, naming bench:fabric for the real network', () => {
      expect(openTarget('embedded')).to.be.instanceOf(EmbeddedTarget);
      expect(() => openTarget('fabric')).to.throw(RangeError, /npm run bench:fabric/);
      expect(() => openTarget('ganache')).to.throw(RangeError, 'unknown target');
    });

    it("runs the gateway as npm start does, webhook outbox included: a transfer made through it queues a delivery to the recipient's endpoint", async () => {
      const gw = await new EmbeddedTarget().openGateway({ cutter: { batchMaxTx: 10, batchTimeoutMs: 2 } });
      try {
        const call = async (method: string, path: string, label: string, body?: object) => {
          const res = await fetch(`${gw.baseUrl}${path}`, {
            method,
            headers: { authorization: `Bearer ${gw.token(label)}`, 'content-type': 'application/json' },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          return { status: res.status, json: (await res.json()) as Record<string, unknown> };
        };
        // A public address by npm start's rules (SCF_WEBHOOK_ALLOW_PRIVATE is off); nothing needs to answer there.
        const registered = await call('POST', '/webhooks', 'supplier2', { url: 'https://192.0.2.1/scf', eventTypes: ['VoucherTransferred'] });
        expect(registered.status, JSON.stringify(registered.json)).to.equal(201);
        const endpointId = (registered.json.endpoint as { id: string }).id;
        const minter = { submit: connectorSubmit(gw), supplier: gw.identity('supplier1'), supplierId: gw.memberId('supplier1'), core: gw.identity('core-maker'), coreId: gw.memberId('core') };
        const [piece] = await mintPieces(minter, 1, 10_000n, 1);
        const moved = await call('POST', `/vouchers/${encodeURIComponent(piece?.id ?? '')}/transfer`, 'supplier1', { to: gw.memberId('supplier2'), amount: piece?.amount });
        expect(moved.status, JSON.stringify(moved.json)).to.equal(200);
        let types: string[] = [];
        for (let waited = 0; types.length === 0 && waited < 5_000; waited += 50) {
          const listed = await call('GET', `/webhooks/${endpointId}/deliveries`, 'supplier2');
          types = (listed.json.deliveries as Array<{ type: string }>).map((d) => d.type);
          if (types.length === 0) await new Promise((r) => setTimeout(r, 50));
        }
        expect(types).to.deep.equal(['VoucherTransferred']);
      } finally {
        await gw.close();
      }
    });
  });

  describe('baseline chaincode on the embedded engine', () => {
    const cutter = { batchMaxTx: 10, batchTimeoutMs: 1 };

    it('puts a key and moves it to a new owner', async () => {
      const ledger = await new EmbeddedTarget().openLedger({ chaincode: 'baseline', backend: 'memory', cutter });
      try {
        const who = await makeIdentity('PlatformMSP', 'baseline-test');
        expect((await ledger.submit(who, 'baseline:Put', ['asset-1', '{"owner":"a","amount":"5"}'])).code).to.equal('VALID');
        const moved = await ledger.submit(who, 'baseline:Move', ['asset-1', 'b']);
        expect(moved.code).to.equal('VALID');
        expect(JSON.parse(moved.result ?? '')).to.deep.equal({ amount: '5', owner: 'b' });
      } finally {
        await ledger.close();
      }
    });

    it('refuses to move a missing key or to put a value without an owner, committing nothing', async () => {
      const ledger = await new EmbeddedTarget().openLedger({ chaincode: 'baseline', backend: 'memory', cutter });
      try {
        const who = await makeIdentity('PlatformMSP', 'baseline-test');
        const missing = await ledger.submit(who, 'baseline:Move', ['nope', 'b']);
        expect(missing.code).to.equal('REJECTED');
        expect(missing.error?.message).to.match(/^\[NOT_FOUND\]/);
        const ownerless = await ledger.submit(who, 'baseline:Put', ['k', '{"amount":"5"}']);
        expect(ownerless.code).to.equal('REJECTED');
        expect(ownerless.error?.message).to.match(/^\[VALIDATION_FAILED\]/);
        const later = await ledger.submit(who, 'baseline:Move', ['k', 'b']);
        expect(later.error?.message).to.match(/^\[NOT_FOUND\]/);
      } finally {
        await ledger.close();
      }
    });

    it('commits only one of two concurrent moves of the same key: the other is an MVCC conflict', async () => {
      const ledger = await new EmbeddedTarget().openLedger({ chaincode: 'baseline', backend: 'memory', cutter });
      try {
        const who = await makeIdentity('PlatformMSP', 'baseline-test');
        await ledger.submit(who, 'baseline:Put', ['hot', '{"owner":"a"}']);
        const outcomes = await Promise.all([ledger.submit(who, 'baseline:Move', ['hot', 'b']), ledger.submit(who, 'baseline:Move', ['hot', 'c'])]);
        expect(outcomes.map((o) => o.code).sort()).to.deep.equal(['MVCC_READ_CONFLICT', 'VALID']);
      } finally {
        await ledger.close();
      }
    });
  });

  describe('profile summary', () => {
    // root → outer (file a) → inner (node_modules/pkg); samples: inner, inner, outer, (garbage collector).
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4] },
        { id: 2, callFrame: { functionName: 'outer', url: `file://${process.cwd()}/chaincode/src/worldstate/x.ts`, lineNumber: 9 }, children: [3] },
        { id: 3, callFrame: { functionName: 'inner', url: `file://${process.cwd()}/node_modules/pkg/index.js`, lineNumber: 0 } },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
      ],
      startTime: 0,
      endTime: 4000,
      samples: [3, 3, 2, 4],
      timeDeltas: [0, 1000, 1000, 1000],
    };

    it('attributes self time to the sampled frame and inclusive time to every frame on its stack', () => {
      const s = summariseProfile(profile);
      expect(s.totalMs).to.equal(4);
      expect(s.self.map((f) => [f.frame, f.ms])).to.deep.equal([
        ['inner node_modules/pkg/index.js:1', 2],
        ['outer chaincode/src/worldstate/x.ts:10', 1],
        ['(garbage collector)', 1],
      ]);
      expect(s.inclusive.find((f) => f.frame.startsWith('outer'))?.ms).to.equal(3);
    });

    it('groups self time by area of the code', () => {
      expect(summariseProfile(profile).areas.map((a) => [a.frame, a.ms])).to.deep.equal([
        ['npm: pkg', 2],
        ['chaincode/src/worldstate', 1],
        ['(garbage collector)', 1],
      ]);
      expect(areaOf('node:internal/buffer', 'x')).to.equal('node internals');
    });
  });
});
