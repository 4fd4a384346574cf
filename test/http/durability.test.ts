import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CORE, freshFingerprint, isoDate } from './harness';

const ROOT = resolve(__dirname, '../..');

interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** Starts `gateway/src/main.ts` as its own process on the embedded ledger in `dataDir`. */
function startProcess(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'gateway/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, SCF_LEDGER: 'embedded', SCF_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SCF_LOG_LEVEL: 'warn', SCF_BATCH_TIMEOUT_MS: '5' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, base: `http://127.0.0.1:${m[1]}`, output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
  });
}

describe('HTTP: durability of the embedded gateway', function () {
  this.timeout(120_000);
  let dataDir: string;
  const children: ChildProcess[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scf-durable-'));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write after the process is killed mid-stream and restarted', async () => {
    const first = await startProcess(dataDir);
    children.push(first.child);
    expect(first.output()).to.contain('Demo identities');
    const file = JSON.parse(await readFile(join(dataDir, 'identities.json'), 'utf8')) as { identities: Array<{ label: string; token: string }> };
    const token = file.identities.find((i) => i.label === 'supplier1')?.token as string;
    const auditor = file.identities.find((i) => i.label === 'auditor')?.token as string;

    const acked: Array<{ id: string; txId: string; fingerprint: string }> = [];
    let stop = false;
    const writer = async () => {
      while (!stop) {
        const fingerprint = freshFingerprint();
        try {
          const res = await fetch(`${first.base}/receivables`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ debtor: CORE(), amount: '10000', dueDate: isoDate(30), documents: [{ kind: 'INVOICE', fingerprint }] }),
          });
          if (res.status === 201) {
            const body = (await res.json()) as { id: string };
            acked.push({ id: body.id, txId: res.headers.get('transaction-id') as string, fingerprint });
          }
        } catch {
          return; // the process is gone
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await killed(first.child);

    const second = await startProcess(dataDir);
    children.push(second.child);
    expect(second.output()).not.to.contain('Demo identities');
    try {
      for (const w of acked) {
        const res = await fetch(`${second.base}/receivables/${w.id}`, { headers: { Authorization: `Bearer ${token}` } });
        expect(res.status, w.id).to.equal(200);
        const body = (await res.json()) as { createdTxId: string; documents: Array<{ fingerprint: string }> };
        expect(body.createdTxId).to.equal(w.txId);
        expect(body.documents[0]?.fingerprint).to.equal(w.fingerprint);
        const tx = await fetch(`${second.base}/transactions/${w.txId}`, { headers: { Authorization: `Bearer ${auditor}` } });
        expect(((await tx.json()) as { validationCode: string }).validationCode).to.equal('VALID');
      }
    } finally {
      second.child.kill('SIGTERM');
      await killed(second.child);
    }
    expect(second.child.exitCode).to.equal(0);
  });
});
