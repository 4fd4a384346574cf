import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { healthz, portOpen, run, waitFor } from './commands';
import { canCommit, canEndorse, type PeerTarget } from './endorsement-probe';
import { type FabricBinaries, findFabric } from './fabric-bin';
import {
  CHAINCODE,
  CHANNEL,
  configtxValues,
  cryptoDir,
  DEFAULT_PORT_BASE,
  demoEnrolments,
  ephemeralOverlap,
  type Layout,
  layoutOf,
  nodeDir,
  type OrdererNode,
  ordererDir,
  ordererTlsCa,
  orgAdminMsp,
  type PeerNode,
  peerDir,
  peerTlsCa,
  PORT_SPAN,
  PROFILES,
  type ProfileName,
} from './layout';
import { createOrdererNamespaces, inOrdererNamespace, removeOrdererNamespaces } from './netns';
import { runningPid, startProcess, stopProcess, whileRunning } from './processes';
import { withRunLock } from './run-lock';

/*
 * The reference network, run from native binaries: `up` brings it from
 * nothing (or from a stopped run folder) to a channel whose peers endorse
 * chaincode `scf`, and writes the gateway profile; `down` stops every process
 * it started, by pid; `status` says what runs. Each step checks whether it is
 * done already, so `up` on a running network changes nothing.
 */

export const REPO_ROOT = resolve(__dirname, '..', '..');
const CONFIG_DIR = join(REPO_ROOT, 'test-network-config');
const BUILDER_DIR = join(REPO_ROOT, 'network', 'ccaas');

export interface NetworkOptions {
  profile?: ProfileName;
  base?: number;
  runDir?: string;
  /** Peer and orderer log level (FABRIC_LOGGING_SPEC), e.g. `warning` while benchmarking. */
  logSpec?: string;
  /** Run each orderer in a network namespace of its own (network/src/netns.ts; needs root). */
  ordererNamespaces?: boolean;
  /** Let the peers offer batched state messages to chaincode (default; SCF_PEER_BATCHING=off turns it off). */
  peerBatching?: boolean;
  log?: (line: string) => void;
}

/** The run folder's record of the network it holds. */
interface RunRecord {
  profile: ProfileName;
  base: number;
  fabricBin: string;
  fabricVersion: string;
  ordererNamespaces?: boolean;
  /** Absent in records written before the switch existed: on. */
  peerBatching?: boolean;
}

/**
 * Builds what the network runs from this tree (the chaincode server, and the
 * gateway), as `npm start` does: `tsc -b tsconfig.build.json`, incremental,
 * about a second when up to date.
 */
export function buildChaincode(): void {
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const force = existsSync(join(REPO_ROOT, 'dist', 'chaincode', 'src', 'index.js')) ? [] : ['--force'];
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json', ...force], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the chaincode failed (tsc -b tsconfig.build.json exited ${r.status ?? r.signal})`);
}

export function defaultRunDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.SCF_NETWORK_DIR ?? join(REPO_ROOT, '.scf', 'network'));
}

function readRecord(runDir: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'network.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** The layout of the network in `runDir` (as recorded by `up`), or of a new one. */
export function resolveLayout(opts: NetworkOptions = {}, env: NodeJS.ProcessEnv = process.env): Layout {
  const runDir = opts.runDir ?? defaultRunDir(env);
  const record = readRecord(runDir);
  const base = opts.base ?? (env.SCF_NETWORK_PORT_BASE ? Number(env.SCF_NETWORK_PORT_BASE) : (record?.base ?? DEFAULT_PORT_BASE));
  const profile = opts.profile ?? record?.profile ?? 'raft1';
  if (!PROFILES.includes(profile)) throw new Error(`unknown orderer profile ${profile} (one of ${PROFILES.join(', ')})`);
  const peerBatching = opts.peerBatching ?? (env.SCF_PEER_BATCHING ? peerBatchingSetting(env.SCF_PEER_BATCHING) : record?.peerBatching);
  return layoutOf(profile, base, runDir, { ordererNamespaces: opts.ordererNamespaces ?? record?.ordererNamespaces, peerBatching });
}

function peerBatchingSetting(value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`SCF_PEER_BATCHING must be on or off (got ${JSON.stringify(value)})`);
}

// ---------- node environments ----------

function commonEnv(bin: FabricBinaries, logSpec: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, FABRIC_CFG_PATH: bin.configDir, FABRIC_LOGGING_SPEC: logSpec };
}

