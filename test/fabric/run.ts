import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { FabricNotFound, findFabric } from '../../network/src/fabric-bin';
import type { Layout } from '../../network/src/layout';
import { buildChaincode, down, profilePath, REPO_ROOT, up } from '../../network/src/network';

/*
 * The real-network suites (`npm run test:fabric`): bring a network up in a
 * run folder of its own (.scf/network-test, ports from 27050, so a network a
 * user runs on the default ports is untouched), run
 *   1. test/fabric/*.fabric.test.ts  (scenarios and operations on real peers)
 *   2. the whole HTTP suite (test/http) through the REST gateway on it,
 * then take it down and remove the folder, also when tests fail; then the
 * scenarios once more on three Raft orderers and on four SmartBFT orderers.
 *
 * Without Fabric binaries: exits 1 naming where it looked; with
 * `--if-present` (what `npm test` runs) it prints one loud NOT RUN line and
 * exits 0 instead.
 */

const MOCHA = [
  join(REPO_ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'),
  '--no-config',
  '-r',
  'ts-node/register/transpile-only',
  '-r',
  'test/setup.ts',
  '--extension',
  'ts',
  '--timeout',
  '60000',
];

// HTTP test files that do not run against a Fabric connector: the durability
// test kills and restarts an embedded gateway; the emulator's own tests start
// their emulator.
const HTTP_IGNORED = ['test/http/durability.test.ts', 'test/http/fabric-emulator.test.ts', 'test/http/fabric-connector.emulated.test.ts'];

function say(line: string): void {
  process.stdout.write(`\n== test:fabric: ${line}\n`);
}

// Asynchronous, so this process keeps reaping the network's processes it
// started (a chaincode server a test kills must not linger as a zombie).
function mocha(title: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ title: string; ok: boolean; seconds: number }> {
  say(title);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...MOCHA, ...args], { cwd: REPO_ROOT, env, stdio: 'inherit' });
    child.once('exit', (code) => resolve({ title, ok: code === 0, seconds: (Date.now() - started) / 1000 }));
  });
}

function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

async function openPorts(l: Layout): Promise<number[]> {
  const ports = [
    ...l.orderers.flatMap((o) => [o.port, o.adminPort, o.operationsPort]),
    ...l.peers.flatMap((p) => [p.port, p.chaincodePort, p.operationsPort]),
    l.chaincodePort,
  ];
  const open: number[] = [];
  for (const p of ports) if (!(await portClosed(p))) open.push(p);
  return open;
}

async function main(): Promise<number> {
  const ifPresent = process.argv.includes('--if-present');
  try {
    findFabric();
  } catch (err) {
    if (!(err instanceof FabricNotFound)) throw err;
    const line = `REAL FABRIC NETWORK SUITES NOT RUN: ${err.message.split('\n')[0]}`;
    process.stdout.write(`\n${'#'.repeat(100)}\n# ${line}\n${err.message.split('\n').slice(1).map((l) => `# ${l}`).join('\n')}\n${'#'.repeat(100)}\n\n`);
    return ifPresent ? 0 : 1;
  }

  const runDir = process.env.SCF_TEST_NETWORK_DIR ?? join(REPO_ROOT, '.scf', 'network-test');
  const base = Number(process.env.SCF_TEST_NETWORK_PORT_BASE ?? 27050);
  say('building the chaincode server (tsc -b tsconfig.build.json)');
  buildChaincode();

  await down({ runDir, purge: true }); // what a killed earlier run left behind
  const results: Array<{ title: string; ok: boolean; seconds: number }> = [];
  let layout: Layout | undefined;
  try {
    const r = await up({ runDir, base, profile: 'raft1', log: (l) => process.stdout.write(`network: ${l}\n`) });
    layout = r.layout;
    say(`network up from nothing to endorsable in ${r.seconds.toFixed(1)} s (raft1, ports from ${base}, ${runDir})`);
    const env = { ...process.env, SCF_NETWORK_DIR: runDir, SCF_FABRIC_PROFILE: profilePath(r.layout), SCF_TEST_LEDGER: 'fabric' };
    results.push(await mocha('scenarios and operations on real peers (test/fabric)', ['test/fabric/**/*.fabric.test.ts'], env));
    results.push(await mocha('the HTTP suite through the REST gateway on real peers (test/http)', [...HTTP_IGNORED.flatMap((f) => ['--ignore', f]), 'test/http/**/*.test.ts'], env));
  } finally {
    const stopped = await down({ runDir, purge: true });
    const open = layout ? await openPorts(layout) : [];
    say(`network down: stopped ${stopped.length} processes; ${open.length === 0 ? 'no port left listening' : `STILL LISTENING: ${open.join(', ')}`}`);
    if (open.length > 0) results.push({ title: 'teardown', ok: false, seconds: 0 });
  }
  // The other orderer profiles: the scenarios again on three Raft and on four SmartBFT orderers.
  for (const profile of ['raft3', 'bft4'] as const) {
    const dir = `${runDir}-${profile}`;
    await down({ runDir: dir, purge: true });
    try {
      const r = await up({ runDir: dir, base, profile, log: (l) => process.stdout.write(`network: ${l}\n`) });
      say(`${profile}: endorsable in ${r.seconds.toFixed(1)} s`);
      const env = { ...process.env, SCF_NETWORK_DIR: dir, SCF_FABRIC_PROFILE: profilePath(r.layout), SCF_TEST_LEDGER: 'fabric' };
      results.push(await mocha(`the scenarios on ${profile} (test/fabric/scenarios.fabric.test.ts)`, ['test/fabric/scenarios.fabric.test.ts'], env));
    } finally {
      await down({ runDir: dir, purge: true });
    }
  }
  for (const r of results) process.stdout.write(`   ${r.ok ? 'passed' : 'FAILED'}  ${r.title} (${r.seconds.toFixed(0)} s)\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test:fabric: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
