import { performance } from 'node:perf_hooks';
import { partialCompositeKeyRange } from '../../chaincode/src/worldstate';
import { RecordType } from '../../chaincode/src/ledger/keys';
import { LedgerError } from '../../gateway/src/ledger/ledger';
import { answeringLedger, serveBare } from './bare-gateway';
import type { LoopbackServer } from './loopback';
import { makeIdentity } from '../../test/support/certs';
import type { BenchConfig } from './config';
import { type BackendKind, EngineLedger } from './engine-ledger';
import {
  type Cast,
  engineMinter,
  gatewayMinter,
  issueRoot,
  mintPieces,
  mintTree,
  parallel,
  type Piece,
  planForRecords,
  setUpCast,
  submitJsonOn,
} from './fixtures';
import { type OutcomeCode, runLoad } from './load';
import { runRestLoadInWorker } from './rest-load-worker';
import type { PhaseResult, Recorder } from './recorder';
import type { BenchLedger, GatewayUnderTest, LedgerThread, Target } from './target';
import { ThreadSampler, threadTable } from './threads';

export type Log = (line: string) => void;

export const tps = (p: PhaseResult) => p.tps;
export const p50 = (p: PhaseResult) => p.latencyMs.p50;
export const SETUP_CONCURRENCY = 64;

export async function timed<T>(rec: Recorder, what: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t0) / 1000;
  rec.setup[`${what} (s)`] = Number(seconds.toFixed(1));
  log(`  set up ${what} in ${seconds.toFixed(1)} s`);
  return out;
}

export function logPhase(log: Log, p: PhaseResult): void {
  const outcomes = Object.entries(p.outcomes).map(([k, v]) => `${k}=${v}`).join(' ');
  const retries = p.retries === undefined ? '' : `, ${p.retries} retries`;
  log(`  [${p.repeat}] ${p.phase}: ${p.tps.toFixed(0)} tx/s, p50 ${p.latencyMs.p50.toFixed(2)} ms, p99 ${p.latencyMs.p99.toFixed(2)} ms, cpu ${p.cpuCores.toFixed(2)}, ${outcomes}${retries}`);
}

/** Every measured operation of these phases committed valid (disjoint keys: nothing may conflict). */
function checkAllValid(rec: Recorder, phases: string[]): void {
  for (const phase of phases) {
    const rows = rec.series(phase);
    const total = rows.reduce((s, r) => s + r.operations, 0);
    const valid = rows.reduce((s, r) => s + (r.outcomes.VALID ?? 0), 0);
    rec.check(`${phase}: every transaction committed valid`, valid === total, `${valid} of ${total} VALID`);
  }
}

// ---------------------------------------------------------------------------
// Ledger overhead (voucher vs baseline, memory) and durable vs memory backend.
// ---------------------------------------------------------------------------

/** Operation i: supplier1 transfers the whole of piece offset + i to supplier2. */
export function fullTransfers(ledger: BenchLedger, cast: Cast, pieces: readonly Piece[], offset: number) {
  return async (i: number): Promise<OutcomeCode> => {
    const piece = pieces[offset + i];
    if (!piece) throw new Error(`no piece ${offset + i}: mint more`);
    return (await ledger.submit(cast.supplier1, 'voucher:Transfer', [JSON.stringify({ id: piece.id, to: cast.ids.supplier2, amount: piece.amount })])).code;
  };
}

/** The fields of a voucher the checks look at. */
interface VoucherView {
  id: string;
  tier: number;
  holder: string;
  amount: string;
  status: string;
  childIds?: string[];
}

export const PHASE = {
  baselineMove: 'baseline Move (memory)',
  transfer: 'voucher full transfer (memory)',
  split: 'voucher split in 2 (memory)',
  transferLevel: 'voucher full transfer (LevelDB)',
  direct: 'full transfer via connector (direct)',
  rest: 'full transfer via REST',
  directThreaded: 'full transfer via connector to the ledger thread',
  restSameThread: 'full transfer via REST, ledger on the gateway thread',
  bare: 'full transfer via bare HTTP (the ceiling), ledger on its own thread',
  aloneRest: 'HTTP alone: transfer via REST, answering ledger',
  aloneBare: 'HTTP alone: transfer via bare HTTP, answering ledger',
  aloneExpress: 'HTTP alone: transfer via the bare handler in express, answering ledger',
  disjoint: 'conflicts: 64 clients, 64 vouchers',
  single: 'conflicts: 64 clients, 1 voucher',
} as const;

