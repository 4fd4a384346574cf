import '../../../gateway/src/chaincode-logs';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoMember } from '../../../gateway/src/demo/plan';
import { loadFabricProfile } from '../../../gateway/src/ledger/fabric/profile';
import { findFabric } from '../../../network/src/fabric-bin';
import { runningPid } from '../../../network/src/processes';
import { nodeDir } from '../../../network/src/layout';
import {
  baselineChaincode,
  buildChaincode,
  chaincodeServerDir,
  deployChaincode,
  profilePath,
  REPO_ROOT,
  resolveLayout,
  scfChaincode,
  status,
  waitUntilEndorsable,
} from '../../../network/src/network';
import { equalParts, mintPieces, type Minter, parallel, type Piece } from '../fixtures';
import { type LoadResult, runLoad } from '../load';
import { median } from '../stats';
import { describeMachine, loadAverage, type Machine, machineLine } from '../report';
import { postJson } from '../http-client';
import { heaviest, snapshot, used, type Watched } from './cpu';
import { lineCheck, lineEnv, rawApprovals, restApprovals, runTagNow, setUpFabricLines } from './credit-lines';
import { RawClient, setupSubmit } from './raw-client';

/**
 * `npm run bench:fabric` — on the running network (`npm run network:up`;
 * SCF_NETWORK_DIR names another run folder): deploys the trivial contract
 * beside `scf`, starts the REST gateway as its own process on the network's
 * profile, and drives, in one run:
 *
 *   - a concurrency sweep of full transfers: the trivial contract and `scf`
 *     through the raw fabric-gateway client, and `scf` through REST; at each
 *     level the three paths run back to back, `--repeats` times, each time
 *     in another order, and the ratios are paired within a repeat and
 *     reported as the median over the repeats with their range;
 *   - split in two and financing request through the raw client;
 *   - contention: many clients spending one voucher at once, raw and REST;
 *   - contention on one credit line: a bank's approvals on one line to one
 *     obligor, against the same approvals on one line per client, raw (no
 *     retry) and REST (which re-endorses a conflict).
 *
 * Prints ratios, latencies and a CPU-seconds table per process, writes the
 * JSON under .bench/, and exits 1 when a check fails (a disjoint phase not
 * all VALID, a contended spend committed other than exactly once, a credit
 * line's `used` other than its committed advances), 2 when it cannot run (no
 * network, bad arguments).
 *
 *   --quick              a smoke run (sweep 1,8,32; small counts)
 *   --sweep 1,2,4,...    the concurrency levels (default 1,2,4,8,16,32,64,128)
 *   --per-client n       operations per client at each level (default 16; at least 40 per level; --quick 3)
 *   --repeats n          times each level's three paths run (default 3; --quick 1)
 *   --lines n            clients approving at once, and lines in the control (default 8; --quick 4)
 *   --out file           JSON report path
 */

const USAGE = 'usage: bench:fabric [--quick] [--sweep 1,2,4,...] [--per-client n] [--repeats n] [--lines n] [--out file]';
const SCF = 'scf';
const BASELINE = 'baseline';

class UsageError extends Error {}

