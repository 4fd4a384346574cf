import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { csrFor } from '../../support/certs';
import { openEmbeddedRuntime } from '../../../gateway/src/runtime';
import { captured, exited, type Finished, ROOT, runToExit, type SpawnOptions, startProcess, untilListening } from '../../support/gateway-process';

/** A start that failed as the operator should see it: exit status 1, one line on stderr, no stack, never LISTENING. */
function expectOneLineFailure(run: Finished, ...mentions: string[]): void {
  expect(run.signal, `still running after the timeout:\n${run.stderr}`).to.equal(null);
  expect(run.code, run.stderr).to.equal(1);
  expect(run.stdout).not.to.contain('LISTENING');
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^gateway failed to start: /);
  expect(run.stderr).not.to.match(/\n\s+at /);
  for (const m of mentions) expect(run.stderr).to.contain(m);
}

describe('gateway process: start-up failures and the first start', function () {
  this.timeout(120_000);
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'scf-process-'));
  });
  after(async () => {
    await chmod(tmp, 0o700).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  });

  it('exits 1 naming the port and the cause when another process listens on PORT, and creates nothing', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    const dataDir = join(tmp, 'port-in-use');
    try {
      const run = await runToExit(dataDir, { PORT: String(port) });
      expectOneLineFailure(run, `PORT=${port}`, `127.0.0.1:${port}`, 'already in use');
    } finally {
      await new Promise((r) => holder.close(r));
    }
    expect(existsSync(dataDir), 'the data folder was created').to.equal(false);
  });

  it('refuses a second gateway on a data folder another one holds, naming the folder and SCF_DATA_DIR', async () => {
    const dataDir = join(tmp, 'held');
    const first = await openEmbeddedRuntime({ dataDir, batchTimeoutMs: 2, batchMaxTx: 100, submitDeadlineMs: 15_000, demo: false });
    try {
      const run = await runToExit(dataDir);
      expectOneLineFailure(run, 'another gateway', `SCF_DATA_DIR=${dataDir}`);
      expect(run.stderr).not.to.contain('Database failed to open');
    } finally {
      await first.ledger.close();
    }
  });

  it('exits 1 at once, naming SCF_DATA_DIR, for a folder the file system cannot create (/proc/x), instead of spinning', async () => {
    const run = await runToExit('/proc/scf-x', {}, { timeoutMs: 30_000 });
    expectOneLineFailure(run, 'SCF_DATA_DIR=/proc/scf-x', 'cannot create /proc/scf-x');
  });

  it('exits 1 naming SCF_DATA_DIR and the path for a folder it may not create or write in, and for an unreadable identity file', async () => {
    // Root ignores permission bits: as root, the gateway runs as nobody.
    const as: SpawnOptions = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    await chmod(tmp, 0o755);
    const readOnly = join(tmp, 'read-only');
    await mkdir(readOnly, { mode: 0o555 });
    await chmod(readOnly, 0o555);
    const unreadable = join(tmp, 'unreadable');
    await mkdir(unreadable, { mode: 0o777 });
    await chmod(unreadable, 0o777);
    await writeFile(join(unreadable, 'identities.json'), '{}', { mode: 0o600 });
    await chmod(join(unreadable, 'identities.json'), 0o000);
    const [create, write, read] = await Promise.all([
      runToExit(join(readOnly, 'data'), {}, as),
      runToExit(readOnly, {}, as),
      runToExit(unreadable, {}, as),
    ]);
    expectOneLineFailure(create, `SCF_DATA_DIR=${join(readOnly, 'data')}`, `cannot create ${join(readOnly, 'data')}: permission denied`);
    expectOneLineFailure(write, `SCF_DATA_DIR=${readOnly}`, 'cannot write in it: permission denied');
    expectOneLineFailure(read, `SCF_DATA_DIR=${unreadable}`, `${join(unreadable, 'identities.json')}: permission denied`);
  });

  it("bootstraps the operator SCF_OPERATOR_ID names without the demo: its identity signs in, no demo member is written, no token is printed; a later start changes nothing, another operator is refused", async () => {
    const dataDir = join(tmp, 'own-operator');
    const operatorId = withCheckChar('91310115MA1K4LXX0');
    const env = { SCF_DEMO: 'false', SCF_OPERATOR_ID: operatorId, SCF_OPERATOR_NAME: 'Shanghai SCF Platform Co., Ltd.' };
    const first = await startProcess(dataDir, env);
    let tokens: Array<{ label: string; token: string }> = [];
    try {
      tokens = (JSON.parse(await readFile(join(dataDir, 'identities.json'), 'utf8')) as { identities: Array<{ label: string; token: string }> }).identities;
      const token = (label: string) => tokens.find((i) => i.label === label)?.token as string;
      const printed = first.output();
      expect(printed).to.contain(`bootstrapped the platform operator's member ${operatorId}`).and.to.contain(join(dataDir, 'identities.json'));
      for (const { token: t } of tokens) expect(printed).not.to.contain(t);
      const me = await fetch(`${first.base}/me`, { headers: { Authorization: `Bearer ${token('operator-admin')}` } });
      expect(me.status).to.equal(200);
      const who = (await me.json()) as { member: { id: string; name: string; roles: string[] }; identity: { userRole: string } };
      expect(who.member).to.include({ id: operatorId, name: 'Shanghai SCF Platform Co., Ltd.' });
      expect(who.member.roles).to.deep.equal(['OPERATOR']);
      expect(who.identity.userRole).to.equal('ADMIN');
      const members = (await (await fetch(`${first.base}/members`, { headers: { Authorization: `Bearer ${token('operator-admin')}` } })).json()) as { records: Array<{ id: string }> };
      expect(members.records.map((m) => m.id)).to.deep.equal([operatorId]);
      expect((await fetch(`${first.base}/me`, { headers: { Authorization: `Bearer ${token('supplier1')}` } })).status).to.equal(403);
    } finally {
      first.child.kill('SIGTERM');
      await exited(first.child);
    }
    // Reminders scan often here: they read as the operator (the demo's auditor is nobody on this ledger).
    const again = await startProcess(dataDir, { ...env, SCF_REMINDER_INTERVAL_MS: '100' });
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      expect(again.output()).not.to.contain('bootstrapped').and.not.to.contain('maturity reminders: scan failed');
      expect((await fetch(`${again.base}/me`, { headers: { Authorization: `Bearer ${tokens.find((i) => i.label === 'operator-admin')?.token}` } })).status).to.equal(200);
    } finally {
      again.child.kill('SIGTERM');
      await exited(again.child);
    }
    const other = withCheckChar('91310115MA1K4LYY0');
    const refused = await runToExit(dataDir, { ...env, SCF_OPERATOR_ID: other }, { timeoutMs: 60_000 });
    expectOneLineFailure(refused, `bound to member ${operatorId}, not to SCF_OPERATOR_ID=${other}`);
    // The demo left on (the default) writes nothing to a ledger for real work, and says how to start it.
    const withDemo = await runToExit(dataDir, {}, { timeoutMs: 60_000 });
    expectOneLineFailure(withDemo, `this ledger's operator is member ${operatorId}, not the demo's`, 'SCF_DEMO=false');
    expect(withDemo.stdout).not.to.contain('Demo identities');

    // The first ADMIN's key leaked: a second ADMIN unbinds it. Later starts still find the ledger theirs.
    const operatorToken = tokens.find((i) => i.label === 'operator-admin')?.token as string;
    const third = await startProcess(dataDir, env);
    let secondToken: string;
    try {
      const call = (token: string, method: string, path: string, body?: unknown) =>
        fetch(`${third.base}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const members = (await (await call(operatorToken, 'GET', '/members')).json()) as { records: Array<{ id: string }> };
      expect(members.records.map((m) => m.id), 'no demo member was written').to.deep.equal([operatorId]);
      const issued = (await (await call(operatorToken, 'POST', `/members/${operatorId}/credentials`, { csr: (await csrFor('second-admin')).pem, userRole: 'ADMIN' })).json()) as { token: string };
      secondToken = issued.token;
      const first = (await (await call(operatorToken, 'GET', '/me')).json()) as { identity: { mspId: string; identityId: string } };
      const unbound = await call(secondToken, 'POST', `/members/${operatorId}/identities/unbind`, { mspId: first.identity.mspId, identityId: first.identity.identityId });
      expect(unbound.status).to.equal(200);
    } finally {
      third.child.kill('SIGTERM');
      await exited(third.child);
    }
    const fourth = await startProcess(dataDir, env);
    try {
      expect(fourth.output()).not.to.contain('bootstrapped');
      expect((await fetch(`${fourth.base}/me`, { headers: { Authorization: `Bearer ${secondToken}` } })).status).to.equal(200);
      expect((await fetch(`${fourth.base}/me`, { headers: { Authorization: `Bearer ${operatorToken}` } })).status).to.equal(403);
    } finally {
      fourth.child.kill('SIGTERM');
      await exited(fourth.child);
    }
  });

  it('prints no demo token table with SCF_DEMO=false on a fresh folder, and what it prints instead is true', async () => {
    const dataDir = join(tmp, 'no-demo');
    const gw = await startProcess(dataDir, { SCF_DEMO: 'false' });
    let operatorToken: string;
    try {
      const file = JSON.parse(await readFile(join(dataDir, 'identities.json'), 'utf8')) as { identities: Array<{ label: string; token: string }> };
      operatorToken = file.identities.find((i) => i.label === 'operator-admin')?.token as string;
      const printed = gw.output();
      expect(printed).not.to.contain('Demo identities');
      for (const { token } of file.identities) expect(printed).not.to.contain(token);
      expect(printed).to.contain('has no members (SCF_DEMO=false)').and.to.contain('refused (403)').and.to.contain('SCF_DEMO=true');
      // As printed: a token is refused.
      const me = await fetch(`${gw.base}/me`, { headers: { Authorization: `Bearer ${operatorToken}` } });
      expect(me.status).to.equal(403);
    } finally {
      gw.child.kill('SIGTERM');
      await exited(gw.child);
    }
    // As printed: a start with SCF_DEMO=true sets the members up and prints the tokens, which then work.
    const demo = await startProcess(dataDir, { SCF_DEMO: 'true' });
    try {
      expect(demo.output()).to.contain('Demo identities').and.to.contain(operatorToken);
      const me = await fetch(`${demo.base}/me`, { headers: { Authorization: `Bearer ${operatorToken}` } });
      expect(me.status).to.equal(200);
    } finally {
      demo.child.kill('SIGTERM');
      await exited(demo.child);
    }
  });
});

/** Every process below `pid` (Linux /proc), children first. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return; // gone
    }
    for (const t of tasks) {
      let kids: number[] = [];
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        continue;
      }
      for (const k of kids) {
        out.push(k);
        walk(k);
      }
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (port: number): Promise<boolean> =>
  new Promise((r) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      r(true);
    });
    socket.once('error', () => r(false));
  });

async function eventually(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) if (await check()) return true;
  return check();
}

describe('npm start', function () {
  // The first start may build gateway and chaincode in full.
  this.timeout(300_000);
  const BUILD_INFO = join(ROOT, 'dist', 'gateway.tsbuildinfo');
  let tmp: string;
  const started: number[] = [];
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'scf-npm-start-'));
  });
  after(async () => {
    // Whatever a failed test left running, by the pids this test started.
    for (const pid of started.reverse()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  });

  function npmStart(dataDir: string): { npm: ChildProcess; output: ReturnType<typeof captured> } {
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, SCF_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SCF_LOG_LEVEL: 'warn', SCF_BATCH_TIMEOUT_MS: '5' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(npm.pid as number);
    return { npm, output: captured(npm) };
  }

  it('builds only gateway and chaincode, saying so, and only what changed: a second start is up to date', async () => {
    const dataDir = join(tmp, 'build');
    const first = npmStart(dataDir);
    const a = await untilListening(first.npm, first.output);
    expect(first.output.stderr()).to.match(/building gateway and chaincode \(tsc -b tsconfig\.build\.json\)…\n(built in [\d.]+ s|up to date \(checked in [\d.]+ s\))\n/);
    first.npm.kill('SIGTERM');
    expect(await exited(first.npm), a.output()).to.equal(0);
    const built = statSync(BUILD_INFO).mtimeMs;

    const second = npmStart(dataDir);
    const b = await untilListening(second.npm, second.output);
    expect(second.output.stderr(), b.output()).to.match(/up to date \(checked in [\d.]+ s\)/);
    expect(statSync(BUILD_INFO).mtimeMs).to.equal(built);
    second.npm.kill('SIGTERM');
    await exited(second.npm);
  });

  it('stops the gateway when the process npm started gets SIGTERM, as from a supervisor: the port closes and nothing it started is left', async () => {
    const { npm, output } = npmStart(join(tmp, 'signal'));
    const running = await untilListening(npm, output);
    const port = Number(new URL(running.base).port);
    const below = descendants(npm.pid as number);
    started.push(...below);
    expect(below, 'npm started no process').not.to.have.length(0);
    expect(await portOpen(port)).to.equal(true);

    npm.kill('SIGTERM');
    await exited(npm);
    expect(await eventually(async () => !(await portOpen(port))), `port ${port} still open:\n${running.output()}`).to.equal(true);
    expect(await eventually(() => below.every((pid) => !alive(pid))), `left running: ${below.filter(alive).join(', ')}`).to.equal(true);
  });
});

