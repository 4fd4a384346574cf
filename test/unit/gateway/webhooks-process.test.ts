import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, type Running, startProcess } from '../../support/gateway-process';
import { WebhookReceiver } from '../../support/webhook-receiver';
import { CORE, freshInvoice } from '../../http/harness';

/*
 * Webhooks and reminders across a gateway that dies (issue 17). The gateway
 * runs as a child process on the embedded ledger and is killed with SIGKILL
 * while a delivery is in flight: only a process shows that. Embedded only
 * (the process is the ledger), so these live outside test/http.
 */

const ENV = {
  SCF_WEBHOOK_ALLOW_PRIVATE: 'true',
  SCF_WEBHOOK_RETRY_SCHEDULE_MS: '50,100',
  SCF_WEBHOOK_MAX_ATTEMPTS: '50',
  SCF_WEBHOOK_TIMEOUT_MS: '10000',
  SCF_REMINDER_INTERVAL_MS: '100',
  SCF_SANDBOX_CLOCK: 'true',
};

type Tokens = Record<string, string>;

async function tokensOf(dataDir: string): Promise<Tokens> {
  const file = JSON.parse(await readFile(join(dataDir, 'identities.json'), 'utf8')) as { identities: Array<{ label: string; token: string }> };
  return Object.fromEntries(file.identities.map((i) => [i.label, i.token]));
}

async function call(base: string, token: string, method: string, path: string, body?: object): Promise<{ status: number; body: any; txId: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, txId: res.headers.get('transaction-id') };
}