export function ordererEnv(l: Layout, o: OrdererNode, bin: FabricBinaries, logSpec: string): NodeJS.ProcessEnv {
  const crypto = ordererDir(l, o);
  const data = join(nodeDir(l, o.name), 'data');
  const tls = join(crypto, 'tls');
  return {
    ...commonEnv(bin, logSpec),
    ORDERER_GENERAL_LISTENADDRESS: o.address,
    ORDERER_GENERAL_LISTENPORT: String(o.port),
    ORDERER_GENERAL_LOCALMSPID: 'OrdererMSP',
    ORDERER_GENERAL_LOCALMSPDIR: join(crypto, 'msp'),
    ORDERER_GENERAL_TLS_ENABLED: 'true',
    ORDERER_GENERAL_TLS_PRIVATEKEY: join(tls, 'server.key'),
    ORDERER_GENERAL_TLS_CERTIFICATE: join(tls, 'server.crt'),
    ORDERER_GENERAL_TLS_ROOTCAS: `[${join(tls, 'ca.crt')}]`,
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: join(tls, 'server.crt'),
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: join(tls, 'server.key'),
    ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${join(tls, 'ca.crt')}]`,
    ORDERER_FILELEDGER_LOCATION: join(data, 'ledger'),
    ORDERER_CONSENSUS_WALDIR: join(data, 'etcdraft', 'wal'),
    ORDERER_CONSENSUS_SNAPDIR: join(data, 'etcdraft', 'snapshot'),
    ORDERER_ADMIN_LISTENADDRESS: `${o.address}:${o.adminPort}`,
    ORDERER_ADMIN_TLS_ENABLED: 'true',
    ORDERER_ADMIN_TLS_PRIVATEKEY: join(tls, 'server.key'),
    ORDERER_ADMIN_TLS_CERTIFICATE: join(tls, 'server.crt'),
    ORDERER_ADMIN_TLS_ROOTCAS: `[${join(tls, 'ca.crt')}]`,
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
    ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${join(tls, 'ca.crt')}]`,
    ORDERER_OPERATIONS_LISTENADDRESS: `${o.address}:${o.operationsPort}`,
    ORDERER_METRICS_PROVIDER: 'disabled',
  };
}

/**
 * Gossip intervals shortened from core.yaml's defaults (reconnect 25 s,
 * alive 5 s, expiration 25 s, state info 4 s): with them a peer that dialled
 * another before it joined the channel waited 25 s to retry, and the network
 * could not endorse for that long. With these it converges in a few seconds.
 */
const GOSSIP_TUNING = {
  CORE_PEER_GOSSIP_RECONNECTINTERVAL: '2s',
  CORE_PEER_GOSSIP_ALIVETIMEINTERVAL: '1s',
  CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT: '5s',
  CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL: '1s',
  CORE_PEER_GOSSIP_REQUESTSTATEINFOINTERVAL: '1s',
  CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: '1s',
  CORE_PEER_GOSSIP_PULLINTERVAL: '1s',
};

/**
 * peer.authentication.timewindow: a peer refuses a proposal whose timestamp
 * is further than this from its own clock (the TimeWindowCheck auth filter,
 * which `up` checks core.yaml keeps). Maturity and due dates are whole UTC
 * days, so 15 minutes of disagreement can move a transaction across midnight
 * by at most that much; a member that widened it could act on a date it
 * chose. See README, "Security".
 */
export const TIME_WINDOW = '15m';

export function peerEnv(l: Layout, p: PeerNode, bin: FabricBinaries, logSpec: string): NodeJS.ProcessEnv {
  const crypto = peerDir(l, p);
  const data = join(nodeDir(l, p.name), 'data');
  const tls = join(crypto, 'tls');
  return {
    ...commonEnv(bin, logSpec),
    CORE_PEER_ID: p.host,
    CORE_PEER_LISTENADDRESS: `127.0.0.1:${p.port}`,
    CORE_PEER_ADDRESS: `127.0.0.1:${p.port}`,
    CORE_PEER_CHAINCODELISTENADDRESS: `127.0.0.1:${p.chaincodePort}`,
    CORE_PEER_CHAINCODEADDRESS: `127.0.0.1:${p.chaincodePort}`,
    CORE_PEER_GOSSIP_BOOTSTRAP: `127.0.0.1:${p.port}`,
    CORE_PEER_GOSSIP_EXTERNALENDPOINT: `127.0.0.1:${p.port}`,
    CORE_PEER_LOCALMSPID: p.mspId,
    CORE_PEER_MSPCONFIGPATH: join(crypto, 'msp'),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_CERT_FILE: join(tls, 'server.crt'),
    CORE_PEER_TLS_KEY_FILE: join(tls, 'server.key'),
    CORE_PEER_TLS_ROOTCERT_FILE: join(tls, 'ca.crt'),
    CORE_PEER_FILESYSTEMPATH: data,
    CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(data, 'snapshots'),
    CORE_OPERATIONS_LISTENADDRESS: `127.0.0.1:${p.operationsPort}`,
    CORE_METRICS_PROVIDER: 'disabled',
    CORE_VM_ENDPOINT: '',
    CORE_CHAINCODE_EXTERNALBUILDERS: JSON.stringify([{ name: 'scf-ccaas', path: BUILDER_DIR, propagateEnvironment: ['HOME'] }]),
    CORE_PEER_AUTHENTICATION_TIMEWINDOW: TIME_WINDOW,
    // Offer the chaincode one message for its write set and one for many keys
    // (chaincode/src/ledger/peer-batch.ts); the sizes stay core.yaml's (1000).
    CORE_CHAINCODE_RUNTIMEPARAMS_USEWRITEBATCH: String(l.peerBatching),
    CORE_CHAINCODE_RUNTIMEPARAMS_USEGETMULTIPLEKEYS: String(l.peerBatching),
    ...GOSSIP_TUNING,
  };
}

/** The environment of `peer` CLI calls as an org's administrator, against its own peer. */
export function adminEnv(l: Layout, p: PeerNode, bin: FabricBinaries): NodeJS.ProcessEnv {
  return {
    ...commonEnv(bin, 'warning'),
    CORE_PEER_LOCALMSPID: p.mspId,
    CORE_PEER_MSPCONFIGPATH: orgAdminMsp(l, p.mspId),
    CORE_PEER_ADDRESS: `127.0.0.1:${p.port}`,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: peerTlsCa(l, p.mspId),
  };
}