function parseCli(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      sweep: { type: 'string' },
      'per-client': { type: 'string' },
      repeats: { type: 'string' },
      lines: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const sweep = (values.sweep ?? (values.quick ? '1,8,32' : '1,2,4,8,16,32,64,128')).split(',').map((s) => Number(s.trim()));
  if (sweep.some((c) => !Number.isInteger(c) || c < 1 || c > 256)) throw new UsageError(`--sweep takes whole numbers from 1 to 256, got ${values.sweep}`);
  // 16 per client: a window of 3 s or more from 16 in flight up; with 6 the
  // windows were 1-3 s and a level's paired ratios moved by ±0.2 between repeats.
  const perClient = Number(values['per-client'] ?? (values.quick ? 3 : 16));
  if (!Number.isInteger(perClient) || perClient < 1 || perClient > 100) throw new UsageError(`--per-client must be a whole number from 1 to 100, got ${values['per-client']}`);
  const repeats = Number(values.repeats ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 9) throw new UsageError(`--repeats must be a whole number from 1 to 9, got ${values.repeats}`);
  // Up to 32: the two sets of obligors of a run take 50 member numbers each (credit-lines.ts).
  const lines = Number(values.lines ?? (values.quick ? 4 : 8));
  if (!Number.isInteger(lines) || lines < 2 || lines > 32) throw new UsageError(`--lines must be a whole number from 2 to 32, got ${values.lines}`);
  // Approvals per phase: whole rounds of the clients, one line per client in the control.
  const approvalsPerPhase = lines * (values.quick ? 4 : 6);
  return { quick: values.quick, sweep, perClient, repeats, lines, approvalsPerPhase, minPerLevel: values.quick ? 20 : 40, out: values.out };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Operations measured at one concurrency level (warm-up: one per client, unmeasured). */
const countAt = (c: number, perClient: number, min: number) => Math.max(min, c * perClient);

interface Phase {
  name: string;
  path: 'raw' | 'REST';
  concurrency: number;
  /** Which run of its level (0 for the phases outside the sweep). */
  repeat: number;
  result: LoadResult;
  cpuSeconds: Record<string, number>;
}

interface RestGateway {
  child: ChildProcess;
  base: string;
  stop(): Promise<void>;
}

/** The REST gateway as an operator runs it (`npm run start:fabric`), as its own process, so its CPU is its own. */
async function startRestGateway(profile: string): Promise<RestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'scf-bench-gw-'));
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'gateway', 'src', 'main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, SCF_LEDGER: 'fabric', SCF_FABRIC_PROFILE: profile, SCF_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SCF_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`REST gateway did not listen within 60 s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => void (out += c.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`REST gateway exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    base,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitForDemoMembers(base: string, token: string): Promise<void> {
  const end = Date.now() + 120_000;
  const id = demoMember('bank').id;
  for (;;) {
    const res = await fetch(`${base}/members/${id}`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > end) throw new Error(`the demo members were not set up within 120 s (GET /members/${id}: ${res?.status ?? 'no answer'})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** PUT /logspec on every node's operations endpoint: peers log at WARNING while measuring. */
async function setLogSpec(ports: number[], spec: string): Promise<void> {
  await Promise.all(
    ports.map(async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/logspec`, { method: 'PUT', body: JSON.stringify({ spec }) });
      if (res.status !== 204 && res.status !== 200) throw new Error(`PUT /logspec on 127.0.0.1:${port}: ${res.status} ${await res.text()}`);
    }),
  );
}

/**
 * The machine as the embedded benchmarks record it (report.ts: CPU, cores,
 * memory, Node, its flags and libuv's pool size, commit) and the load
 * average at the start. Those settings are the load client's own: the
 * peers, chaincode servers and REST gateway run as processes of their own.
 */
