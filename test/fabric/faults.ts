import { common } from '@hyperledger/fabric-protos';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoMember } from '../../gateway/src/demo/plan';
import { freshInvoice } from './support';
import { portOpen } from '../../network/src/commands';
import { withPeer } from '../../network/src/endorsement-probe';
import { type FabricBinaries, FabricNotFound, findFabric } from '../../network/src/fabric-bin';
import { demoEnrolments, type Layout, nodeDir, type OrdererNode, type PeerNode, peerTlsCa, type ProfileName } from '../../network/src/layout';
import { namespacesUsable, setOrdererLink } from '../../network/src/netns';
import { buildChaincode, chaincodeServerDir, down, packageChaincode, peerEnv, profilePath, REPO_ROOT, scfChaincode, startChaincodeServer, startOrderer, up } from '../../network/src/network';
import { logFile, runningPid, signalProcess, startProcess, stopProcess, waitForExit } from '../../network/src/processes';

/*
 * `npm run test:faults`: a bounded write load through the REST gateway on a
 * real network while one fault at a time is injected and healed (setup,
 * load, fault, heal, check, each a named step; every wait bounded and
 * saying what it waits for). After each fault:
 *   - every acknowledged write (2xx) is read back: present, exactly once;
 *   - a write whose outcome stayed unknown (COMMIT_TIMEOUT, a broken
 *     connection) resolves through GET /transactions/{txId};
 *   - clients retry with the same Idempotency-Key, and no key made two records;
 *   - writes succeed again within a measured time;
 *   - every peer reports the same block height.
 * Each client operation ends ok (2xx), fail (a definite 4xx refusal) or
 * info (unknown after the client gave up retrying): ok must be on the
 * ledger, info may be, nothing else may.
 *
 * The load: each client runs one asset's life after another (register,
 * confirm, issue, split in two, the first piece transferred, then a financing
 * request on it the bank approves); one workflow in three skips the split and
 * spends the whole voucher twice at once (two transfers to different
 * suppliers, each with its own key): at most one may be acknowledged, and the
 * piece's holder must be that one's recipient.
 *
 * On raft3 the orderers run in network namespaces the suite creates
 * (network/src/netns.ts), so one can be cut off the network without
 * stopping it; without root the suite says so and fails that fault.
 */

const CLIENTS = 4;
const PHASE = { beforeMs: 3_000, faultMs: 10_000, afterMs: 8_000 };
const RETRY = { attempts: 60, delayMs: 500 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`== test:faults: ${line}\n`);

async function until(what: string, timeoutMs: number, probe: () => Promise<true | string>): Promise<number> {
  const start = Date.now();
  let last = '';
  for (;;) {
    const r = await probe().catch((e: Error) => e.message);
    if (r === true) return Date.now() - start;
    last = r;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last}`);
    await sleep(200);
  }
}

// ---------- the REST gateway as its own process ----------

class GatewayProcess {
  readonly url: string;
  readonly tokens: Record<string, string>;
  readonly dir: string;
  constructor(private readonly l: Layout) {
    this.dir = join(l.runDir, 'gateway');
    this.url = `http://127.0.0.1:${l.gatewayPort}`;
    const profile = JSON.parse(readFileSync(profilePath(l), 'utf8')) as { identities: Array<{ label: string; token: string }> };
    this.tokens = Object.fromEntries(profile.identities.map((i) => [i.label, i.token]));
  }

  async start(): Promise<void> {
    if (runningPid(this.dir) === undefined && (await portOpen(this.l.gatewayPort)) === true) {
      throw new Error(`port 127.0.0.1:${this.l.gatewayPort} (the REST gateway) is in use by a process this suite did not start: choose another SCF_FAULTS_PORT_BASE`);
    }
    startProcess({
      dir: this.dir,
      command: process.execPath,
      args: [join(REPO_ROOT, 'dist', 'gateway', 'src', 'main.js')],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SCF_LEDGER: 'fabric',
        SCF_FABRIC_PROFILE: profilePath(this.l),
        PORT: String(this.l.gatewayPort),
        SCF_LOG_LEVEL: 'warn',
      },
      cwd: REPO_ROOT,
    });
    await until('the REST gateway to answer /ready', 90_000, async () => {
      const res = await fetch(`${this.url}/ready`, { signal: AbortSignal.timeout(3_000) });
      return res.status === 200 ? true : `/ready ${res.status}`;
    });
  }
}