const ordererArgs = (l: Layout) => {
  const o = l.orderers[0] as OrdererNode;
  return ['-o', `${o.address}:${o.port}`, '--tls', '--cafile', ordererTlsCa(l)];
};

// ---------- steps ----------

function checkCoreYaml(bin: FabricBinaries): void {
  // TimeWindowCheck is listed in core.yaml, not settable by environment: a
  // core.yaml without it would accept proposals stamped at any time.
  const core = readFileSync(join(bin.configDir, 'core.yaml'), 'utf8');
  if (!/^\s*-\s*name:\s*TimeWindowCheck\b/m.test(core)) {
    throw new Error(`${join(bin.configDir, 'core.yaml')} does not list the TimeWindowCheck auth filter under handlers.authFilters; refusing to run peers that accept proposals stamped at any time`);
  }
}

async function generateCrypto(l: Layout, bin: FabricBinaries): Promise<void> {
  if (existsSync(join(cryptoDir(l), 'peerOrganizations'))) return;
  await run(join(bin.binDir, 'cryptogen'), ['generate', `--config=${join(CONFIG_DIR, 'crypto-config.yaml')}`, `--output=${cryptoDir(l)}`], process.env);
}

/** test-network-config/configtx.yaml with its {{PLACEHOLDERS}} filled, written into the run folder. */
export function renderConfigtx(l: Layout): string {
  const values = configtxValues(l);
  return readFileSync(join(CONFIG_DIR, 'configtx.yaml'), 'utf8').replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`configtx.yaml: no value for {{${name}}}`);
    return v;
  });
}

async function genesisBlock(l: Layout, bin: FabricBinaries): Promise<string> {
  const block = join(l.runDir, 'channel', `${CHANNEL}.block`);
  if (existsSync(block)) return block;
  mkdirSync(join(l.runDir, 'channel'), { recursive: true });
  writeFileSync(join(l.runDir, 'configtx.yaml'), renderConfigtx(l));
  await run(join(bin.binDir, 'configtxgen'), ['-profile', l.profile, '-channelID', CHANNEL, '-outputBlock', block], {
    ...commonEnv(bin, 'warning'),
    FABRIC_CFG_PATH: l.runDir,
  });
  return block;
}

/** Starts one orderer (inside its network namespace when it has one) unless it runs. */
export function startOrderer(l: Layout, o: OrdererNode, bin: FabricBinaries, logSpec: string): void {
  startProcess({ dir: nodeDir(l, o.name), ...inOrdererNamespace(o, join(bin.binDir, 'orderer'), []), env: ordererEnv(l, o, bin, logSpec) });
}

async function startOrderers(l: Layout, bin: FabricBinaries, logSpec: string): Promise<void> {
  for (const o of l.orderers) startOrderer(l, o, bin, logSpec);
  // /healthz answers as soon as the operations server runs, which is before
  // the node's gRPC listeners: wait for those too before any CLI dials them.
  await Promise.all(
    l.orderers.map(async (o) => {
      const dir = nodeDir(l, o.name);
      await waitFor(`${o.name} health`, whileRunning(dir, o.name, () => healthz(o.operationsPort, o.address)), 30_000);
      await waitFor(`${o.name} admin endpoint on ${o.address}:${o.adminPort}`, whileRunning(dir, o.name, () => portOpen(o.adminPort, o.address)), 30_000);
    }),
  );
}

async function joinOrderers(l: Layout, bin: FabricBinaries, block: string): Promise<void> {
  for (const o of l.orderers) {
    const tls = join(ordererDir(l, o), 'tls');
    const tlsArgs = ['--ca-file', join(tls, 'ca.crt'), '--client-cert', join(tls, 'server.crt'), '--client-key', join(tls, 'server.key')];
    const listed = await run(join(bin.binDir, 'osnadmin'), ['channel', 'list', '-o', `${o.address}:${o.adminPort}`, ...tlsArgs], process.env);
    if (listed.includes(`"name": "${CHANNEL}"`)) continue;
    // osnadmin exits 0 whatever the orderer answered: the status line tells.
    const joined = await run(join(bin.binDir, 'osnadmin'), ['channel', 'join', '--channelID', CHANNEL, '--config-block', block, '-o', `${o.address}:${o.adminPort}`, ...tlsArgs], process.env);
    if (!/^Status: 201\b/m.test(joined)) throw new Error(`${o.name} refused to join channel ${CHANNEL}: ${joined.trim()}`);
  }
}

async function startPeers(l: Layout, bin: FabricBinaries, logSpec: string): Promise<void> {
  for (const p of l.peers) {
    startProcess({ dir: nodeDir(l, p.name), command: join(bin.binDir, 'peer'), args: ['node', 'start'], env: peerEnv(l, p, bin, logSpec) });
  }
  // As with orderers: healthy operations before a listening peer service
  // (CI once saw `peer channel list` refused right after /healthz said 200).
  await Promise.all(
    l.peers.map(async (p) => {
      const dir = nodeDir(l, p.name);
      await waitFor(`${p.name} health`, whileRunning(dir, p.name, () => healthz(p.operationsPort)), 30_000);
      await waitFor(`${p.name} on 127.0.0.1:${p.port}`, whileRunning(dir, p.name, () => portOpen(p.port)), 30_000);
    }),
  );
}

