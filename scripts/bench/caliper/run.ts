import '../../../gateway/src/chaincode-logs';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setUpDemoWhenReady } from '../../../gateway/src/demo/setup';
import { FabricLedger } from '../../../gateway/src/ledger/fabric/fabric-ledger';
import { loadFabricProfile } from '../../../gateway/src/ledger/fabric/profile';
import { demoEnrolments, type Layout, peerTlsCa } from '../../../network/src/layout';
import { profilePath, REPO_ROOT, resolveLayout, status } from '../../../network/src/network';

/**
 * `npm run bench:caliper`: Hyperledger Caliper's own CLI and Fabric
 * connector against the running network, with our workload module
 * (scripts/bench/caliper/workload.js) and benchmark (benchmark.yaml).
 *
 * Caliper is not a dependency of the project (it pulls in hundreds of
 * packages and its own Fabric binding): it is installed once from npm into
 * ~/.cache/scf-ledger/caliper-<version> and bound to the Fabric SUT there
 * (`caliper bind --caliper-bind-sut fabric:2.4`, which brings
 * @hyperledger/fabric-gateway: the peer-gateway connector, right for Fabric 3).
 * The network configuration is written for the running network into its run
 * folder; the HTML report goes to .bench/caliper-report.html.
 */

export const CALIPER_VERSION = '0.6.0';
const SUT = 'fabric:2.4';

/** Caliper's network configuration (v2.0.0) and one connection profile per org, for `layout`. */
export function caliperNetworkConfig(l: Layout): { network: object; profiles: Record<string, object> } {
  const enrolments = demoEnrolments(l);
  const profiles: Record<string, object> = {};
  const organizations = l.peers.map((p) => {
    profiles[p.mspId] = {
      name: `scf-${p.mspId}`,
      version: '1.0.0',
      client: { organization: p.mspId },
      organizations: { [p.mspId]: { mspid: p.mspId, peers: [p.name] } },
      peers: { [p.name]: { url: `grpcs://127.0.0.1:${p.port}`, tlsCACerts: { path: peerTlsCa(l, p.mspId) }, grpcOptions: { 'ssl-target-name-override': 'localhost' } } },
    };
    return {
      mspid: p.mspId,
      identities: {
        certificates: enrolments
          .filter((e) => e.mspId === p.mspId)
          .map((e) => ({ name: e.label, clientPrivateKey: { path: e.privateKey }, clientSignedCert: { path: e.certificate } })),
      },
      connectionProfile: { path: join(l.runDir, 'caliper', `ccp-${p.mspId}.json`), discover: false },
    };
  });
  return {
    network: { name: 'scf', version: '2.0.0', caliper: { blockchain: 'fabric' }, channels: [{ channelName: 'scf', contracts: [{ id: 'scf' }] }], organizations },
    profiles,
  };
}

function caliperWorkspace(): string {
  const dir = join(process.env.SCF_CALIPER_HOME ?? join(homedir(), '.cache', 'scf-ledger'), `caliper-${CALIPER_VERSION}`);
  const cli = join(dir, 'node_modules', '.bin', 'caliper');
  if (!existsSync(join(dir, 'node_modules', '@hyperledger', 'fabric-gateway'))) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scf-caliper', private: true }));
    const steps: Array<[string, string[]]> = [
      ['npm', ['install', '--no-audit', '--no-fund', `@hyperledger/caliper-cli@${CALIPER_VERSION}`]],
      [cli, ['bind', '--caliper-bind-sut', SUT]],
    ];
    for (const [cmd, args] of steps) {
      process.stdout.write(`bench:caliper: ${cmd.split('/').pop()} ${args.join(' ')} (in ${dir})\n`);
      const r = spawnSync(cmd, args, { cwd: dir, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status ?? r.signal}`);
    }
  }
  return cli;
}

async function main(): Promise<number> {
  const layout = resolveLayout({});
  const down = status({ runDir: layout.runDir }).nodes.filter((n) => n.pid === undefined);
  if (down.length > 0) {
    process.stderr.write(`bench:caliper: the network in ${layout.runDir} is not running (${down.map((n) => n.name).join(', ')} down): npm run network:up first\n`);
    return 2;
  }
  // The workload acts as demo members: make sure the demo set is on the ledger.
  const profile = loadFabricProfile(profilePath(layout));
  const ledger = new FabricLedger(profile);
  try {
    await setUpDemoWhenReady(ledger, new Map(profile.identities.map((i) => [i.label, i.identity])));
  } finally {
    await ledger.close();
  }
  const { network, profiles } = caliperNetworkConfig(layout);
  const dir = join(layout.runDir, 'caliper');
  mkdirSync(dir, { recursive: true });
  for (const [msp, ccp] of Object.entries(profiles)) writeFileSync(join(dir, `ccp-${msp}.json`), JSON.stringify(ccp, null, 2));
  const networkFile = join(dir, 'network.json');
  writeFileSync(networkFile, JSON.stringify(network, null, 2));
  const cli = caliperWorkspace();
  mkdirSync(join(REPO_ROOT, '.bench'), { recursive: true });
  const report = join(REPO_ROOT, '.bench', 'caliper-report.html');
  const args = [
    'launch',
    'manager',
    '--caliper-workspace',
    REPO_ROOT,
    '--caliper-networkconfig',
    networkFile,
    '--caliper-benchconfig',
    'scripts/bench/caliper/benchmark.yaml',
    '--caliper-flow-only-test',
    '--caliper-report-path',
    report,
  ];
  process.stdout.write(`bench:caliper: caliper ${args.join(' ')}\n`);
  // Caliper exits 0 even when a round failed (its set-up threw, nothing was
  // measured); its log says "Failed round n (label)", so watch for that.
  const failedRounds: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(cli, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const watch = (to: NodeJS.WriteStream) => {
      let partial = ''; // a line split across chunks
      return (chunk: Buffer) => {
        to.write(chunk);
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const m = /Failed round \d+ \(([^)]+)\)/.exec(line);
          if (m) failedRounds.push(m[1] as string);
        }
      };
    };
    child.stdout.on('data', watch(process.stdout));
    child.stderr.on('data', watch(process.stderr));
    child.once('close', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  process.stdout.write(`bench:caliper: Caliper exited ${code}; report ${report}\n`);
  if (code === 0 && failedRounds.length > 0) {
    process.stdout.write(`bench:caliper: FAILED rounds: ${failedRounds.join(', ')} (see the log above)\n`);
    return 1;
  }
  return code;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench:caliper: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