/**
 * Each repeat starts from fresh worlds holding exactly the keys or pieces its
 * phases consume, so every repeat measures the same state size (the memory
 * backend's inserts cost grows with the number of keys it holds) and the
 * phases of a repeat run back to back, paired for the ratios.
 */
export async function throughputGroup(target: Target, cfg: BenchConfig, rec: Recorder, log: Log): Promise<void> {
  const { count, warmup, concurrency } = cfg.throughput;
  const perPhase = warmup + count;
  const baselineWho = await makeIdentity('PlatformMSP', 'bench-baseline');

  const scfWorld = async (backend: BackendKind, r: number, purpose: string) => {
    const ledger = await target.openLedger({ chaincode: 'scf', backend, cutter: cfg.setupCutter });
    const cast = await setUpCast(ledger);
    const pieces = await timed(rec, `[${r}] ${perPhase} pieces to ${purpose} (${ledger.description})`, log, () =>
      mintPieces(engineMinter(ledger, cast), perPhase, 10_000n, SETUP_CONCURRENCY),
    );
    if (r === 0) rec.setup[`keys in state before measuring, world to ${purpose} (${ledger.description})`] = await stateKeyCount(ledger);
    return { ledger, cast, pieces };
  };

  for (let r = 0; r < cfg.repeats; r++) {
    const ledgers: BenchLedger[] = [];
    try {
      const baseline = await target.openLedger({ chaincode: 'baseline', backend: 'memory', cutter: cfg.setupCutter });
      ledgers.push(baseline);
      await timed(rec, `[${r}] ${perPhase} keys (${baseline.description})`, log, () =>
        parallel(Array.from({ length: perPhase }), SETUP_CONCURRENCY, async (_, i) => {
          const out = await baseline.submit(baselineWho, 'baseline:Put', [`asset-${i}`, JSON.stringify({ owner: 'supplier-a', amount: '10000' })]);
          if (out.code !== 'VALID') throw new Error(`baseline Put ended ${out.code}: ${out.error?.message ?? ''}`);
        }),
      );
      const transferWorld = await scfWorld('memory', r, 'transfer');
      ledgers.push(transferWorld.ledger);
      const splitWorld = await scfWorld('memory', r, 'split');
      ledgers.push(splitWorld.ledger);
      const levelWorld = await scfWorld('level', r, 'transfer');
      ledgers.push(levelWorld.ledger);
      if (r === 0) rec.setup[`keys in state before measuring (${baseline.description})`] = await stateKeyCount(baseline);
      for (const l of ledgers) await l.setBlockCutter(cfg.cutter);

      const moves = await runLoad({
        count,
        warmup,
        concurrency,
        op: async (i) => (await baseline.submit(baselineWho, 'baseline:Move', [`asset-${i}`, 'supplier-b'])).code,
      });
      logPhase(log, rec.phase('throughput', PHASE.baselineMove, r, baseline.description, moves));
      const { ledger: mem, cast: memCast, pieces: memPieces } = transferWorld;
      const transfers = await runLoad({ count, warmup, concurrency, op: fullTransfers(mem, memCast, memPieces, 0) });
      logPhase(log, rec.phase('throughput', PHASE.transfer, r, mem.description, transfers));
      const split = await runLoad({
        count,
        warmup,
        concurrency,
        op: async (i) => {
          const piece = splitWorld.pieces[i] as Piece;
          const half = String(BigInt(piece.amount) / 2n);
          return (await splitWorld.ledger.submit(splitWorld.cast.supplier1, 'voucher:Split', [JSON.stringify({ id: piece.id, amounts: [half, half] })])).code;
        },
      });
      logPhase(log, rec.phase('throughput', PHASE.split, r, splitWorld.ledger.description, split));
      const durable = await runLoad({ count, warmup, concurrency, op: fullTransfers(levelWorld.ledger, levelWorld.cast, levelWorld.pieces, 0) });
      logPhase(log, rec.phase('throughput', PHASE.transferLevel, r, levelWorld.ledger.description, durable));
    } finally {
      for (const l of ledgers) await l.close();
    }
  }

  rec.ratio('ledger overhead: full transfer', PHASE.transfer, PHASE.baselineMove, tps, 'tps');
  rec.ratio('ledger overhead: split', PHASE.split, PHASE.baselineMove, tps, 'tps');
  rec.ratio('durable ÷ memory: full transfer', PHASE.transferLevel, PHASE.transfer, tps, 'tps');
  checkAllValid(rec, [PHASE.baselineMove, PHASE.transfer, PHASE.split, PHASE.transferLevel]);
}

