import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedRuntime } from '../../gateway/src/runtime';
import { exited, startProcess } from '../support/gateway-process';
import { CORE, fingerprintOf, freshInvoice, isoDate } from './harness';

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
        const invoice = freshInvoice();
        const fingerprint = fingerprintOf(invoice);
        try {
          const res = await fetch(`${first.base}/receivables`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ debtor: CORE(), amount: '10000', dueDate: isoDate(30), documents: [invoice] }),
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
    await exited(first.child);

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
      await exited(second.child);
    }
    expect(second.child.exitCode).to.equal(0);
  });
});

interface Answer {
  status: number;
  body: string;
  /** When the last byte of the response arrived. */
  at: number;
}

/** One request through `agent` (node:http, so the keep-alive connection is under the test's control). */
function call(
  agent: Agent,
  url: string,
  init: { method?: string; token?: string; body?: object; onSent?: () => void; onData?: (soFar: string) => void } = {},
): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = request(url, {
      agent,
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
        ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
      },
    });
    req.once('error', reject);
    req.once('finish', () => init.onSent?.());
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        init.onData?.(body);
      });
      res.once('error', reject);
      res.once('end', () => resolvePromise({ status: res.statusCode ?? 0, body, at: Date.now() }));
    });
    req.end(payload);
  });
}

/**
 * SIGTERM must not wait for clients' keep-alive connections (the server's
 * keep-alive timeout is 5 s) nor for the 10 s grace timer when no request is
 * running. The bound of 3 s is a behaviour bound, well under the 5 s a
 * lingering keep-alive connection would cost, not a benchmark.
 */
describe('HTTP: graceful shutdown of the gateway process', function () {
  this.timeout(120_000);
  const PROMPT_EXIT_MS = 3_000;
  let dataDir: string;
  let supplierToken: string;
  const children: ChildProcess[] = [];
  const agents: Agent[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scf-shutdown-'));
    // The demo set-up runs here, in-process and fast, so that a gateway
    // started with a slow batch timeout does not spend minutes on it.
    const runtime = await openEmbeddedRuntime({ dataDir, batchTimeoutMs: 2, batchMaxTx: 100, submitDeadlineMs: 15_000, demo: true });
    supplierToken = runtime.tokens.get('supplier1') as string;
    await runtime.ledger.close();
  });
  after(async () => {
    for (const a of agents) a.destroy();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const keepAliveAgent = (): Agent => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  };
  const register = () => ({ debtor: CORE(), amount: '10000', dueDate: isoDate(30), documents: [freshInvoice()] });

  it('exits 0 at once on SIGTERM while a client holds an idle keep-alive connection and another an event stream', async () => {
    const gw = await startProcess(dataDir);
    children.push(gw.child);
    const agent = keepAliveAgent();
    const res = await call(agent, `${gw.base}/receivables`, { method: 'POST', token: supplierToken, body: register() });
    expect(res.status, res.body).to.equal(201);
    // The connection stays open, idle, in the agent's pool.
    expect(Object.values(agent.freeSockets).flat()).to.have.length(1);
    let onData = (_soFar: string) => {};
    const streaming = new Promise<void>((r) => (onData = (soFar) => soFar.includes('ReceivableRegistered') && r()));
    const stream = call(keepAliveAgent(), `${gw.base}/events`, { token: supplierToken, onData });
    await streaming;

    const sent = Date.now();
    gw.child.kill('SIGTERM');
    const ended = await stream;
    expect(ended.status).to.equal(200);
    const code = await exited(gw.child);
    const took = Date.now() - sent;
    expect(code, gw.output()).to.equal(0);
    expect(took, `exit took ${took} ms after SIGTERM`).to.be.below(PROMPT_EXIT_MS);
  });

  it('answers the request in flight at SIGTERM, then exits 0 without waiting for its keep-alive connection', async () => {
    // A 1 s batch timeout keeps a submit in flight long enough to send SIGTERM during it.
    const gw = await startProcess(dataDir, { SCF_BATCH_TIMEOUT_MS: '1000' });
    children.push(gw.child);
    const idle = keepAliveAgent();
    expect((await call(idle, `${gw.base}/health`)).status).to.equal(200);
    expect(Object.values(idle.freeSockets).flat()).to.have.length(1);

    const busy = keepAliveAgent();
    let onSent = () => {};
    const requestSent = new Promise<void>((r) => (onSent = r));
    const inFlight = call(busy, `${gw.base}/receivables`, { method: 'POST', token: supplierToken, body: register(), onSent });
    await requestSent;
    await new Promise((r) => setTimeout(r, 200));

    const sent = Date.now();
    gw.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status, res.body).to.equal(201);
    expect((JSON.parse(res.body) as { status: string }).status).to.equal('PENDING');
    expect(res.at, 'the response came after SIGTERM').to.be.greaterThan(sent);

    const code = await exited(gw.child);
    const took = Date.now() - sent;
    expect(code, gw.output()).to.equal(0);
    expect(took, `exit took ${took} ms after SIGTERM`).to.be.below(PROMPT_EXIT_MS);
  });
});