// ---------- the load ----------

type Outcome = 'ok' | 'fail' | 'info';
interface Op {
  kind: 'register' | 'confirm' | 'issue' | 'split' | 'transfer' | 'finance' | 'approve';
  /** For a transfer: the member it hands the piece to. */
  to?: string;
  /** One of two transfers of one piece sent at once: its refusal is the expected answer. */
  contested?: boolean;
  key: string;
  /** The last answer: status and problem code. */
  answer: string;
  outcome: Outcome;
  id: string | undefined;
  txId: string | undefined;
  at: number;
}

type Reply = { status: number; body: any; txId: string | undefined } | Error;

async function call(gw: GatewayProcess, label: string, method: string, path: string, body?: object, key?: string): Promise<Reply> {
  try {
    const res = await fetch(`${gw.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${gw.tokens[label]}`, 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(45_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, txId: res.headers.get('transaction-id') ?? undefined };
  } catch (err) {
    return err as Error;
  }
}

/** One write, retried with the same Idempotency-Key while the gateway is unreachable or answers 5xx. */
async function write(gw: GatewayProcess, label: string, kind: Op['kind'], path: string, body: object, ops: Op[]): Promise<Op> {
  const key = `fault-${kind}-${randomBytes(8).toString('hex')}`;
  let reply: Reply = new Error('not sent');
  let txId: string | undefined;
  for (let attempt = 0; attempt < RETRY.attempts; attempt++) {
    reply = await call(gw, label, 'POST', path, body, key);
    if (!(reply instanceof Error)) {
      txId = reply.txId ?? (reply.body?.txId as string | undefined) ?? txId;
      if (reply.status < 500) break;
    }
    await sleep(RETRY.delayMs);
  }
  const outcome: Outcome = reply instanceof Error || reply.status >= 500 ? 'info' : reply.status < 300 ? 'ok' : 'fail';
  const id = reply instanceof Error ? undefined : ((reply.body?.voucher?.id ?? reply.body?.id) as string | undefined);
  const answer = reply instanceof Error ? reply.message : `${reply.status} ${(reply.body?.code as string | undefined) ?? ''}`.trim();
  const to = kind === 'transfer' ? ((body as { to?: string }).to as string) : undefined;
  const op: Op = { kind, key, answer, outcome, id, txId, at: Date.now(), ...(to ? { to } : {}) };
  ops.push(op);
  return op;
}

interface Contest {
  voucher: string;
  transfers: Op[];
}

let workflows = 0;

/**
 * One asset's life across three orgs: the supplier registers, the core
 * enterprise confirms and issues, the supplier transfers (one time in three
 * twice at once, to two suppliers), the new holder asks the bank to finance
 * the piece and the bank approves.
 */
async function workflow(gw: GatewayProcess, dueDate: string, ops: Op[], contests: Contest[]): Promise<void> {
  const contested = workflows++ % 3 === 0;
  const invoice = { ...freshInvoice(), invoiceNumber: `FAULT-${randomBytes(8).toString('hex').toUpperCase()}` };
  const rcv = await write(gw, 'supplier1', 'register', '/receivables', { debtor: demoMember('core').id, amount: '1000000', dueDate, documents: [invoice] }, ops);
  if (rcv.outcome !== 'ok' || !rcv.id) return;
  if ((await write(gw, 'core-maker', 'confirm', `/receivables/${rcv.id}/confirm`, {}, ops)).outcome !== 'ok') return;
  const v = await write(gw, 'core-maker', 'issue', '/vouchers', { receivableId: rcv.id, amount: '1000000', maturityDate: dueDate }, ops);
  if (v.outcome !== 'ok' || !v.id) return;
  // Uncontested: split in two and pass the first piece on; contested: the whole voucher to two suppliers at once.
  let piece = v.id;
  let amount = '1000000';
  if (!contested) {
    const split = await write(gw, 'supplier1', 'split', `/vouchers/${v.id}/split`, { amounts: ['400000', '600000'] }, ops);
    if (split.outcome !== 'ok') return;
    piece = `${v.id}.1`;
    amount = '400000';
  }
  const recipients = contested ? ['supplier2', 'supplier3'] : ['supplier2'];
  const transfers = await Promise.all(
    recipients.map((r) => write(gw, 'supplier1', 'transfer', `/vouchers/${piece}/transfer`, { to: demoMember(r).id, amount }, ops)),
  );
  if (contested) {
    for (const t of transfers) t.contested = true;
    contests.push({ voucher: piece, transfers });
  }
  const won = transfers.find((t) => t.outcome === 'ok');
  if (!won) return;
  const holder = won.to === demoMember('supplier2').id ? 'supplier2' : 'supplier3';
  const advance = String((BigInt(amount) * 9n) / 10n);
  const fin = await write(gw, holder, 'finance', '/financings', { asset: { type: 'VOUCHER', id: piece }, bank: demoMember('bank').id, requestedAmount: advance }, ops);
  if (fin.outcome !== 'ok' || !fin.id) return;
  await write(gw, 'bank-maker', 'approve', `/financings/${fin.id}/approve`, { advanceAmount: advance, annualRateBps: 450 }, ops);
}

// ---------- heights ----------

/** Each peer's channel height, asked of that peer through qscc as an identity of its org. */
async function heights(l: Layout): Promise<number[]> {
  return Promise.all(
    l.peers.map((p: PeerNode) => {
      const e = demoEnrolments(l).find((d) => d.mspId === p.mspId);
      if (!e) throw new Error(`no identity of ${p.mspId}`);
      const target = { endpoint: `127.0.0.1:${p.port}`, tlsCaCertPath: peerTlsCa(l, p.mspId), mspId: e.mspId, certificatePath: e.certificate, privateKeyPath: e.privateKey };
      return withPeer(target, async (gateway) => {
        const bytes = await gateway.getNetwork('scf').getContract('qscc').evaluateTransaction('GetChainInfo', 'scf');
        return common.BlockchainInfo.deserializeBinary(bytes).getHeight();
      });
    }),
  );
}

// ---------- faults ----------

interface Fault {
  name: string;
  profile: ProfileName;
  /** Runs only with the orderers in network namespaces of their own. */
  needsNamespaces?: boolean;
  /** Injects the fault; returns the heal, run PHASE.faultMs later. */
  inject(ctx: Ctx): Promise<() => Promise<void> | void>;
}

interface Ctx {
  l: Layout;
  bin: FabricBinaries;
  gw: GatewayProcess;
}

function restartOrderer(ctx: Ctx, o: OrdererNode): void {
  startOrderer(ctx.l, o, ctx.bin, 'info');
}

/** The Raft leader: the newest "Raft leader changed: a -> b" among the running orderers' logs. */
function raftLeader(l: Layout): OrdererNode {
  let newest: { at: string; id: number } | undefined;
  for (const o of l.orderers) {
    if (runningPid(nodeDir(l, o.name)) === undefined) continue;
    for (const line of readFileSync(logFile(nodeDir(l, o.name)), 'utf8').split('\n')) {
      const m = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+).*Raft leader changed: \d+ -> (\d+)/.exec(line);
      if (m && m[2] !== '0' && (!newest || m[1]! > newest.at)) newest = { at: m[1]!, id: Number(m[2]) };
    }
  }
  const leader = newest && l.orderers[newest.id - 1];
  if (!leader) throw new Error('no Raft leader found in the orderers\' logs');
  return leader;
}