// ---------------------------------------------------------------------------
// Gateway overhead: REST (HTTP client → createApp → connector) ÷ the connector called directly.
// ---------------------------------------------------------------------------

export async function gatewayGroup(target: Target, cfg: BenchConfig, rec: Recorder, log: Log): Promise<void> {
  const { count, warmup, concurrency } = cfg.gateway;
  const perRepeat = warmup + count;
  const perPhase = perRepeat * cfg.repeats;
  // Two gateways as npm start builds them: the embedded ledger on a worker
  // thread of its own (the default) and on the gateway's thread
  // (SCF_LEDGER_THREAD=main). Each is driven directly through its connector
  // and through REST.
  // And, as the ceiling for REST, a bare node:http handler making the same
  // ledger call on the worker gateway's connector (bare-gateway.ts).
  const gateways: Record<LedgerThread, GatewayUnderTest | undefined> = { main: undefined, worker: undefined };
  type Path = 'direct' | 'rest' | 'bare';
  const piecesOf = new Map<LedgerThread, Partial<Record<Path, Piece[]>>>();
  let bare: LoopbackServer | undefined;
  try {
    for (const thread of ['main', 'worker'] as const) {
      const gw = await target.openGateway({ cutter: cfg.cutter, thread });
      gateways[thread] = gw;
      const paths: Path[] = thread === 'worker' ? ['direct', 'rest', 'bare'] : ['direct', 'rest'];
      const pieces = await timed(rec, `gateway (ledger on the ${thread} thread): ${paths.length * perPhase} pieces (connector, LevelDB)`, log, () =>
        mintPieces(gatewayMinter(gw), paths.length * perPhase, 10_000n, SETUP_CONCURRENCY),
      );
      piecesOf.set(thread, Object.fromEntries(paths.map((path, k) => [path, pieces.slice(k * perPhase, (k + 1) * perPhase)])));
    }
    bare = await serveBare((gateways.worker as GatewayUnderTest).ledger, (gateways.worker as GatewayUnderTest).identity('supplier1'));
    // CPU by thread over each measured window (Linux), per transfer.
    const threads = new ThreadSampler();
    let clientThread: number | undefined;
    // A real transfer's answer, for the answering ledger of the HTTP-alone phases.
    let recordedAnswer: unknown;
    const startSampling = async (gw: GatewayUnderTest, client?: number) => {
      await gw.resetCommitted();
      clientThread = client;
      threads.start();
    };
    const stopSampling = (gw: GatewayUnderTest, phase: string) =>
      threads.stop(phase, count, { 'gateway thread': process.pid, 'ledger thread': gw.ledgerThreadId, 'REST client thread': clientThread });
    const run = async (thread: LedgerThread, path: Path, r: number, phase: string) => {
      const gw = gateways[thread] as GatewayUnderTest;
      const own = (piecesOf.get(thread)?.[path] as Piece[]).slice(r * perRepeat, (r + 1) * perRepeat);
      const to = gw.memberId('supplier2');
      if (path === 'direct') {
        const supplier1 = gw.identity('supplier1');
        const result = await runLoad({
          count,
          warmup,
          concurrency,
          beforeMeasure: () => startSampling(gw),
          op: async (i) => {
            const piece = own[i] as Piece;
            try {
              const done = await gw.ledger.submit(supplier1, 'voucher:Transfer', { id: piece.id, to, amount: piece.amount }, { deadlineMs: 120_000 });
              recordedAnswer ??= done.result;
              return 'VALID';
            } catch (err) {
              if (err instanceof LedgerError) return `ERR_${err.code}`;
              throw err;
            }
          },
        });
        stopSampling(gw, phase);
        return withCommitted(result, await gw.committed());
      }
      // The REST clients run on a thread of their own (rest-load-worker.ts),
      // as a real client runs on another machine.
      const requests = own.map((piece) => ({ path: `/vouchers/${encodeURIComponent(piece.id)}/transfer`, body: { to, amount: piece.amount } }));
      const baseUrl = path === 'bare' ? (bare as LoopbackServer).baseUrl : gw.baseUrl;
      const result = await runRestLoadInWorker({ baseUrl, token: gw.token('supplier1'), requests, count, warmup, concurrency }, (client) =>
        startSampling(gw, client),
      );
      stopSampling(gw, phase);
      return withCommitted(result, await gw.committed());
    };

    const phases = [
      { thread: 'main', path: 'direct', phase: PHASE.direct, on: 'EmbeddedLedger.submit on this thread (LevelDB)' },
      { thread: 'worker', path: 'rest', phase: PHASE.rest, on: 'HTTP keep-alive from a worker thread → createApp → ThreadedLedger → EmbeddedLedger on its own thread (LevelDB)' },
      { thread: 'worker', path: 'direct', phase: PHASE.directThreaded, on: 'ThreadedLedger.submit → EmbeddedLedger on its own thread (LevelDB)' },
      { thread: 'main', path: 'rest', phase: PHASE.restSameThread, on: 'HTTP keep-alive from a worker thread → createApp → EmbeddedLedger on the same thread (LevelDB)' },
      { thread: 'worker', path: 'bare', phase: PHASE.bare, on: 'HTTP keep-alive from a worker thread → bare node:http handler → ThreadedLedger → EmbeddedLedger on its own thread (LevelDB)' },
    ] as const;
    for (let r = 0; r < cfg.repeats; r++) {
      // Alternate the order so that drift within a repeat favours no phase.
      for (const p of r % 2 === 0 ? phases : [...phases].reverse()) {
        const result = await run(p.thread, p.path, r, p.phase);
        logPhase(log, rec.phase('gateway', p.phase, r, p.on, { ...result, cpuMsPerTxByThread: threads.repeats(p.phase)[r] }));
      }
    }
    await httpAlone(gateways.worker as GatewayUnderTest, recordedAnswer, cfg, rec, log, threads);

    if (threads.sampled) {
      log(`\nCPU ms per transfer by thread (medians over the repeats; other threads: libuv's pool, V8's GC and compiler, LevelDB):\n`);
      const rows = [...phases.map((p) => p.phase), PHASE.aloneRest, PHASE.aloneExpress, PHASE.aloneBare];
      log(threadTable(rows.map((phase) => ({ phase, repeats: threads.repeats(phase) }))));
    }
    rec.ratio('gateway overhead: full transfer', PHASE.rest, PHASE.direct, tps, 'tps');
    rec.ratio('gateway overhead, ledger on the gateway thread', PHASE.restSameThread, PHASE.direct, tps, 'tps');
    rec.ratio('ledger thread ÷ same thread: direct', PHASE.directThreaded, PHASE.direct, tps, 'tps');
    rec.ratio('ledger thread ÷ same thread: REST', PHASE.rest, PHASE.restSameThread, tps, 'tps');
    rec.ratio('REST ceiling: bare HTTP ÷ direct', PHASE.bare, PHASE.direct, tps, 'tps');
    rec.ratio('our HTTP code: REST ÷ bare HTTP', PHASE.rest, PHASE.bare, tps, 'tps');
    rec.ratio('HTTP alone: REST ÷ bare HTTP, answering ledger', PHASE.aloneRest, PHASE.aloneBare, tps, 'tps');
    rec.ratio('HTTP alone: express ÷ bare HTTP (express itself)', PHASE.aloneExpress, PHASE.aloneBare, tps, 'tps');
    rec.ratio('HTTP alone: REST ÷ express (our routes, tokens, schemas)', PHASE.aloneRest, PHASE.aloneExpress, tps, 'tps');
    checkAllValid(rec, [PHASE.direct, PHASE.rest, PHASE.directThreaded, PHASE.restSameThread, PHASE.bare]);
  } finally {
    await bare?.close();
    for (const gw of Object.values(gateways)) await gw?.close();
  }
}