async function ok(p: Promise<{ status: number; body: any; txId: string | null }>, status = 200) {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('Webhooks across a killed gateway (child process, embedded ledger)', function () {
  this.timeout(180_000);
  let dataDir: string;
  const children: ChildProcess[] = [];
  const receivers: WebhookReceiver[] = [];
  const start = async () => {
    const r: Running = await startProcess(dataDir, ENV);
    children.push(r.child);
    return r;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scf-webhooks-proc-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await exited(c);
      }
    }
    for (const r of receivers.splice(0)) await r.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers every event at least once, none missed, all signed, when the gateway is killed mid-delivery and restarted; a repeat carries the same id and bytes', async () => {
    let gw = await start();
    const tokens = await tokensOf(dataDir);
    const supplier = tokens['supplier1'] as string;
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const reg = await ok(call(gw.base, supplier, 'POST', '/webhooks', { url: receiver.url, eventTypes: ['ReceivableRegistered'] }), 201);
    receiver.secret = reg.body.secret as string;

    // The 4th delivery hangs: the gateway is killed while waiting for its answer.
    let hungId: string | undefined;
    let hung: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => (hung = resolve));
    receiver.respond = (r) => {
      if (hungId === undefined && receiver.received.length === 4) {
        hungId = r.id;
        hung();
        return 'hang';
      }
      return 200;
    };
    const write = async (base: string) =>
      (await ok(call(base, supplier, 'POST', '/receivables', { debtor: CORE(), amount: '10000', dueDate: '2030-01-31', documents: [freshInvoice()] }), 201)).txId as string;
    const txIds: string[] = [];
    for (let i = 0; i < 8; i += 1) txIds.push(await write(gw.base));
    await hanging;
    gw.child.kill('SIGKILL');
    expect(await exited(gw.child)).to.equal(null);

    gw = await start();
    for (let i = 0; i < 4; i += 1) txIds.push(await write(gw.base));
    const want = txIds.map((t) => `evt_${t}`);
    await receiver.until(() => want.every((id) => receiver.ids().has(id)), 'every event after the restart');

    expect(receiver.received.every((r) => r.verified), 'every signature verifies').to.equal(true);
    const hungCopies = receiver.received.filter((r) => r.id === hungId);
    expect(hungCopies.length, 'the delivery cut by the kill is sent again').to.be.greaterThan(1);
    for (const id of receiver.ids()) {
      const copies = receiver.received.filter((r) => r.id === id);
      expect(new Set(copies.map((c) => c.body)).size, `${id}: a repeat sends the same bytes`).to.equal(1);
    }
    // Order per endpoint is commit order: the first copy of each event comes in the order written.
    const firstSeen = want.map((id) => receiver.received.findIndex((r) => r.id === id));
    expect([...firstSeen].sort((a, b) => a - b)).to.deep.equal(firstSeen);

    // The gateway records a success after the receiver's answer, so the last may still be in flight: wait for it.
    const deliveries = async () => {
      const dl = await ok(call(gw.base, supplier, 'GET', `/webhooks/${reg.body.endpoint.id as string}/deliveries?limit=1000`));
      return (dl.body.deliveries as Array<{ messageId: string; status: string }>).filter((d) => want.includes(d.messageId));
    };
    let ours = await deliveries();
    for (const until = Date.now() + 10_000; Date.now() < until && !ours.every((d) => d.status === 'SUCCEEDED'); ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ours = await deliveries();
    }
    expect(ours.map((d) => d.messageId).sort()).to.deep.equal([...want].sort());
    expect(ours.filter((d) => d.status !== 'SUCCEEDED'), 'deliveries not recorded SUCCEEDED').to.deep.equal([]);
    gw.child.kill('SIGTERM');
    expect(await exited(gw.child)).to.equal(0);
  });

  it('sends each reminder and escalation once per asset and milestone across a killed and a stopped gateway, as the sandbox clock crosses maturity', async () => {
    let gw = await start();
    const tokens = await tokensOf(dataDir);
    const as = (label: string) => tokens[label] as string;
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const reg = await ok(call(gw.base, as('supplier1'), 'POST', '/webhooks', { url: receiver.url, eventTypes: ['MaturityReminder', 'OverdueEscalation'] }), 201);
    receiver.secret = reg.body.secret as string;

    const today = async () => ((await ok(call(gw.base, as('operator-admin'), 'GET', '/ready'))).body.sandboxClock.now as string).slice(0, 10);
    const voucher = async (maturityDate: string) => {
      const rcv = await ok(call(gw.base, as('supplier1'), 'POST', '/receivables', { debtor: CORE(), amount: '50000', dueDate: maturityDate, documents: [freshInvoice({ amount: '50000' })] }), 201);
      await ok(call(gw.base, as('core-maker'), 'POST', `/receivables/${rcv.body.id as string}/confirm`, {}));
      return (await ok(call(gw.base, as('core-maker'), 'POST', '/vouchers', { receivableId: rcv.body.id, amount: '50000', maturityDate }), 201)).body.id as string;
    };
    const advance = (days: number) => ok(call(gw.base, as('operator-admin'), 'POST', '/sandbox/clock', { advance: `P${days}D` }));
    const milestonesOf = (assetId: string) =>
      receiver.received
        .filter((r) => (r.json.data as { asset?: { id: string } }).asset?.id === assetId)
        .map((r) => ({ id: r.id, milestone: (r.json.data as { milestone: string }).milestone }));
    const reached = (assetId: string, milestone: string) => () => milestonesOf(assetId).some((m) => m.milestone === milestone);

    const v = await voucher(addDays(await today(), 10));
    const steps: Array<[number, string, 'SIGKILL' | 'SIGTERM' | undefined]> = [
      [7, 'DUE_IN_3_DAYS', undefined],
      [2, 'DUE_IN_1_DAY', 'SIGKILL'],
      [2, 'OVERDUE_1_DAY', undefined],
      [29, 'OVERDUE_30_DAYS', 'SIGTERM'],
      [30, 'OVERDUE_60_DAYS', undefined],
      [30, 'OVERDUE_90_DAYS', undefined],
    ];
    for (const [days, milestone, restart] of steps) {
      await advance(days);
      await receiver.until(reached(v, milestone), `${v} ${milestone}`);
      if (restart) {
        gw.child.kill(restart);
        await exited(gw.child);
        gw = await start();
      }
    }
    // A sentinel maturing in 3 days: its reminder comes from a scan that also saw v (its maturity
    // sorts first in the maturity index), so any repeat for v would have been queued before it.
    await advance(10);
    const sentinel = await voucher(addDays(await today(), 3));
    await receiver.until(reached(sentinel, 'DUE_IN_3_DAYS'), 'the sentinel reminder');

    const got = milestonesOf(v);
    const byMilestone = new Map<string, Set<string>>();
    for (const m of got) byMilestone.set(m.milestone, (byMilestone.get(m.milestone) ?? new Set()).add(m.id));
    expect([...byMilestone.keys()].sort()).to.deep.equal(steps.map(([, m]) => m).sort());
    for (const [m, ids] of byMilestone) expect(ids.size, `${m}: one notification`).to.equal(1);
    expect(new Set(got.map((g) => g.id)).size).to.equal(6);
    expect(receiver.received.every((r) => r.verified)).to.equal(true);
    const dl = await ok(call(gw.base, as('supplier1'), 'GET', `/webhooks/${reg.body.endpoint.id as string}/deliveries?limit=1000`));
    const forV = (dl.body.deliveries as Array<{ messageId: string }>).filter((d) => got.some((g) => g.id === d.messageId));
    expect(forV).to.have.length(6);
  });
});