async function joinPeers(l: Layout, bin: FabricBinaries, block: string): Promise<void> {
  await Promise.all(
    l.peers.map(async (p) => {
      const env = adminEnv(l, p, bin);
      const joined = await run(join(bin.binDir, 'peer'), ['channel', 'list'], env);
      if (joined.split('\n').some((line) => line.trim() === CHANNEL)) return;
      // The orderer may still be electing its leader: the join succeeds once the peer can pull block 0.
      await waitFor(`${p.name} to join ${CHANNEL}`, async () => {
        try {
          await run(join(bin.binDir, 'peer'), ['channel', 'join', '-b', block], env);
        } catch (err) {
          // An earlier attempt the CLI gave up on may have joined after all.
          if (!joinedAlready(err)) throw err;
        }
        return true;
      }, 30_000, 500);
    }),
  );
}

/**
 * Whether `peer channel join` failed because the peer holds the channel's
 * ledger, complete: it has joined. Only the ACTIVE state says so; a ledger
 * UNDER_CONSTRUCTION is a join the peer finishes (or undoes) on restart.
 */
export function joinedAlready(err: unknown): boolean {
  return new RegExp(`ledger \\[${CHANNEL}\\] already exists with state \\[ACTIVE\\]`).test(err instanceof Error ? err.message : String(err));
}

// ---------- chaincode as a service ----------

export interface ChaincodeSpec {
  name: string;
  label: string;
  port: number;
  /** Folder whose package.json `main` exports `contracts` (fabric-chaincode-node's --module-path). */
  modulePath: string;
}

export const scfChaincode = (l: Layout): ChaincodeSpec => ({ name: CHAINCODE, label: 'scf_1', port: l.chaincodePort, modulePath: REPO_ROOT });

const chaincodeDir = (l: Layout, cc: ChaincodeSpec) => join(l.runDir, 'chaincode', cc.name);

/**
 * The trivial contract the benchmarks measure ours against
 * (scripts/bench/baseline-contract.ts, built into dist/ by buildChaincode),
 * as a second chaincode as a service on the trivial-chaincode port. Its
 * module folder in the run folder holds only a package.json whose `main`
 * points at the built file. `down` stops it with every other chaincode.
 */
export function baselineChaincode(l: Layout): ChaincodeSpec {
  const modulePath = join(l.runDir, 'chaincode', 'baseline', 'module');
  mkdirSync(modulePath, { recursive: true });
  const main = join(REPO_ROOT, 'dist', 'scripts', 'bench', 'fabric', 'baseline-chaincode.js');
  writeFileSync(join(modulePath, 'package.json'), JSON.stringify({ name: 'baseline', version: '1.0.0', private: true, main }, null, 2));
  return { name: 'baseline', label: 'baseline_1', port: l.trivialChaincodePort, modulePath };
}

/**
 * The CCaaS package (metadata.json + code.tar.gz holding connection.json),
 * made once per run folder and reused: the package id is the hash of its
 * bytes, so the same file must be installed everywhere and again later.
 */
