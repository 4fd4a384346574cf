import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningPid, signalProcess, startProcess, stopProcess, waitForExit } from '../../../network/src/processes';

describe('network processes: pid files, stopped by pid only', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scf-proc-'));
  });
  afterEach(async () => {
    await stopProcess(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  const sleeper = () => ({ dir, command: '/bin/sleep', args: ['30'], env: {} });

  it('starts once: a second start finds the running process', async () => {
    const first = startProcess(sleeper());
    expect(first.started).to.equal(true);
    expect(runningPid(dir)).to.equal(first.pid);
    expect(startProcess(sleeper())).to.deep.equal({ pid: first.pid, started: false });
    expect(await stopProcess(dir)).to.equal(true);
    expect(runningPid(dir)).to.equal(undefined);
    expect(await stopProcess(dir)).to.equal(false); // twice is fine
  });

  it('never trusts a pid file whose process is not the one it started: removed, not signalled', () => {
    const { pid } = startProcess(sleeper());
    const record = JSON.parse(readFileSync(join(dir, 'pid'), 'utf8')) as { startTime: string };
    // The same pid number, but "started" at another time: a pid the system reused.
    writeFileSync(join(dir, 'pid'), JSON.stringify({ ...record, startTime: '1' }));
    expect(runningPid(dir)).to.equal(undefined);
    expect(existsSync(join(dir, 'pid'))).to.equal(false);
    process.kill(pid, 0); // still alive: nothing was sent to it
    process.kill(pid, 'SIGKILL');
  });

  it('counts a killed child as exited before it is reaped', async () => {
    startProcess(sleeper());
    const pid = signalProcess(dir, 'SIGKILL');
    await waitForExit(pid, 5_000);
    expect(runningPid(dir)).to.equal(undefined);
  });

  it('never starts a node twice: a pid file another starter has claimed but not written yet is left to it', () => {
    writeFileSync(join(dir, 'pid'), ''); // claimed this instant by another `up`
    expect(() => startProcess(sleeper())).to.throw(`another process is starting the node in ${dir} (its pid file is not written yet)`);
    expect(readFileSync(join(dir, 'pid'), 'utf8')).to.equal('');
    expect(existsSync(join(dir, 'log'))).to.equal(false); // nothing was spawned
  });

  it('takes over a claimed pid file its starter never wrote', () => {
    writeFileSync(join(dir, 'pid'), '');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'pid'), longAgo, longAgo);
    const { pid, started } = startProcess(sleeper());
    expect(started).to.equal(true);
    expect(runningPid(dir)).to.equal(pid);
  });
});