/**
 * Our HTTP code alone: the gateway's app, the bare handler and the bare
 * handler inside express, over a ledger that answers at once with a
 * recorded transfer's result, so that nothing but HTTP is measured (the REST
 * rows of the gateway group include the ledger). The difference between
 * the last two is express itself; between the first and the last, our
 * routes, tokens, schemas and services.
 */
async function httpAlone(worker: GatewayUnderTest, recordedAnswer: unknown, cfg: BenchConfig, rec: Recorder, log: Log, threads: ThreadSampler): Promise<void> {
  const alone = cfg.httpAlone;
  const answering = answeringLedger(recordedAnswer);
  const supplier1 = worker.identity('supplier1');
  const servers = {
    rest: await worker.serveOn(answering),
    bare: await serveBare(answering, supplier1),
    express: await serveBare(answering, supplier1, { inExpress: true }),
  };
  const phases = [
    { server: servers.rest, phase: PHASE.aloneRest, on: 'HTTP keep-alive from a worker thread → createApp → a ledger answering at once' },
    { server: servers.bare, phase: PHASE.aloneBare, on: 'HTTP keep-alive from a worker thread → bare node:http handler → a ledger answering at once' },
    { server: servers.express, phase: PHASE.aloneExpress, on: 'HTTP keep-alive from a worker thread → express → the bare handler → a ledger answering at once' },
  ];
  try {
    const requests = Array.from({ length: alone.warmup + alone.count }, (_, i) => ({
      path: `/vouchers/${encodeURIComponent(`VCH-ALONE-${i}`)}/transfer`,
      body: { to: worker.memberId('supplier2'), amount: '10000' },
    }));
    for (let r = 0; r < cfg.repeats; r++) {
      for (const p of r % 2 === 0 ? phases : [...phases].reverse()) {
        let clientThread: number | undefined;
        const result = await runRestLoadInWorker({ baseUrl: p.server.baseUrl, token: worker.token('supplier1'), requests, ...alone }, (client) => {
          clientThread = client;
          threads.start();
        });
        const split = threads.stop(p.phase, alone.count, { 'gateway thread': process.pid, 'REST client thread': clientThread });
        logPhase(log, rec.phase('gateway', p.phase, r, p.on, { ...result, cpuMsPerTxByThread: split }));
      }
    }
  } finally {
    for (const server of Object.values(servers)) await server.close();
  }
  for (const { phase } of phases) {
    const rows = rec.series(phase);
    const answered = rows.reduce((n, row) => n + (row.outcomes.VALID ?? 0), 0);
    const asked = rows.reduce((n, row) => n + row.operations, 0);
    rec.check(`${phase}: every request answered 200`, answered === asked, `${answered} of ${asked} answered 200`);
  }
}

