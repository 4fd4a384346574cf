import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutOf, nodeDir } from '../../../network/src/layout';
import { down, joinedAlready, startChaincodeServer, status, up } from '../../../network/src/network';
import { logFile, runningPid, startProcess, stopProcess } from '../../../network/src/processes';
import { withRunLock } from '../../../network/src/run-lock';

/*
 * What `up` and `down` do with a run folder before any Fabric binary runs:
 * settings the folder's material was made for, the folder's lock, a node
 * that dies while starting. No network is started.
 */

const record = (r: object) => JSON.stringify({ fabricBin: '/fabric/bin', fabricVersion: '3.1.5', ...r }, null, 2);

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * No real Fabric binaries in these tests: should a refusal regress, `up`
 * stops at finding none rather than starting a network.
 */
function withoutFabric(): void {
  const saved = { FABRIC_BIN: process.env.FABRIC_BIN, SCF_FABRIC_CACHE: process.env.SCF_FABRIC_CACHE };
  before(() => {
    delete process.env.FABRIC_BIN;
    process.env.SCF_FABRIC_CACHE = join(tmpdir(), 'scf-no-fabric-here');
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

describe('network up over a run folder made for other settings', () => {
  withoutFabric();
  let runDir: string;
  beforeEach(() => {
    runDir = join(mkdtempSync(join(tmpdir(), 'scf-run-')), 'run');
  });
  afterEach(async () => {
    await stopProcess(join(runDir, 'nodes', 'orderer1'));
    rmSync(join(runDir, '..'), { recursive: true, force: true });
  });

  /** A stopped network's folder: its record and a genesis block. */
  function stoppedNetwork(r: object): void {
    mkdirSync(join(runDir, 'channel'), { recursive: true });
    writeFileSync(join(runDir, 'channel', 'scf.block'), 'genesis');
    writeFileSync(join(runDir, 'network.json'), record(r));
  }

  it('refuses another port base after down, naming the recorded and the asked base, and keeps the record', async () => {
    stoppedNetwork({ profile: 'raft1', base: 13050 });
    const before = readFileSync(join(runDir, 'network.json'), 'utf8');
    const message = await refusal(up({ runDir, base: 13550 }));
    expect(message).to.equal(
      `the run folder ${runDir} holds a network made for port base 13050 (network.json); asked for port base 13550. ` +
        'Its genesis block and chaincode packages are made for the recorded settings: run network:down --purge first (this deletes its ledgers), ' +
        'or bring it up with the recorded settings',
    );
    expect(readFileSync(join(runDir, 'network.json'), 'utf8')).to.equal(before);
  });

  it('refuses raft3 over a stopped raft1 folder, and orderers moved into namespaces', async () => {
    stoppedNetwork({ profile: 'raft1', base: 13050 });
    expect(await refusal(up({ runDir, base: 13050, profile: 'raft3' }))).to.include('made for profile raft1 (network.json); asked for profile raft3.');
    expect(await refusal(up({ runDir, base: 13050, ordererNamespaces: true }))).to.include(
      'made for orderers in namespaces off (network.json); asked for orderers in namespaces on.',
    );
  });

  it('refuses when only a chaincode package carries the old port', async () => {
    mkdirSync(join(runDir, 'chaincode', 'scf'), { recursive: true });
    writeFileSync(join(runDir, 'chaincode', 'scf', 'scf_1.tar.gz'), 'package');
    writeFileSync(join(runDir, 'network.json'), record({ profile: 'raft1', base: 13050 }));
    expect(await refusal(up({ runDir, base: 13550 }))).to.include('made for port base 13050');
  });

  it('refuses another peer batching setting while the network runs, and keeps the record', async () => {
    stoppedNetwork({ profile: 'raft1', base: 13050, peerBatching: true });
    startProcess({ dir: join(runDir, 'nodes', 'orderer1'), command: '/bin/sleep', args: ['30'], env: {} });
    const before = readFileSync(join(runDir, 'network.json'), 'utf8');
    expect(await refusal(up({ runDir, peerBatching: false }))).to.equal(
      `the network in ${runDir} runs with peer batching on; asked for off (SCF_PEER_BATCHING): run network:down first, then up again`,
    );
    expect(readFileSync(join(runDir, 'network.json'), 'utf8')).to.equal(before);
  });
});

describe('network up and down: one at a time per run folder', () => {
  withoutFabric();
  let runDir: string;
  beforeEach(() => {
    runDir = join(mkdtempSync(join(tmpdir(), 'scf-lock-')), 'run');
    // A folder `up` refuses at once: what comes back says whether the lock let it in.
    mkdirSync(join(runDir, 'channel'), { recursive: true });
    writeFileSync(join(runDir, 'channel', 'scf.block'), 'genesis');
    writeFileSync(join(runDir, 'network.json'), record({ profile: 'raft1', base: 13050 }));
  });
  afterEach(() => rmSync(join(runDir, '..'), { recursive: true, force: true }));

  const settingsRefused = /holds a network made for port base 13050/;

  it('lets the second of two concurrent ups in only after the first, telling it who holds the folder', async () => {
    const [first, second] = await Promise.allSettled([up({ runDir, base: 13550 }), up({ runDir, base: 13550 })]);
    expect(first.status === 'rejected' && String(first.reason)).to.match(settingsRefused);
    expect(second.status === 'rejected' && String(second.reason)).to.include(
      `the run folder ${runDir} is in use by pid ${process.pid} (network up): wait for it to finish (lock file ${join(runDir, 'lock')})`,
    );
    expect(existsSync(join(runDir, 'lock'))).to.equal(false);
  });

  /** A lock record naming a process that runs. */
  const liveRecord = (pid: number, what = 'network up') => {
    const startTime = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
    return JSON.stringify({ pid, startTime, what });
  };
  const goneRecord = () => JSON.stringify({ pid: spawnSync('/bin/true').pid, startTime: '1', what: 'network up' });

  it('refuses up and down while a live process holds the lock', async () => {
    const holder = spawn('/bin/sleep', ['30']);
    try {
      writeFileSync(join(runDir, 'lock'), liveRecord(holder.pid!));
      expect(await refusal(up({ runDir }))).to.include(`is in use by pid ${holder.pid} (network up)`);
      expect(await refusal(down({ runDir, purge: true }))).to.include(`is in use by pid ${holder.pid} (network up)`);
      expect(existsSync(join(runDir, 'network.json'))).to.equal(true);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('creates a run folder only its owner can enter (it will hold private keys)', async () => {
    const fresh = join(runDir, '..', 'fresh');
    await withRunLock(fresh, 'test', () => {
      expect(statSync(fresh).mode & 0o777).to.equal(0o700);
      writeFileSync(join(fresh, 'keep'), '');
      return Promise.resolve();
    });
    expect(statSync(fresh).mode & 0o777).to.equal(0o700);
  });

  it('takes over a lock whose holder no longer runs', async () => {
    writeFileSync(join(runDir, 'lock'), goneRecord());
    expect(await refusal(up({ runDir, base: 13550 }))).to.match(settingsRefused);
    expect(existsSync(join(runDir, 'lock'))).to.equal(false);
    await down({ runDir, purge: true });
    expect(existsSync(runDir)).to.equal(false);
  });

  it('waits while another caller takes over a stale lock, then is refused by the lock that caller took', async () => {
    // The other caller: it holds lock.takeover, and 300 ms later puts its own
    // lock in place of the stale one and lets lock.takeover go. Had this
    // caller removed the stale lock meanwhile, both would run.
    const other = spawn('/bin/sleep', ['30']);
    try {
      writeFileSync(join(runDir, 'lock'), goneRecord());
      writeFileSync(join(runDir, 'lock.takeover'), liveRecord(other.pid!));
      writeFileSync(join(runDir, 'lock.next'), liveRecord(other.pid!));
      const finish = spawn('/bin/sh', ['-c', 'sleep 0.3 && mv lock.next lock && rm lock.takeover'], { cwd: runDir });
      const finished = new Promise((resolve) => finish.on('exit', resolve));
      expect(await refusal(up({ runDir, base: 13550 }))).to.include(`is in use by pid ${other.pid} (network up)`);
      expect(await finished).to.equal(0);
      expect(readFileSync(join(runDir, 'lock'), 'utf8')).to.equal(liveRecord(other.pid!));
      expect(existsSync(join(runDir, 'lock.takeover'))).to.equal(false);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('clears a takeover lock left by a caller that died, then takes over the stale lock', async () => {
    writeFileSync(join(runDir, 'lock'), goneRecord());
    writeFileSync(join(runDir, 'lock.takeover'), goneRecord());
    expect(await refusal(up({ runDir, base: 13550 }))).to.match(settingsRefused);
    expect(existsSync(join(runDir, 'lock'))).to.equal(false);
    expect(existsSync(join(runDir, 'lock.takeover'))).to.equal(false);
  });
});

describe('network up: a node that dies while starting', () => {
  withoutFabric();
  let runDir: string;
  beforeEach(() => {
    runDir = mkdtempSync(join(tmpdir(), 'scf-dies-'));
  });
  afterEach(async () => {
    await stopProcess(join(runDir, 'chaincode', 'scf', 'server'));
    rmSync(runDir, { recursive: true, force: true });
  });

  it('fails at once, quoting the end of its log and naming the log file', async function () {
    this.timeout(10_000); // the readiness wait itself allows 30 s
    const l = layoutOf('raft1', 13050, runDir);
    const modulePath = join(runDir, 'empty-module'); // no package.json: the server cannot load a contract
    mkdirSync(modulePath);
    const cc = { name: 'scf', label: 'scf_1', port: await freePort(), modulePath };
    const started = Date.now();
    const message = await refusal(startChaincodeServer(l, cc, 'scf_1:0'));
    expect(Date.now() - started).to.be.below(5_000);
    const log = logFile(join(runDir, 'chaincode', 'scf', 'server'));
    const lastLine = readFileSync(log, 'utf8').trimEnd().split('\n').pop() as string;
    expect(message).to.include(`chaincode server scf is not running: it exited while starting. The end of its log (${log}):`);
    expect(message).to.include(lastLine);
  });

  it('says which processes a failed up left running and how to stop them', async () => {
    // Stand-in Fabric tools: the right version, but cryptogen fails.
    const fabric = join(runDir, 'fabric');
    mkdirSync(join(fabric, 'bin'), { recursive: true });
    for (const t of ['peer', 'orderer', 'osnadmin', 'configtxgen', 'cryptogen']) {
      writeFileSync(join(fabric, 'bin', t), t === 'peer' ? '#!/bin/sh\necho " Version: v3.1.5"\n' : '#!/bin/sh\necho "no" >&2\nexit 1\n');
      chmodSync(join(fabric, 'bin', t), 0o755);
    }
    mkdirSync(join(fabric, 'config'));
    writeFileSync(join(fabric, 'config', 'core.yaml'), 'handlers:\n  authFilters:\n    - name: TimeWindowCheck\n');
    writeFileSync(join(fabric, 'config', 'orderer.yaml'), 'General: {}\n');
    const net = join(runDir, 'net');
    const l = layoutOf('raft1', 13050, net);
    mkdirSync(net);
    writeFileSync(join(net, 'network.json'), record({ profile: 'raft1', base: 13050 }));
    const { pid } = startProcess({ dir: nodeDir(l, 'orderer1'), command: '/bin/sleep', args: ['30'], env: {} });
    const saved = process.env.FABRIC_CFG_PATH;
    process.env.FABRIC_BIN = join(fabric, 'bin');
    delete process.env.FABRIC_CFG_PATH;
    try {
      const message = await refusal(up({ runDir: net, base: 13050 }));
      expect(message).to.match(/^cryptogen generate .* failed: no\n/);
      expect(message).to.include(`Left running: orderer1 (pid ${pid}). Stop them with: SCF_NETWORK_DIR=${net} npm run network:down`);
    } finally {
      delete process.env.FABRIC_BIN;
      if (saved !== undefined) process.env.FABRIC_CFG_PATH = saved;
      await stopProcess(nodeDir(l, 'orderer1'));
    }
    expect(runningPid(nodeDir(l, 'orderer1'))).to.equal(undefined);
  });
});

describe('network up: a peer that answers a join with its complete ledger', () => {
  it('counts as joined only when the ledger of channel scf is ACTIVE', () => {
    const failed = (state: string, channel = 'scf') =>
      new Error(`peer channel join -b /run/channel/scf.block failed: Error: proposal failed (err: cannot create ledger from genesis block: ledger [${channel}] already exists with state [${state}])`);
    expect(joinedAlready(failed('ACTIVE'))).to.equal(true);
    expect(joinedAlready(failed('UNDER_CONSTRUCTION'))).to.equal(false);
    expect(joinedAlready(failed('ACTIVE', 'other'))).to.equal(false);
    expect(joinedAlready(new Error('peer channel join failed: connection refused'))).to.equal(false);
  });
});

describe('network status of a run folder', () => {
  let runDir: string;
  beforeEach(() => {
    runDir = join(mkdtempSync(join(tmpdir(), 'scf-run-')), 'run');
    mkdirSync(runDir, { recursive: true });
  });
  afterEach(() => rmSync(join(runDir, '..'), { recursive: true, force: true }));

  it('shows the ports and profile its up recorded, and what was asked when another base is asked for', () => {
    writeFileSync(join(runDir, 'network.json'), record({ profile: 'raft3', base: 31050 }));
    const recorded = layoutOf('raft3', 31050, runDir);
    const asked = status({ runDir }, { SCF_NETWORK_PORT_BASE: '32050' });
    expect(asked.layout).to.include({ base: 31050, profile: 'raft3' });
    expect(asked.asked).to.deep.equal({ base: 32050, profile: 'raft3' });
    const ports = asked.nodes.map((n) => n.port);
    expect(ports).to.include.members([...recorded.orderers.map((o) => o.port), ...recorded.peers.map((p) => p.port)]);
    expect(ports.every((port) => port >= 31050 && port < 32050), 'every port from the recorded base').to.equal(true);
    expect(asked.nodes.every((n) => n.pid === undefined)).to.equal(true);
    const plain = status({ runDir }, {});
    expect(plain.layout).to.include({ base: 31050, profile: 'raft3' });
    expect(plain).not.to.have.property('asked');
    expect(plain.nodes).to.deep.equal(asked.nodes);
  });

  it('shows the asked layout for a run folder that was never brought up', () => {
    const s = status({ runDir }, { SCF_NETWORK_PORT_BASE: '33050' });
    expect(s.layout.base).to.equal(33050);
    expect(s).not.to.have.property('asked');
  });
});