function machine(): Machine & { loadAverage: number[] } {
  return { ...describeMachine(), loadAverage: loadAverage() };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench:fabric: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const layout = resolveLayout({});
  const down = status({ runDir: layout.runDir }).nodes.filter((n) => n.pid === undefined);
  if (down.length > 0) {
    process.stderr.write(
      `bench:fabric: the network in ${layout.runDir} is not running (${down.map((n) => n.name).join(', ')} down).\n` +
        'Bring it up first: npm run network:up (SCF_NETWORK_DIR names another run folder).\n',
    );
    return 2;
  }
  const bin = findFabric();
  log(`bench:fabric: Fabric ${bin.version}, profile ${layout.profile}, peer batching ${layout.peerBatching ? 'on' : 'off'}, run folder ${layout.runDir}`);
  const host = machine();
  log(`machine: ${machineLine(host)}, load average ${host.loadAverage.join(' ')}`);
  buildChaincode();
  const baseline = baselineChaincode(layout);
  await deployChaincode(layout, bin, baseline, { log: (s) => log(`  ${s}`) });
  await waitUntilEndorsable(layout, BASELINE);

  const opsPorts = [...layout.peers.map((p) => p.operationsPort), ...layout.orderers.map((o) => o.operationsPort)];
  await setLogSpec(opsPorts, 'warning');
  const profileFile = profilePath(layout);
  const profile = loadFabricProfile(profileFile);
  const tokens = new Map(profile.identities.map((i) => [i.label, i.token]));
  const gw = await startRestGateway(profileFile);
  const raw = new RawClient(profile);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const phases: Phase[] = [];
  const checks: Array<{ name: string; passed: boolean; detail: string }> = [];
  try {
    await waitForDemoMembers(gw.base, tokens.get('operator-admin') as string);
    const pid = (dir: string) => runningPid(dir);
    const watched: Watched[] = [
      ...layout.orderers.map((o) => ({ name: o.name, pid: pid(nodeDir(layout, o.name)) })),
      ...layout.peers.map((p) => ({ name: p.name, pid: pid(nodeDir(layout, p.name)) })),
      { name: 'chaincode scf', pid: pid(chaincodeServerDir(layout, scfChaincode(layout))) },
      { name: 'chaincode baseline', pid: pid(chaincodeServerDir(layout, baseline)) },
      { name: 'REST gateway', pid: gw.child.pid },
      { name: 'load client', pid: process.pid },
    ].filter((w): w is Watched => w.pid !== undefined);

    const supplier2 = demoMember('supplier2').id;
    const bank = demoMember('bank').id;
    const submitJson = setupSubmit(raw, SCF);
    const minter: Minter<string> = { submit: submitJson, supplier: 'supplier1', supplierId: demoMember('supplier1').id, core: 'core-maker', coreId: demoMember('core').id };

    // Pieces for every phase that consumes one, minted up front (splitting roots 20 ways, twice).
    const levels = cli.sweep.map((c) => ({ c, n: countAt(c, cli.perClient, cli.minPerLevel) }));
    const sweepPieces = levels.reduce((s, l) => s + l.n + l.c, 0);
    const fixed = Math.max(...cli.sweep.filter((c) => c <= 32), 1);
    const fixedN = countAt(fixed, cli.perClient, cli.minPerLevel) + fixed;
    const contendedRounds = cli.quick ? 2 : 5;
    const wanted = 2 * cli.repeats * sweepPieces + 2 * fixedN + 2 * contendedRounds;
    let t0 = Date.now();
    const pieces = await mintPieces(minter, wanted, 10_000n, 32);
    log(`  minted ${pieces.length} voucher pieces in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    let next = 0;
    const take = (n: number): Piece[] => {
      const out = pieces.slice(next, next + n);
      if (out.length < n) throw new Error(`ran out of pieces: mint more (${pieces.length})`);
      next += n;
      return out;
    };
    t0 = Date.now();
    const keys = cli.repeats * sweepPieces;
    await parallel(Array.from({ length: keys }), 32, async (_, i) => {
      const out = await raw.submit('supplier1', BASELINE, 'baseline:Put', [`asset-${i}`, JSON.stringify({ owner: 'supplier1', amount: '10000' })]);
      if (out.code !== 'VALID') throw new Error(`baseline Put ended ${out.code}`);
    });
    log(`  put ${keys} keys of the trivial contract in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    /** Runs one phase (`run` calls beforeMeasure between its warm-up and what it measures) and records it with each process's CPU. */
    const record = async (name: string, path: 'raw' | 'REST', concurrency: number, repeat: number, run: (beforeMeasure: () => void) => Promise<LoadResult>) => {
      let before = snapshot(watched);
      const result = await run(() => void (before = snapshot(watched)));
      const cpuSeconds = used(before, snapshot(watched));
      const phase = { name, path, concurrency, repeat, result, cpuSeconds };
      phases.push(phase);
      const outcomes = Object.entries(result.outcomes).map(([k, v]) => `${k}=${v}`).join(' ');
      const top = heaviest(cpuSeconds);
      log(
        `  ${name} [${path}] ×${concurrency}${cli.repeats > 1 ? ` (${repeat + 1}/${cli.repeats})` : ''}: ${fmt(result.tps, 1)} tx/s, p50 ${fmt(result.latencyMs.p50)} ms, p95 ${fmt(result.latencyMs.p95)} ms, p99 ${fmt(result.latencyMs.p99)} ms; ${outcomes}` +
          (top ? `; busiest ${top.name} (${fmt(top.share * 100)}% of CPU)` : ''),
      );
      return phase;
    };
    const measure = (name: string, path: 'raw' | 'REST', concurrency: number, count: number, op: (i: number) => Promise<string>, repeat = 0) =>
      record(name, path, concurrency, repeat, (beforeMeasure) => runLoad({ count, warmup: concurrency, concurrency, op, beforeMeasure }));
    const allValid = (p: Phase, success: string) => {
      const ok = p.result.outcomes[success] ?? 0;
      checks.push({ name: `${p.name} [${p.path}] ×${p.concurrency}: every operation succeeded`, passed: ok === p.result.operations, detail: `${ok} of ${p.result.operations} ${success}` });
    };

    // The sweep: at each level the three paths back to back, so their ratios
    // pair up; `repeats` times, rotating the order so that no path always
    // runs first (on a warmer or a cooler machine) or last.
    let keyNext = 0;
    const token = tokens.get('supplier1') as string;
    for (const { c, n } of levels) {
      for (let r = 0; r < cli.repeats; r++) {
        const keyBase = keyNext;
        keyNext += n + c;
        const rawPieces = take(n + c);
        const restPieces = take(n + c);
        const paths = [
          () =>
            measure(
              'trivial transfer',
              'raw',
              c,
              n,
              async (i) => (await raw.submit('supplier1', BASELINE, 'baseline:Transfer', [JSON.stringify({ id: `asset-${keyBase + i}`, to: supplier2, amount: '10000' })])).code,
              r,
            ).then((p) => allValid(p, 'VALID')),
          () =>
            measure(
              'full transfer',
              'raw',
              c,
              n,
              async (i) => {
                const p = rawPieces[i] as Piece;
                return (await raw.submit('supplier1', SCF, 'voucher:Transfer', [JSON.stringify({ id: p.id, to: supplier2, amount: p.amount })])).code;
              },
              r,
            ).then((p) => allValid(p, 'VALID')),
          () =>
            measure(
              'full transfer',
              'REST',
              c,
              n,
              async (i) => {
                const p = restPieces[i] as Piece;
                const statusCode = await postJson(agent, `${gw.base}/vouchers/${encodeURIComponent(p.id)}/transfer`, token, { to: supplier2, amount: p.amount });
                return statusCode === 200 ? 'OK' : `HTTP_${statusCode}`;
              },
              r,
            ).then((p) => allValid(p, 'OK')),
        ];
        for (let k = 0; k < paths.length; k++) await (paths[(k + r) % paths.length] as () => Promise<void>)();
      }
    }

    // Split in two and financing request, at the largest sweep level up to 32.
    const fixedCount = fixedN - fixed;
    const splitPieces = take(fixedN);
    allValid(
      await measure('split in 2', 'raw', fixed, fixedCount, async (i) => {
        const p = splitPieces[i] as Piece;
        return (await raw.submit('supplier1', SCF, 'voucher:Split', [JSON.stringify({ id: p.id, amounts: equalParts(BigInt(p.amount), 2) })])).code;
      }),
      'VALID',
    );
    const financePieces = take(fixedN);
    allValid(
      await measure('financing request', 'raw', fixed, fixedCount, async (i) => {
        const p = financePieces[i] as Piece;
        const requested = String((BigInt(p.amount) * 9n) / 10n);
        return (await raw.submit('supplier1', SCF, 'financing:Request', [JSON.stringify({ asset: { type: 'VOUCHER', id: p.id }, bank, requestedAmount: requested })])).code;
      }),
      'VALID',
    );

    // Contention: 32 clients spend one voucher at once; exactly one may commit.
    const contenders = 32;
    for (const p of take(contendedRounds)) {
      const outcomes = await Promise.all(
        Array.from({ length: contenders }, async () => (await raw.submit('supplier1', SCF, 'voucher:Transfer', [JSON.stringify({ id: p.id, to: supplier2, amount: p.amount })])).code),
      );
      const counts = tally(outcomes);
      checks.push({ name: `contended spend [raw] of ${p.id}: exactly one VALID`, passed: counts.VALID === 1, detail: describe(counts) });
    }
    for (const p of take(contendedRounds)) {
      const token = tokens.get('supplier1') as string;
      const outcomes = await Promise.all(
        Array.from({ length: contenders }, async () =>
          String(await postJson(agent, `${gw.base}/vouchers/${encodeURIComponent(p.id)}/transfer`, token, { to: supplier2, amount: p.amount })),
        ),
      );
      const counts = tally(outcomes);
      // The losers get 409 (the piece is no longer ACTIVE) or, once the winner has
      // committed, 404: the former holder no longer sees the piece it gave away.
      const refused = (counts['409'] ?? 0) + (counts['404'] ?? 0);
      checks.push({ name: `contended spend [REST] of ${p.id}: exactly one 200, the rest 409 or 404`, passed: counts['200'] === 1 && refused === contenders - 1, detail: describe(counts) });
    }

    // One busy credit line against one line per client, raw and REST: a set of lines for each path.
    const lineSetup = { layout, raw, bankId: bank, runTag: runTagNow() };
    const env = await lineEnv(lineSetup);
    const lineSize = { count: cli.approvalsPerPhase, warmup: cli.lines, concurrency: cli.lines };
    t0 = Date.now();
    const setUp = (set: number) => setUpFabricLines(env, lineSetup, cli.lines, lineSize.warmup + lineSize.count, set);
    const [rawLines, restLines] = await Promise.all([setUp(0), setUp(1)]);
    log(`  set up 2 × (1 + ${cli.lines}) credit lines, each obligor with an identity of its own, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const bankToken = tokens.get('bank-maker') as string;
    const post = (path: string, body: object) => postJson(agent, `${gw.base}${path}`, bankToken, body);
    for (const [path, sets] of [['raw', rawLines], ['REST', restLines]] as const) {
      for (const lines of [sets.one, sets.many]) {
        const name = lines.length === 1 ? 'approvals on 1 credit line' : `approvals on ${lines.length} credit lines`;
        const phase = await record(name, path, cli.lines, 0, (beforeMeasure) =>
          path === 'raw' ? rawApprovals(raw, lines, lineSize, beforeMeasure) : restApprovals(post, lines, lineSize, beforeMeasure),
        );
        const check = await lineCheck(env, lines, path, phase.result);
        const what =
          path === 'raw'
            ? lines.length === 1
              ? 'every approval committed VALID or lost an MVCC conflict'
              : 'every approval committed VALID'
            : 'every approval answered 200';
        checks.push({ name: `${name} [${path}]: ${what}; used is exactly the committed advances, within the limit`, ...check });
      }
    }
  } finally {
    agent.destroy();
    raw.close();
    await gw.stop();
    await setLogSpec(opsPorts, 'info').catch((err: Error) => log(`  could not restore the log level: ${err.message}`));
  }

  const report = summarise(phases, cli.sweep);
  printReport(report, phases, checks);
  const out = cli.out ?? join(REPO_ROOT, '.bench', `bench-fabric-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify({ machine: host, network: { profile: layout.profile, fabric: bin.version, peerBatching: layout.peerBatching }, load: cli, phases, ratios: report.ratios, knee: report.knee, creditLines: report.creditLines, checks }, null, 2));
  log(`\nJSON: ${out}`);
  const failed = checks.filter((c) => !c.passed);
  if (failed.length > 0) {
    log(`\n${failed.length} check(s) FAILED`);
    return 1;
  }
  log(`\nall ${checks.length} checks passed`);
  return 0;
}

function tally(codes: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}

const describe = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ');

interface LevelRatios {
  concurrency: number;
  /** Medians over the repeats of the ratios paired within each repeat. */
  scfOverTrivial: number;
  restOverRaw: number;
  /** Lowest and highest of those paired ratios. */
  scfOverTrivialRange: [number, number];
  restOverRawRange: [number, number];
  repeats: number;
}

interface Summary {
  ratios: LevelRatios[];
  knee: Record<string, { concurrency: number; tps: number }>;
  /** Approvals committed per second on one busy line ÷ the same on one line per client, per path; and the p50s' ratio. */
  creditLines: Array<{ path: string; lines: number; approvedRatio: number; p50Ratio: number }>;
}

/** Operations that succeeded (committed VALID, or answered 200 through REST) per second of the measured window. */
export const approvedPerSecond = (r: LoadResult): number => (r.operations === 0 ? 0 : (r.tps * (r.outcomes.VALID ?? 0)) / r.operations);

/**
 * Ratios per sweep level, paired within each repeat and summarised by their
 * median and range; and each path's knee: the lowest concurrency whose median
 * throughput is within 5% of the best level's (beyond it, more clients only
 * add latency).
 */
export function summarise(phases: readonly Phase[], sweep: readonly number[]): Summary {
  const runs = (name: string, path: string, c: number) => phases.filter((p) => p.name === name && p.path === path && p.concurrency === c);
  const tpsOf = (name: string, path: string, c: number, repeat: number) => runs(name, path, c).find((p) => p.repeat === repeat)?.result.tps;
  const ratios = sweep.flatMap((c): LevelRatios[] => {
    const repeats = [...new Set(runs('full transfer', 'raw', c).map((p) => p.repeat))].sort((a, b) => a - b);
    const pairs = repeats.flatMap((r) => {
      const trivial = tpsOf('trivial transfer', 'raw', c, r);
      const scf = tpsOf('full transfer', 'raw', c, r);
      const rest = tpsOf('full transfer', 'REST', c, r);
      return trivial && scf && rest ? [{ scfOverTrivial: scf / trivial, restOverRaw: rest / scf }] : [];
    });
    if (pairs.length === 0) return [];
    const a = pairs.map((p) => p.scfOverTrivial);
    const b = pairs.map((p) => p.restOverRaw);
    return [
      {
        concurrency: c,
        scfOverTrivial: median(a),
        restOverRaw: median(b),
        scfOverTrivialRange: [Math.min(...a), Math.max(...a)],
        restOverRawRange: [Math.min(...b), Math.max(...b)],
        repeats: pairs.length,
      },
    ];
  });
  const knee: Summary['knee'] = {};
  for (const [name, path] of [['trivial transfer', 'raw'], ['full transfer', 'raw'], ['full transfer', 'REST']] as const) {
    const series = sweep.map((c) => {
      const all = runs(name, path, c).map((p) => p.result.tps);
      return { concurrency: c, tps: all.length === 0 ? 0 : median(all) };
    });
    const best = Math.max(...series.map((s) => s.tps));
    const first = series.find((s) => s.tps >= 0.95 * best);
    if (first) knee[`${name} [${path}]`] = first;
  }
  const creditLines = (['raw', 'REST'] as const).flatMap((path) => {
    const one = phases.find((p) => p.path === path && p.name === 'approvals on 1 credit line');
    const many = phases.find((p) => p.path === path && /^approvals on \d+ credit lines$/.test(p.name));
    if (!one || !many || approvedPerSecond(many.result) === 0 || many.result.latencyMs.p50 === 0) return [];
    const lines = Number(/\d+/.exec(many.name)?.[0]);
    return [{ path, lines, approvedRatio: approvedPerSecond(one.result) / approvedPerSecond(many.result), p50Ratio: one.result.latencyMs.p50 / many.result.latencyMs.p50 }];
  });
  return { ratios, knee, creditLines };
}

function printReport(report: Summary, phases: readonly Phase[], checks: ReadonlyArray<{ name: string; passed: boolean; detail: string }>): void {
  log('\n== ratios (same run, same concurrency; paired within each repeat: median, and range over the repeats)');
  log('| in flight | repeats | scf full transfer ÷ trivial transfer (raw) | range | REST ÷ raw (scf full transfer) | range |');
  log('|---:|---:|---:|---:|---:|---:|');
  const range = ([lo, hi]: [number, number]) => `${fmt(lo, 2)}–${fmt(hi, 2)}`;
  for (const r of report.ratios) {
    log(`| ${r.concurrency} | ${r.repeats} | ${fmt(r.scfOverTrivial, 2)} | ${range(r.scfOverTrivialRange)} | ${fmt(r.restOverRaw, 2)} | ${range(r.restOverRawRange)} |`);
  }
  log('\n== knee (lowest concurrency whose median throughput is within 5% of the best)');
  for (const [k, v] of Object.entries(report.knee)) log(`  ${k}: ${v.concurrency} in flight, ${fmt(v.tps, 1)} tx/s`);
  log('\n== phases');
  log('| phase | path | in flight | repeat | tx/s | p50 ms | p95 ms | p99 ms | MVCC-invalid |');
  log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of phases) {
    const l = p.result.latencyMs;
    log(`| ${p.name} | ${p.path} | ${p.concurrency} | ${p.repeat + 1} | ${fmt(p.result.tps, 1)} | ${fmt(l.p50)} | ${fmt(l.p95)} | ${fmt(l.p99)} | ${fmt(p.result.invalidRate * 100, 1)}% |`);
  }
  const names = [...new Set(phases.flatMap((p) => Object.keys(p.cpuSeconds)))];
  log('\n== CPU seconds per process, per phase (the busiest in bold)');
  log(`| phase | path | in flight | repeat | ${names.join(' | ')} |`);
  log(`|---|---|---:|---:|${names.map(() => '---:').join('|')}|`);
  for (const p of phases) {
    const top = heaviest(p.cpuSeconds)?.name;
    log(`| ${p.name} | ${p.path} | ${p.concurrency} | ${p.repeat + 1} | ${names.map((n) => (n === top ? `**${fmt(p.cpuSeconds[n] ?? 0, 1)}**` : fmt(p.cpuSeconds[n] ?? 0, 1))).join(' | ')} |`);
  }
  const lineRows = phases.filter((p) => p.name.startsWith('approvals on'));
  if (lineRows.length > 0) {
    log('\n== one busy credit line (approvals by the bank\'s maker; the control: one line per client)');
    log('| phase | path | in flight | attempts/s | approved/s | p50 ms | p95 ms | p99 ms | MVCC-invalid |');
    log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of lineRows) {
      const l = p.result.latencyMs;
      log(
        `| ${p.name} | ${p.path} | ${p.concurrency} | ${fmt(p.result.tps, 1)} | ${fmt(approvedPerSecond(p.result), 1)} | ${fmt(l.p50)} | ${fmt(l.p95)} | ${fmt(l.p99)} | ${fmt(p.result.invalidRate * 100, 1)}% |`,
      );
    }
    for (const r of report.creditLines) log(`  one busy line ÷ ${r.lines} lines [${r.path}]: ${fmt(r.approvedRatio, 2)} of the approvals/s, ${fmt(r.p50Ratio, 2)}× the p50`);
  }
  log('\n== checks');
  for (const c of checks) log(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench:fabric: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    },
  );
}