/** The connector retries conflicts itself: the committed outcomes come from the ledger's commit listener. */
export function withCommitted<T extends { outcomes: Record<string, number>; invalidRate: number }>(result: T, committed: Record<string, number>): T {
  const valid = committed.VALID ?? 0;
  const all = Object.values(committed).reduce((s, n) => s + n, 0);
  return { ...result, committed, invalidRate: all === 0 ? 0 : (all - valid) / all };
}

// ---------------------------------------------------------------------------
// Conflicts: 64 clients on 64 disjoint vouchers, then 64 on one voucher.
// ---------------------------------------------------------------------------

export async function conflictsGroup(target: Target, cfg: BenchConfig, rec: Recorder, log: Log): Promise<void> {
  const { clients, rounds } = cfg.conflicts;
  const ledger = await target.openLedger({ chaincode: 'scf', backend: 'memory', cutter: cfg.setupCutter });
  try {
    const cast = await setUpCast(ledger);
    const pieces = await timed(rec, `conflicts: ${(clients + 1) * cfg.repeats} pieces (memory)`, log, () =>
      mintPieces(engineMinter(ledger, cast), (clients + 1) * cfg.repeats, 10_000n, SETUP_CONCURRENCY),
    );
    await ledger.setBlockCutter(cfg.cutter);
    const get = async (id: string) => JSON.parse(await ledger.evaluate(cast.auditor, 'voucher:Get', [JSON.stringify({ id })])) as VoucherView;
    const pair = [
      { who: cast.supplier1, id: cast.ids.supplier1 },
      { who: cast.supplier2, id: cast.ids.supplier2 },
    ] as const;

    for (let r = 0; r < cfg.repeats; r++) {
      // Disjoint: client c passes its own piece back and forth between two suppliers, `rounds` times.
      const own = pieces.slice(r * clients, (r + 1) * clients);
      const disjoint = await runLoad({
        count: clients * rounds,
        warmup: 0,
        concurrency: clients,
        schedule: 'partitioned',
        op: async (i) => {
          const piece = own[i % clients] as Piece;
          const round = Math.floor(i / clients);
          const from = pair[round % 2] as (typeof pair)[number];
          const to = pair[(round + 1) % 2] as (typeof pair)[number];
          return (await ledger.submit(from.who, 'voucher:Transfer', [JSON.stringify({ id: piece.id, to: to.id, amount: piece.amount })])).code;
        },
      });
      logPhase(log, rec.phase('conflicts', PHASE.disjoint, r, ledger.description, disjoint));
      const finalHolder = (pair[rounds % 2] as (typeof pair)[number]).id;
      const after = await Promise.all(own.map((p) => get(p.id)));
      const wrong = after.filter((v) => v.tier !== rounds || v.holder !== finalHolder || v.status !== 'ACTIVE');
      rec.check(
        `${PHASE.disjoint} [${r}]: invalid rate 0 and every piece moved ${rounds} times`,
        disjoint.invalidRate === 0 && disjoint.outcomes.VALID === clients * rounds && wrong.length === 0,
        `invalid rate ${disjoint.invalidRate}, ${disjoint.outcomes.VALID ?? 0} of ${clients * rounds} VALID, ${wrong.length} pieces not at tier ${rounds} with the expected holder`,
      );

      // One voucher: `clients` partial transfers of the same piece race; exactly one may spend it.
      const target1 = pieces[clients * cfg.repeats + r] as Piece;
      const recipients = [cast.ids.supplier2, cast.ids.supplier3];
      const byIndex: OutcomeCode[] = [];
      const single = await runLoad({
        count: clients,
        warmup: 0,
        concurrency: clients,
        op: async (i) => {
          const out = await ledger.submit(cast.supplier1, 'voucher:Transfer', [JSON.stringify({ id: target1.id, to: recipients[i % 2], amount: '100' })]);
          byIndex[i] = out.code;
          return out.code;
        },
      });
      logPhase(log, rec.phase('conflicts', PHASE.single, r, ledger.description, single));
      const winners = byIndex.flatMap((code, i) => (code === 'VALID' ? [i] : []));
      const parent = await get(target1.id);
      const [c1, c2] = [await get(`${target1.id}.1`).catch(() => undefined), await get(`${target1.id}.2`).catch(() => undefined)];
      const winner = winners[0];
      const stateOk =
        parent.status === 'SPLIT' &&
        JSON.stringify(parent.childIds) === JSON.stringify([`${target1.id}.1`, `${target1.id}.2`]) &&
        c1?.amount === '100' &&
        c2?.amount === String(BigInt(target1.amount) - 100n) &&
        c2?.holder === cast.ids.supplier1 &&
        winner !== undefined &&
        c1?.holder === recipients[winner % 2];
      rec.check(
        `${PHASE.single} [${r}]: exactly one spend committed, and state shows exactly that spend`,
        winners.length === 1 && stateOk,
        `${winners.length} VALID of ${clients}; outcomes ${JSON.stringify(single.outcomes)}; parent ${parent.status} with children [${(parent.childIds ?? []).join(', ')}]; ` +
          `.1 ${c1?.amount ?? '-'} to ${c1?.holder ?? '-'}, .2 ${c2?.amount ?? '-'} to ${c2?.holder ?? '-'}`,
      );
    }
  } finally {
    await ledger.close();
  }
}