export async function packageChaincode(l: Layout, cc: ChaincodeSpec): Promise<{ file: string; packageId: string }> {
  const dir = chaincodeDir(l, cc);
  const file = join(dir, `${cc.label}.tar.gz`);
  if (!existsSync(file)) {
    const work = join(dir, 'package');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'connection.json'), JSON.stringify({ address: `127.0.0.1:${cc.port}`, dial_timeout: '10s', tls_required: false }));
    writeFileSync(join(work, 'metadata.json'), JSON.stringify({ type: 'ccaas', label: cc.label }));
    const tarFlags = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner'];
    await run('tar', ['-czf', 'code.tar.gz', ...tarFlags, 'connection.json'], process.env, { cwd: work });
    await run('tar', ['-czf', file, ...tarFlags, 'metadata.json', 'code.tar.gz'], process.env, { cwd: work });
  }
  const packageId = `${cc.label}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  return { file, packageId };
}

/** Starts the chaincode server (the Node chaincode in CCaaS server mode) unless it runs. */
export async function startChaincodeServer(l: Layout, cc: ChaincodeSpec, packageId: string): Promise<number> {
  const dir = join(chaincodeDir(l, cc), 'server');
  const { pid } = startProcess({
    dir,
    command: process.execPath,
    args: [
      // fabric-shim's loggers skip what their level drops before formatting it.
      '-r',
      join(REPO_ROOT, 'dist', 'network', 'src', 'shim-log-levels.js'),
      join(REPO_ROOT, 'node_modules', 'fabric-shim', 'cli.js'),
      'server',
      '--chaincode-address',
      `127.0.0.1:${cc.port}`,
      '--chaincode-id',
      packageId,
      '--module-path',
      cc.modulePath,
    ],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CORE_CHAINCODE_LOGGING_LEVEL: 'warning', NODE_ENV: 'production' },
    cwd: cc.modulePath,
  });
  await waitFor(`chaincode server ${cc.name} on 127.0.0.1:${cc.port}`, whileRunning(dir, `chaincode server ${cc.name}`, () => portOpen(cc.port)), 30_000);
  return pid;
}

export async function stopChaincodeServer(l: Layout, cc: ChaincodeSpec): Promise<boolean> {
  return stopProcess(join(chaincodeDir(l, cc), 'server'));
}

export function chaincodeServerDir(l: Layout, cc: ChaincodeSpec): string {
  return join(chaincodeDir(l, cc), 'server');
}

interface Committed {
  sequence: number;
  version: string;
}

async function queryCommitted(l: Layout, bin: FabricBinaries, name: string): Promise<Committed | undefined> {
  const p = l.peers[0] as PeerNode;
  try {
    const out = await run(join(bin.binDir, 'peer'), ['lifecycle', 'chaincode', 'querycommitted', '--channelID', CHANNEL, '--name', name, '--output', 'json'], adminEnv(l, p, bin));
    const parsed = JSON.parse(out) as { sequence: number; version: string };
    return { sequence: parsed.sequence, version: parsed.version };
  } catch (err) {
    if (/namespace \S+ is not defined|not found/.test(String((err as Error).message))) return undefined;
    throw err;
  }
}

/**
 * Installs the package on every peer (unless there), approves the definition
 * for every org and commits it. With `upgrade`, commits the next sequence even
 * when a definition is committed (a redeploy; the world state stays).
 */
export async function deployChaincode(l: Layout, bin: FabricBinaries, cc: ChaincodeSpec, opts: { upgrade?: boolean; log?: (s: string) => void } = {}): Promise<{ packageId: string; sequence: number }> {
  const { file, packageId } = await packageChaincode(l, cc);
  await startChaincodeServer(l, cc, packageId);
  await Promise.all(
    l.peers.map(async (p) => {
      const env = adminEnv(l, p, bin);
      const installed = await run(join(bin.binDir, 'peer'), ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], env);
      if (installed.includes(packageId)) return;
      await run(join(bin.binDir, 'peer'), ['lifecycle', 'chaincode', 'install', file], env, { timeoutMs: 120_000 });
    }),
  );
  const committed = await queryCommitted(l, bin, cc.name);
  if (committed && !opts.upgrade) return { packageId, sequence: committed.sequence };
  const sequence = (committed?.sequence ?? 0) + 1;
  const version = String(sequence);
  const definition = ['--channelID', CHANNEL, '--name', cc.name, '--version', version, '--sequence', String(sequence)];
  const first = l.peers[0] as PeerNode;
  const readiness = JSON.parse(
    await run(join(bin.binDir, 'peer'), ['lifecycle', 'chaincode', 'checkcommitreadiness', ...definition, '--output', 'json'], adminEnv(l, first, bin)),
  ) as { approvals: Record<string, boolean> };
  await Promise.all(
    l.peers
      .filter((p) => !readiness.approvals[p.mspId])
      .map((p) =>
        run(join(bin.binDir, 'peer'), ['lifecycle', 'chaincode', 'approveformyorg', ...ordererArgs(l), ...definition, '--package-id', packageId], adminEnv(l, p, bin), {
          timeoutMs: 60_000,
        }),
      ),
  );
  const peerArgs = l.peers.flatMap((p) => ['--peerAddresses', `127.0.0.1:${p.port}`, '--tlsRootCertFiles', peerTlsCa(l, p.mspId)]);
  await run(join(bin.binDir, 'peer'), ['lifecycle', 'chaincode', 'commit', ...ordererArgs(l), ...definition, ...peerArgs], adminEnv(l, first, bin), { timeoutMs: 60_000 });
  opts.log?.(`chaincode ${cc.name}: sequence ${sequence} committed (package ${packageId.slice(0, 24)}…)`);
  return { packageId, sequence };
}

// ---------- gateway profile ----------

export const profilePath = (l: Layout): string => join(l.runDir, 'gateway-profile.json');

/**
 * The identities an operator added to the profile (README, "Adding an
 * identity on Fabric"): every entry whose label is not a demo enrolment's.
 * `up` writes the profile again each time it runs, and kept none of them.
 */
function addedIdentities(l: Layout, demoLabels: ReadonlySet<string>): unknown[] {
  const file = profilePath(l);
  if (!existsSync(file)) return [];
  let current: { identities?: unknown };
  try {
    current = JSON.parse(readFileSync(file, 'utf8')) as { identities?: unknown };
  } catch (err) {
    throw new Error(`the gateway profile ${file} is not valid JSON (${(err as Error).message}): fix it or remove it, or up would drop the identities added to it`);
  }
  const identities = Array.isArray(current.identities) ? (current.identities as unknown[]) : [];
  return identities.filter((i) => {
    const label = (i as { label?: unknown } | null)?.label;
    return typeof label !== 'string' || !demoLabels.has(label);
  });
}

/** The profile the REST gateway reads (SCF_FABRIC_PROFILE); tokens are made once per run folder, identities added to it are kept. */
function writeGatewayProfile(l: Layout): void {
  const tokensFile = join(l.runDir, 'tokens.json');
  let tokens: Record<string, string> = {};
  try {
    tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, string>;
  } catch {
    // first up
  }
  const enrolments = demoEnrolments(l);
  const added = addedIdentities(l, new Set(enrolments.map((e) => e.label)));
  for (const e of enrolments) tokens[e.label] ??= randomBytes(24).toString('base64url');
  writeFileSync(tokensFile, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  const profile = {
    channel: CHANNEL,
    chaincode: CHAINCODE,
    // hostAlias: the TLS name checked against the peer's certificate (cryptogen's SANs
    // include localhost); an IP address cannot be sent as a TLS server name.
    peers: Object.fromEntries(
      l.peers.map((p) => [p.mspId, { endpoint: `127.0.0.1:${p.port}`, tlsCaCert: peerTlsCa(l, p.mspId), hostAlias: 'localhost' }]),
    ),
    identities: [...enrolments.map((e) => ({ label: e.label, token: tokens[e.label], mspId: e.mspId, certificate: e.certificate, privateKey: e.privateKey })), ...added],
    serviceIdentity: 'operator-admin',
  };
  writeFileSync(profilePath(l), JSON.stringify(profile, null, 2), { mode: 0o600 });
}

/** A check made at one peer as an identity of its org (endorsement-probe.ts). */
type PeerProbe = (t: PeerTarget & { channel: string; chaincode: string }) => Promise<true | string>;

/** Each peer, with a demo enrolment of its org to probe it as. */
export function peerTargets(l: Layout, chaincode: string): Array<{ peer: PeerNode; target: PeerTarget & { channel: string; chaincode: string } }> {
  const operator = demoEnrolments(l)[0];
  if (!operator) throw new Error('no demo identity to probe with');
  return l.peers.map((p) => {
    const e = demoEnrolments(l).find((d) => d.mspId === p.mspId) ?? operator;
    return {
      peer: p,
      target: {
        endpoint: `127.0.0.1:${p.port}`,
        tlsCaCertPath: peerTlsCa(l, p.mspId),
        mspId: e.mspId,
        certificatePath: e.certificate,
        privateKeyPath: e.privateKey,
        channel: CHANNEL,
        chaincode,
      },
    };
  });
}

/** Waits until `probe` passes at every org's peer, not just one. */
async function waitAtEveryPeer(l: Layout, chaincode: string, what: string, probe: PeerProbe, timeoutMs: number): Promise<void> {
  await Promise.all(peerTargets(l, chaincode).map(({ peer, target }) => waitFor(`${what} at ${peer.name}`, () => probe(target), timeoutMs, 250)));
}

export function waitUntilEndorsable(l: Layout, chaincode: string, timeoutMs = 60_000): Promise<void> {
  return waitAtEveryPeer(l, chaincode, `an endorsement plan for ${chaincode}`, canEndorse, timeoutMs);
}

/**
 * Waits until a transaction sent through each peer's Gateway commits
 * (canCommit). After some nodes were started again beside running ones, an
 * endorsement plan is not enough: a peer that kept running may still be
 * waiting out its backoff before it dials a restarted orderer again, and
 * until then a write is refused or its commit is not seen (measured: 5.5 s
 * after an orderer that had been down 40 s was back). Each probe is a
 * read-only transaction: a block, but no state and no chaincode event.
 */
export function waitUntilCommitting(l: Layout, chaincode: string, timeoutMs = 60_000): Promise<void> {
  return waitAtEveryPeer(l, chaincode, `a transaction of ${chaincode} to commit`, canCommit, timeoutMs);
}

// ---------- up / down / status ----------

export interface UpResult {
  layout: Layout;
  alreadyRunning: boolean;
  seconds: number;
  profile: string;
}

/**
 * What `up` may not change in a run folder that holds a network. The genesis
 * block carries the profile's orderers and every port (consenters, anchor
 * peers) and the orderers' addresses (namespaced or not); the chaincode
 * packages carry their servers' ports, and their package ids are committed.
 * Such a folder runs only with the settings it was made with.
 */
function bakedSettings(r: { profile: ProfileName; base: number; ordererNamespaces?: boolean }): Array<[string, string]> {
  return [
    ['profile', r.profile],
    ['port base', String(r.base)],
    ['orderers in namespaces', r.ordererNamespaces === true ? 'on' : 'off'],
  ];
}

/** Whether the run folder holds material made for some settings: a genesis block or a chaincode package. */
function holdsMaterial(runDir: string): boolean {
  if (existsSync(join(runDir, 'channel', `${CHANNEL}.block`))) return true;
  const chaincodes = existsSync(join(runDir, 'chaincode')) ? readdirSync(join(runDir, 'chaincode')) : [];
  return chaincodes.some((name) => readdirSync(join(runDir, 'chaincode', name)).some((f) => f.endsWith('.tar.gz')));
}

/**
 * Refuses an `up` that asks the run folder for settings other than those it
 * holds: material made for other settings (a stopped network too), or a
 * running network's peer batching. Never regenerates: that would throw away
 * the ledgers, which only `down --purge` may do.
 */
function checkRecordMatches(l: Layout, recorded: RunRecord | undefined, running: boolean): void {
  if (!holdsMaterial(l.runDir) && !running) return;
  if (recorded === undefined) {
    throw new Error(`the run folder ${l.runDir} holds a network but no record of its settings (network.json): run network:down --purge first`);
  }
  const was = bakedSettings(recorded);
  const asked = bakedSettings(l);
  const differ = was.map(([name, value], k) => ({ name, value, asked: asked[k]?.[1] as string })).filter((d) => d.value !== d.asked);
  if (differ.length > 0) {
    throw new Error(
      `the run folder ${l.runDir} holds a network made for ${differ.map((d) => `${d.name} ${d.value}`).join(', ')} (network.json); ` +
        `asked for ${differ.map((d) => `${d.name} ${d.asked}`).join(', ')}. Its genesis block and chaincode packages are made for the recorded settings: ` +
        'run network:down --purge first (this deletes its ledgers), or bring it up with the recorded settings',
    );
  }
  const batching = (on: boolean) => (on ? 'on' : 'off');
  if (running && (recorded.peerBatching !== false) !== l.peerBatching) {
    throw new Error(
      `the network in ${l.runDir} runs with peer batching ${batching(recorded.peerBatching !== false)}; asked for ${batching(l.peerBatching)} (SCF_PEER_BATCHING): ` +
        'run network:down first, then up again',
    );
  }
}

/**
 * The refusals `up` makes from the run folder alone (settings other than the
 * recorded ones), without starting or building anything: the CLI asks
 * before its chaincode build, so a mistaken `up` is refused at once.
 */
export function checkUpSettings(opts: NetworkOptions = {}): void {
  const runDir = resolve(opts.runDir ?? defaultRunDir());
  const l = resolveLayout({ ...opts, runDir });
  checkRecordMatches(l, readRecord(runDir), anyRunning(l));
}

export async function up(opts: NetworkOptions = {}): Promise<UpResult> {
  const runDir = resolve(opts.runDir ?? defaultRunDir());
  // The refusals below create nothing: the lock's folder goes again when it was new.
  return withRunLock(runDir, 'network up', () => upLocked({ ...opts, runDir }));
}

/** A small system file's text, or undefined where there is none (another OS, a container without it). */
function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function upLocked(opts: NetworkOptions & { runDir: string }): Promise<UpResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const existing = readRecord(opts.runDir);
  const l = resolveLayout(opts);
  const running = anyRunning(l);
  checkRecordMatches(l, existing, running);
  const alreadyRunning = allRunning(l) && existsSync(profilePath(l));
  // Started again beside nodes that kept running, which reconnect to them with backoff.
  const restarting = running ? nodeDirs(l).filter((n) => runningPid(n.dir) === undefined).map((n) => n.name) : [];
  await checkPortsFree(l);
  const bin = findFabric();
  checkCoreYaml(bin);
  // A running network keeps its record: it describes the processes that run.
  if (!running || existing === undefined) {
    const record: RunRecord = {
      profile: l.profile,
      base: l.base,
      fabricBin: bin.binDir,
      fabricVersion: bin.version,
      ordererNamespaces: l.ordererNamespaces,
      peerBatching: l.peerBatching,
    };
    writeFileSync(join(l.runDir, 'network.json'), JSON.stringify(record, null, 2));
  }
  const logSpec = opts.logSpec ?? process.env.SCF_FABRIC_LOG ?? 'info';
  log(`Fabric ${bin.version} from ${bin.binDir}; profile ${l.profile}; ports from ${l.base}; run folder ${l.runDir}`);
  if (restarting.length > 0) log(`starting again: ${restarting.join(', ')} (the other nodes are running)`);
  const clash = ephemeralOverlap(l.base, readIfExists('/proc/sys/net/ipv4/ip_local_port_range'));
  if (clash) {
    log(
      `warning: ports ${l.base}-${l.base + PORT_SPAN - 1} lie in this machine's range for outgoing connections (${clash.low}-${clash.high}, net.ipv4.ip_local_port_range): ` +
        'a port a node frees can be taken by a client connection, and the node cannot start again on it until that connection has gone (up to a minute). ' +
        `Choose an SCF_NETWORK_PORT_BASE below ${clash.low - PORT_SPAN + 1} or above ${clash.high}`,
    );
  }
  try {
    await generateCrypto(l, bin);
    const block = await genesisBlock(l, bin);
    if (l.ordererNamespaces) createOrdererNamespaces(l);
    await startOrderers(l, bin, logSpec);
    await joinOrderers(l, bin, block);
    await startPeers(l, bin, logSpec);
    await joinPeers(l, bin, block);
    log(`channel ${CHANNEL}: ${l.orderers.length} orderer(s), ${l.peers.length} peers joined (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    await deployChaincode(l, bin, scfChaincode(l), { log });
    writeGatewayProfile(l);
    await waitUntilEndorsable(l, CHAINCODE);
    if (restarting.length > 0) {
      await waitUntilCommitting(l, CHAINCODE);
      log(`writable again: a transaction through each peer committed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}${leftRunning(l)}`, { cause: err });
  }
  const seconds = (Date.now() - started) / 1000;
  log(`endorsable: chaincode ${CHAINCODE} on channel ${CHANNEL} (${seconds.toFixed(1)} s); gateway profile ${profilePath(l)}`);
  return { layout: l, alreadyRunning, seconds, profile: profilePath(l) };
}

/** After a failed `up`: which of the run folder's processes still run, and how to stop them. */
function leftRunning(l: Layout): string {
  const left = nodeDirs(l).flatMap((n) => {
    const pid = runningPid(n.dir);
    return pid === undefined ? [] : [`${n.name} (pid ${pid})`];
  });
  if (left.length === 0) return '';
  return `\nLeft running: ${left.join(', ')}. Stop them with: SCF_NETWORK_DIR=${l.runDir} npm run network:down`;
}

interface NodeStatus {
  name: string;
  pid: number | undefined;
  port: number;
}

function nodeDirs(l: Layout): Array<{ name: string; dir: string; port: number }> {
  return [
    ...l.orderers.map((o) => ({ name: o.name, dir: nodeDir(l, o.name), port: o.port })),
    ...l.peers.map((p) => ({ name: p.name, dir: nodeDir(l, p.name), port: p.port })),
    { name: `chaincode ${CHAINCODE}`, dir: chaincodeServerDir(l, scfChaincode(l)), port: l.chaincodePort },
  ];
}

/**
 * What runs in the run folder, on the ports and profile its `up` recorded:
 * a base or profile asked for now (SCF_NETWORK_PORT_BASE, opts) cannot move
 * a network that runs, so the recorded ones are shown, and `asked` says what
 * was asked for when it differs (an `up` with it would be refused).
 */
export function status(opts: NetworkOptions = {}, env: NodeJS.ProcessEnv = process.env): { layout: Layout; nodes: NodeStatus[]; asked?: { base: number; profile: ProfileName } } {
  const asked = resolveLayout(opts, env);
  const record = readRecord(asked.runDir);
  const l = record && (record.base !== asked.base || record.profile !== asked.profile) ? resolveLayout({ ...opts, base: record.base, profile: record.profile }, env) : asked;
  const nodes = nodeDirs(l).map((n) => ({ name: n.name, pid: runningPid(n.dir), port: n.port }));
  return l === asked ? { layout: l, nodes } : { layout: l, nodes, asked: { base: asked.base, profile: asked.profile } };
}

/**
 * Every port of a node this run folder does not run must be free: otherwise
 * another network (another run folder on the same base) or another program
 * holds it, and our node would fail to listen, or our CLI calls would reach
 * theirs.
 */
async function checkPortsFree(l: Layout): Promise<void> {
  const nodes: Array<{ name: string; dir: string; ports: number[] }> = [
    // An orderer in a namespace of its own listens on an address only that namespace has.
    ...l.orderers.filter((o) => !o.netns).map((o) => ({ name: o.name, dir: nodeDir(l, o.name), ports: [o.port, o.adminPort, o.operationsPort] })),
    ...l.peers.map((p) => ({ name: p.name, dir: nodeDir(l, p.name), ports: [p.port, p.chaincodePort, p.operationsPort] })),
    { name: `chaincode ${CHAINCODE}`, dir: chaincodeServerDir(l, scfChaincode(l)), ports: [l.chaincodePort] },
  ];
  for (const n of nodes) {
    if (runningPid(n.dir) !== undefined) continue;
    for (const port of n.ports) {
      if ((await portOpen(port)) === true) {
        throw new Error(
          `port 127.0.0.1:${port} (${n.name}) is in use by a process this run folder did not start: another network on the same ports? ` +
            `Stop it, or choose another SCF_NETWORK_PORT_BASE (this one: ${l.base})`,
        );
      }
    }
  }
}

/**
 * Rolls out the chaincode as it is built now (`buildChaincode` first): the
 * chaincode server is stopped and started again on that build, then the
 * next sequence of the definition is approved by every org and committed.
 * The world state stays; calls fail 503 for the seconds the server is down.
 * A chaincode as a service package holds only the server's address, so the
 * package id does not change: the new sequence records that the orgs
 * approved a rollout, and the operator repairs indexes after it when the
 * release notes say so (docs/API.md, "Upgrades: repairing indexes").
 * Needs every process running (`up` first); holds the run folder's lock.
 */
export async function upgrade(opts: NetworkOptions = {}): Promise<{ sequence: number; packageId: string; seconds: number }> {
  const runDir = resolve(opts.runDir ?? defaultRunDir());
  return withRunLock(runDir, 'network upgrade', async () => {
    const started = Date.now();
    const l = resolveLayout({ ...opts, runDir });
    checkRecordMatches(l, readRecord(runDir), anyRunning(l));
    const stopped = nodeDirs(l).filter((n) => runningPid(n.dir) === undefined).map((n) => n.name);
    if (stopped.length > 0) throw new Error(`network upgrade needs the whole network running; stopped: ${stopped.join(', ')} (npm run network:up first)`);
    const bin = findFabric();
    const cc = scfChaincode(l);
    await stopChaincodeServer(l, cc);
    opts.log?.('chaincode server stopped; starting it on the new build');
    const { sequence, packageId } = await deployChaincode(l, bin, cc, { upgrade: true, ...(opts.log ? { log: opts.log } : {}) });
    return { sequence, packageId, seconds: (Date.now() - started) / 1000 };
  });
}

function anyRunning(l: Layout): boolean {
  return nodeDirs(l).some((n) => runningPid(n.dir) !== undefined);
}

function allRunning(l: Layout): boolean {
  return nodeDirs(l).every((n) => runningPid(n.dir) !== undefined);
}

/**
 * Stops every process of the run folder by its pid: chaincode servers and
 * peers first, orderers last. With `purge`, removes the run folder (crypto,
 * ledgers, profile). Safe to run twice.
 */
export async function down(opts: NetworkOptions & { purge?: boolean } = {}): Promise<string[]> {
  const runDir = resolve(opts.runDir ?? defaultRunDir());
  if (!existsSync(runDir)) return [];
  return withRunLock(runDir, 'network down', () => downLocked(runDir, opts.purge === true));
}

async function downLocked(runDir: string, purge: boolean): Promise<string[]> {
  // Every orderer a profile can have: a folder left by another profile is stopped too.
  const record = readRecord(runDir);
  const l = layoutOf('bft4', record?.base ?? DEFAULT_PORT_BASE, runDir);
  const stopped: string[] = [];
  const chaincodes = existsSync(join(runDir, 'chaincode')) ? readdirSync(join(runDir, 'chaincode')) : [];
  await Promise.all(
    chaincodes.map(async (name) => {
      if (await stopProcess(join(runDir, 'chaincode', name, 'server'))) stopped.push(`chaincode ${name}`);
    }),
  );
  await Promise.all(
    l.peers.map(async (p) => {
      if (await stopProcess(nodeDir(l, p.name))) stopped.push(p.name);
    }),
  );
  await Promise.all(
    l.orderers.map(async (o) => {
      if (await stopProcess(nodeDir(l, o.name))) stopped.push(o.name);
    }),
  );
  if (record?.ordererNamespaces) {
    for (const ns of removeOrdererNamespaces(l.base)) stopped.push(`network namespace ${ns}`);
  }
  if (purge) rmSync(runDir, { recursive: true, force: true });
  return stopped;
}

