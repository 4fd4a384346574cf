import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedRuntime } from '../../../gateway/src/runtime';
import { exited, type Finished, runToExit, type SpawnOptions, startProcess } from '../../support/gateway-process';

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