async function killAndWait(dir: string): Promise<void> {
  await waitForExit(signalProcess(dir, 'SIGKILL'));
}

const FAULTS: Fault[] = [
  {
    name: 'kill -9 the Raft leader, restart it',
    profile: 'raft3',
    async inject(ctx) {
      const leader = raftLeader(ctx.l);
      say(`  killing ${leader.name} (the Raft leader)`);
      await killAndWait(nodeDir(ctx.l, leader.name));
      return () => restartOrderer(ctx, leader);
    },
  },
  {
    name: 'SIGSTOP a Raft follower for 10 s, then SIGCONT',
    profile: 'raft3',
    inject(ctx) {
      const leader = raftLeader(ctx.l);
      const follower = ctx.l.orderers.find((o) => o.name !== leader.name) as OrdererNode;
      say(`  stopping ${follower.name} (a follower)`);
      signalProcess(nodeDir(ctx.l, follower.name), 'SIGSTOP');
      return Promise.resolve(() => void signalProcess(nodeDir(ctx.l, follower.name), 'SIGCONT'));
    },
  },
  {
    name: 'cut the Raft leader off the network for 10 s (its link down, the process running)',
    profile: 'raft3',
    needsNamespaces: true,
    inject(ctx) {
      const leader = raftLeader(ctx.l);
      say(`  cutting ${leader.name} (the Raft leader) off: ${leader.netns} eth0 down`);
      setOrdererLink(leader, 'down');
      return Promise.resolve(() => setOrdererLink(leader, 'up'));
    },
  },
  {
    name: "kill -9 the gateway org's peer (PlatformMSP), restart it",
    profile: 'raft3',
    async inject(ctx) {
      const p = ctx.l.peers[0] as PeerNode;
      await killAndWait(nodeDir(ctx.l, p.name));
      return () => void startProcess({ dir: nodeDir(ctx.l, p.name), command: join(ctx.bin.binDir, 'peer'), args: ['node', 'start'], env: peerEnv(ctx.l, p, ctx.bin, 'info') });
    },
  },
  {
    name: 'kill -9 the chaincode server, restart it',
    profile: 'raft3',
    async inject(ctx) {
      const cc = scfChaincode(ctx.l);
      await killAndWait(chaincodeServerDir(ctx.l, cc));
      return async () => void (await startChaincodeServer(ctx.l, cc, (await packageChaincode(ctx.l, cc)).packageId));
    },
  },
  {
    name: 'kill -9 the REST gateway, restart it on the same profile',
    profile: 'raft3',
    async inject(ctx) {
      await killAndWait(ctx.gw.dir);
      return () => ctx.gw.start();
    },
  },
  {
    name: 'BFT: crash one of four orderers, keep writing, restart it',
    profile: 'bft4',
    async inject(ctx) {
      const o = ctx.l.orderers[1] as OrdererNode;
      await killAndWait(nodeDir(ctx.l, o.name));
      return () => restartOrderer(ctx, o);
    },
  },
];