// ---------------------------------------------------------------------------
// Scale: provenance latency by voucher count in state and by tier depth (LevelDB).
// ---------------------------------------------------------------------------

export const provenancePhase = (tier: number, size: number): string => `provenance tier ${tier} @ ${size.toLocaleString('en-US')} vouchers`;

/** Every key in the world state (records and index entries), on the embedded engine. */
async function stateKeyCount(ledger: BenchLedger): Promise<number | undefined> {
  if (!(ledger instanceof EngineLedger)) return undefined;
  return (await ledger.world.backend.rangeScan('', '')).length;
}

async function countVouchers(ledger: BenchLedger): Promise<number | undefined> {
  if (!(ledger instanceof EngineLedger)) return undefined;
  const { startKey, endKey } = partialCompositeKeyRange(RecordType.VOUCHER, []);
  return (await ledger.world.backend.rangeScan(startKey, endKey)).length;
}

/**
 * One LevelDB ledger per state size, each with its own chain of partial
 * transfers (the tier-k piece has k ancestors) and populated to its size.
 * The reads then alternate between the ledgers, repeat by repeat, so that
 * drift over the run (other work on the machine, the heap) falls on every
 * size alike and the ratios pair like with like.
 */
export async function scaleGroup(target: Target, cfg: BenchConfig, rec: Recorder, log: Log): Promise<void> {
  const { sizes, tiers, reads, warmup } = cfg.scale;
  const maxTier = Math.max(...tiers);
  const worlds: { size: number; ledger: BenchLedger; cast: Cast; chain: string[]; records: number }[] = [];
  try {
    for (const size of sizes) {
      const ledger = await target.openLedger({ chaincode: 'scf', backend: 'level', cutter: cfg.setupCutter });
      const cast = await setUpCast(ledger);
      worlds.push({ size, ledger, cast, chain: [], records: 0 });
      const world = worlds[worlds.length - 1] as (typeof worlds)[number];
      const minter = engineMinter(ledger, cast);
      const submit = submitJsonOn(ledger);
      world.chain = await timed(rec, `scale: a chain of ${maxTier} partial transfers (${size.toLocaleString('en-US')} ledger)`, log, async () => {
        const ids = [await issueRoot(minter, 1n << 20n)];
        let amount = 1n << 20n;
        const holders = [
          { who: cast.supplier1, id: cast.ids.supplier1 },
          { who: cast.supplier2, id: cast.ids.supplier2 },
        ];
        for (let k = 1; k <= maxTier; k++) {
          const from = holders[(k - 1) % 2] as (typeof holders)[number];
          const to = holders[k % 2] as (typeof holders)[number];
          amount /= 2n;
          await submit(from.who, 'voucher:Transfer', { id: ids[k - 1], to: to.id, amount: String(amount) });
          ids.push(`${ids[k - 1] as string}.1`);
        }
        return ids;
      });
      world.records = 1 + 2 * maxTier;
      const plan = planForRecords(world.records, size, 10_000n, SETUP_CONCURRENCY);
      if (plan) {
        const minted = await timed(rec, `scale: state grown to ${size.toLocaleString('en-US')} vouchers (LevelDB)`, log, () => mintTree(minter, plan));
        world.records += minted.records;
      }
      const counted = await countVouchers(ledger);
      rec.setup[`vouchers in state, ${size.toLocaleString('en-US')} ledger`] = counted ?? world.records;
      if (counted !== undefined && counted !== world.records) throw new Error(`expected ${world.records} voucher records in state, found ${counted}`);
    }

    for (let r = 0; r < cfg.repeats; r++) {
      for (const tier of tiers) {
        // Alternate which size goes first.
        const order = r % 2 === 0 ? worlds : [...worlds].reverse();
        for (const world of order) {
          const command = [JSON.stringify({ id: world.chain[tier] as string })];
          const result = await runLoad({
            count: reads,
            warmup,
            concurrency: 1,
            op: async () => {
              const out = JSON.parse(await world.ledger.evaluate(world.cast.auditor, 'voucher:Provenance', command)) as { lineage?: unknown[] };
              if (!Array.isArray(out.lineage) || out.lineage.length !== tier + 1) {
                throw new Error(`provenance of a tier-${tier} piece has ${String(out.lineage?.length)} steps`);
              }
              return 'OK';
            },
          });
          logPhase(log, rec.phase('scale', provenancePhase(tier, world.size), r, `${world.ledger.description}, ${world.records} vouchers`, result));
        }
      }
    }

    const smallest = sizes[0];
    const largest = sizes[sizes.length - 1];
    if (smallest !== undefined && largest !== undefined && smallest !== largest) {
      rec.ratio(
        `scale: provenance p50 at tier ${maxTier}, ${largest.toLocaleString('en-US')} ÷ ${smallest.toLocaleString('en-US')} vouchers`,
        provenancePhase(maxTier, largest),
        provenancePhase(maxTier, smallest),
        p50,
        'p50',
        'flat (≈ 1): reads are by key, never by scanning',
      );
    }
    const shallowest = Math.min(...tiers);
    if (largest !== undefined) {
      for (const tier of tiers) {
        if (tier === shallowest) continue;
        rec.ratio(
          `depth: provenance p50, tier ${tier} ÷ tier ${shallowest} (${largest.toLocaleString('en-US')} vouchers)`,
          provenancePhase(tier, largest),
          provenancePhase(shallowest, largest),
          p50,
          'p50',
          'grows with the lineage: one read per ancestor',
        );
      }
    }
  } finally {
    for (const w of worlds) await w.ledger.close();
  }
}