interface FaultResult {
  fault: string;
  /** Why the fault could not be injected on this machine (then it failed). */
  notRun?: string;
  /** Pieces spent twice at once: how many, and how many ended other than exactly one holder's. */
  contested: number;
  contestsWrong: string[];
  acknowledged: number;
  unknownResolved: number;
  unknownLeft: number;
  refused: number;
  refusals: string[];
  lost: number;
  duplicated: number;
  recoverySeconds: number | null;
  heights: number[];
}

const NOTHING: Omit<FaultResult, 'fault'> = {
  contested: 0,
  contestsWrong: [],
  acknowledged: 0,
  unknownResolved: 0,
  unknownLeft: 0,
  refused: 0,
  refusals: [],
  lost: 0,
  duplicated: 0,
  recoverySeconds: null,
  heights: [],
};

async function runFault(ctx: Ctx, fault: Fault, index: number): Promise<FaultResult> {
  say(`fault ${index + 1}: ${fault.name}`);
  const ops: Op[] = [];
  const contests: Contest[] = [];
  const dueDate = new Date(Date.now() + (100 + index) * 86_400_000).toISOString().slice(0, 10); // this fault's records
  let stop = false;
  const load = Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (!stop) await workflow(ctx.gw, dueDate, ops, contests);
  }));
  await sleep(PHASE.beforeMs);
  const heal = await fault.inject(ctx);
  await sleep(PHASE.faultMs);
  await heal();
  const healedAt = Date.now();
  say(`  healed; load continues ${PHASE.afterMs / 1000} s`);
  await sleep(PHASE.afterMs);
  stop = true;
  await load;

  // Unknown outcomes resolve through the ledger.
  let unknownResolved = 0;
  for (const op of ops.filter((o) => o.outcome === 'info')) {
    if (!op.txId) continue;
    const r = await call(ctx.gw, 'auditor', 'GET', `/transactions/${op.txId}`);
    if (!(r instanceof Error) && (r.status === 200 || r.status === 404)) {
      unknownResolved++;
      if (r.status === 200 && r.body.valid === true) op.outcome = 'ok';
      else op.outcome = 'fail';
    }
  }
  // Every acknowledged write is on the ledger.
  let lost = 0;
  for (const op of ops.filter((o) => o.outcome === 'ok')) {
    const path =
      op.kind === 'register' || op.kind === 'confirm' ? `/receivables/${op.id}` : op.kind === 'finance' || op.kind === 'approve' ? `/financings/${op.id}` : `/vouchers/${op.id}`;
    if (!op.id) continue;
    const r = await call(ctx.gw, 'auditor', 'GET', path);
    const present =
      !(r instanceof Error) &&
      r.status === 200 &&
      (op.kind !== 'confirm' || r.body.status !== 'PENDING') &&
      (op.kind !== 'approve' || r.body.status === 'APPROVED') &&
      (op.kind !== 'split' || r.body.status === 'SPLIT') &&
      (op.kind !== 'transfer' || r.body.holder === op.to);
    if (!present) lost++;
  }
  // A piece spent twice at once: at most one transfer acknowledged, and the holder is its recipient.
  const contestsWrong: string[] = [];
  for (const c of contests) {
    const won = c.transfers.filter((t) => t.outcome === 'ok');
    const r = await call(ctx.gw, 'auditor', 'GET', `/vouchers/${c.voucher}`);
    const holder = r instanceof Error ? undefined : (r.body?.holder as string | undefined);
    if (won.length > 1) contestsWrong.push(`${c.voucher}: ${won.length} transfers acknowledged`);
    else if (won.length === 1 && holder !== won[0]?.to) contestsWrong.push(`${c.voucher}: acknowledged to ${won[0]?.to}, held by ${holder}`);
    else if (won.length === 0 && holder !== demoMember('supplier1').id && c.transfers.every((t) => t.outcome === 'fail')) {
      contestsWrong.push(`${c.voucher}: both transfers refused, yet held by ${holder}`);
    }
  }
  // Exactly once: this fault's receivables (its own due date) number no more than the register keys that may have applied.
  const mine = new Set<string>();
  let bookmark = '';
  for (let page = 0; page < 500; page++) {
    const r = await call(ctx.gw, 'auditor', 'GET', `/receivables?creditor=${demoMember('supplier1').id}${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`);
    if (r instanceof Error || r.status !== 200) throw new Error(`listing receivables failed: ${r instanceof Error ? r.message : `${r.status} ${JSON.stringify(r.body)}`}`);
    for (const rec of r.body.records as Array<{ id: string; dueDate: string }>) if (rec.dueDate === dueDate) mine.add(rec.id);
    bookmark = r.body.bookmark as string;
    if (!bookmark) break;
  }
  const registers = ops.filter((o) => o.kind === 'register');
  const maybeApplied = registers.filter((o) => o.outcome !== 'fail').length;
  const duplicated = Math.max(0, mine.size - maybeApplied);
  const ackedIds = new Set(registers.filter((o) => o.outcome === 'ok').map((o) => o.id));
  for (const id of ackedIds) if (!mine.has(id as string)) lost++;

  const firstOk = ops.filter((o) => o.outcome === 'ok' && o.at >= healedAt).map((o) => o.at).sort((a, b) => a - b)[0];
  let peerHeights: number[] = [];
  await until('every peer at the same height', 30_000, async () => {
    peerHeights = await heights(ctx.l);
    return peerHeights.every((h) => h === peerHeights[0]) ? true : `heights ${peerHeights.join(', ')}`;
  });
  const result: FaultResult = {
    fault: fault.name,
    contested: contests.length,
    contestsWrong,
    acknowledged: ops.filter((o) => o.outcome === 'ok').length,
    unknownResolved,
    unknownLeft: ops.filter((o) => o.outcome === 'info').length,
    refused: ops.filter((o) => o.outcome === 'fail' && !o.contested).length,
    refusals: [...new Set(ops.filter((o) => o.outcome === 'fail' && !o.contested).map((o) => `${o.kind}: ${o.answer}`))],
    lost,
    duplicated,
    recoverySeconds: firstOk === undefined ? null : Math.max(0, (firstOk - healedAt) / 1000),
    heights: peerHeights,
  };
  say(`  ${JSON.stringify(result)}`);
  return result;
}

async function main(): Promise<number> {
  let bin: FabricBinaries;
  try {
    bin = findFabric();
  } catch (err) {
    if (!(err instanceof FabricNotFound)) throw err;
    process.stdout.write(`\n# FAULT SUITE NOT RUN: ${err.message}\n\n`);
    return 1;
  }
  // Below the kernel's ephemeral range (32768-60999 here): a port inside it can
  // be taken at any moment as the local end of an outgoing connection, and a
  // node restarted on it then fails with EADDRINUSE (it did: the chaincode
  // server on 47250, restarted in fault 5). 7050 and 27050 are the other networks'.
  const base = Number(process.env.SCF_FAULTS_PORT_BASE ?? 17050);
  const seed = process.env.SCF_FAULTS_ONLY; // e.g. "1,3": run only these faults
  const chosen = FAULTS.map((f, i) => ({ f, i })).filter(({ i }) => !seed || seed.split(',').map(Number).includes(i + 1));
  say('building the chaincode server (tsc -b tsconfig.build.json)');
  buildChaincode();

  const namespaces = namespacesUsable();
  if (namespaces !== true) say(`orderers on loopback, not in network namespaces: ${namespaces}; the fault that cuts an orderer off cannot run`);
  const results: FaultResult[] = [];
  for (const profile of ['raft3', 'bft4'] as const) {
    const faults = chosen.filter(({ f }) => f.profile === profile);
    if (faults.length === 0) continue;
    const runDir = join(REPO_ROOT, '.scf', `network-faults-${profile}`);
    await stopProcess(join(runDir, 'gateway'));
    await down({ runDir, purge: true });
    try {
      const ordererNamespaces = profile === 'raft3' && namespaces === true;
      const r = await up({ runDir, base, profile, ordererNamespaces, log: (line) => process.stdout.write(`network: ${line}\n`) });
      const gw = new GatewayProcess(r.layout);
      await gw.start();
      for (const { f, i } of faults) {
        if (f.needsNamespaces && !r.layout.ordererNamespaces) {
          say(`fault ${i + 1}: ${f.name}: NOT RUN (${String(namespaces)})`);
          results.push({ ...NOTHING, fault: f.name, notRun: String(namespaces) });
          continue;
        }
        results.push(await runFault({ l: r.layout, bin, gw }, f, i));
      }
    } finally {
      // A stopped (SIGSTOP) node cannot take TERM: wake it first.
      for (const dir of [join(runDir, 'gateway'), ...['orderer1', 'orderer2', 'orderer3', 'orderer4'].map((o) => join(runDir, 'nodes', o))]) {
        if (runningPid(dir) !== undefined) signalProcess(dir, 'SIGCONT');
      }
      await stopProcess(join(runDir, 'gateway'));
      const keep = process.env.SCF_FAULTS_KEEP === '1'; // keep the run folder (logs) for a post-mortem
      const stopped = await down({ runDir, purge: !keep });
      say(`${profile} down: ${stopped.length} processes stopped${keep ? `; logs kept in ${runDir}` : ''}`);
    }
  }
  const rows = results.map((r) =>
    r.notRun
      ? `| ${r.fault} | NOT RUN: ${r.notRun} | | | | | | | | |`
      : `| ${r.fault} | ${r.acknowledged} | ${r.refused}${r.refusals.length ? ` (${r.refusals.join('; ')})` : ''} | ${r.unknownResolved} | ${r.unknownLeft} | ${r.lost} | ${r.duplicated} | ${r.contested}, ${r.contestsWrong.length} wrong | ${r.recoverySeconds === null ? '–' : r.recoverySeconds.toFixed(1)} | ${r.heights.join(' / ')} |`,
  );
  const table = [
    '| fault | writes acknowledged | refused (4xx) | unknown, resolved by tx id | unknown left | lost | duplicated | pieces spent twice at once | recovery after heal (s) | peer heights |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  process.stdout.write(`\n${table}\n\n`);
  mkdirSync(join(REPO_ROOT, '.scf'), { recursive: true });
  writeFileSync(join(REPO_ROOT, '.scf', 'faults-results.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
  // Every write of the workflow is valid when sent: any refusal (a 4xx) is a wrong answer.
  const bad = results.filter((r) => r.notRun !== undefined || r.contestsWrong.length > 0 || r.lost > 0 || r.duplicated > 0 || r.unknownLeft > 0 || r.refused > 0 || r.recoverySeconds === null || r.acknowledged === 0);
  for (const r of bad) say(`FAILED: ${r.fault}`);
  say(bad.length === 0 ? `${results.length} faults: nothing acknowledged lost, nothing duplicated` : `${bad.length} of ${results.length} faults failed`);
  return bad.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test:faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
