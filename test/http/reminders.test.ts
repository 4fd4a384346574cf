import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { READ_CONCURRENCY } from '../../gateway/src/reports/portfolio';
import { openNotifications, readerIdentity } from '../../gateway/src/webhooks';
import { MAX_READS_BY_ID } from '../../gateway/src/webhooks/reminders';
import { captureSse, WebhookReceiver, type Received } from '../support/webhook-receiver';
import { BANK, CORE, confirmedReceivable, type Label, SUPPLIER1, SUPPLIER3, TEST_WEBHOOKS, type TestGateway } from './harness';
import { advanceDays, itWithOwnClock, ledgerDate } from './time-travel';

/*
 * Maturity reminders and overdue escalation (issue 17, item 2): with the
 * sandbox clock moved across maturity, each (asset, milestone) reaches each
 * party once, on webhooks and on the event stream, with the same id from a
 * second gateway watching the same ledger.
 */

const MILESTONES = ['DUE_IN_3_DAYS', 'DUE_IN_1_DAY', 'OVERDUE_1_DAY', 'OVERDUE_30_DAYS', 'OVERDUE_60_DAYS', 'OVERDUE_90_DAYS'];
const TYPES = ['MaturityReminder', 'OverdueEscalation'];

const keyOf = (r: Received) => {
  const d = r.json.data as { asset: { type: string; id: string }; milestone: string };
  return `${d.asset.type} ${d.asset.id} ${d.milestone}`;
};

describe('HTTP: maturity reminders and overdue escalation', function () {
  this.timeout(120_000);

  itWithOwnClock('notifies holder, issuer and bank once per asset and milestone as the clock crosses maturity, with the same ids from a second gateway', async (gw: TestGateway) => {
    const post = async (path: string, body: object, label: Label, status = 200) => {
      const res = await gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
      if (res.status !== status) throw new Error(`${path}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Record<string, unknown> & { id: string };
    };
    const mat = await ledgerDate(gw, 10);
    // V: held by supplier1, issued by the core enterprise. V2: discounted at the bank (financing F).
    const v = await post('/vouchers', { receivableId: await confirmedReceivable(gw, '1000000'), amount: '1000000', maturityDate: mat }, 'core-maker', 201);
    const v2 = await post('/vouchers', { receivableId: await confirmedReceivable(gw, '500000'), amount: '500000', maturityDate: mat }, 'core-maker', 201);
    const f = await post('/financings', { asset: { type: 'VOUCHER', id: v2.id }, bank: BANK(), requestedAmount: '480000' }, 'supplier1', 201);
    await post(`/financings/${f.id}/approve`, { advanceAmount: '480000', annualRateBps: 450 }, 'bank-maker');
    await post(`/financings/${f.id}/disburse`, { paymentRef: 'CNAPS-REM' }, 'bank-maker');

    const receivers = new Map<Label, WebhookReceiver>();
    const second = await WebhookReceiver.start();
    const otherDir = await mkdtemp(join(tmpdir(), 'scf-webhooks-2-'));
    // A second gateway on the same ledger: its own outbox, its own endpoint for supplier1.
    const other = await openNotifications(gw.ledger.runtime.ledger, {
      dataDir: otherDir,
      webhooks: TEST_WEBHOOKS,
      reminders: { intervalMs: 60_000, reader: readerIdentity(gw.ledger.runtime.identities, undefined) },
      tickMs: 20,
    });
    const sse = await captureSse(`${await gw.listen()}/events`, gw.auth('supplier1'));
    try {
      for (const label of ['supplier1', 'core-maker', 'bank-maker'] as const) {
        const r = await WebhookReceiver.start();
        receivers.set(label, r);
        const res = await gw.http.post('/webhooks').set('Authorization', gw.auth(label)).send({ url: r.url, eventTypes: TYPES });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        r.secret = res.body.secret as string;
      }
      const ep = await other.outbox.register({ memberId: SUPPLIER1(), seesAll: false, url: second.url, eventTypes: TYPES, createdBy: { memberId: SUPPLIER1(), identityId: 'test' } });
      second.secret = ep.secret;

      const expected = (assets: string[]) => assets.flatMap((a) => MILESTONES.map((m) => `${a} ${m}`));
      const want: Record<string, string[]> = {
        'supplier1': expected([`VOUCHER ${v.id}`, `FINANCING ${f.id}`]),
        'core-maker': expected([`VOUCHER ${v.id}`, `VOUCHER ${v2.id}`]),
        'bank-maker': expected([`VOUCHER ${v2.id}`, `FINANCING ${f.id}`]),
      };
      const ours = (r: WebhookReceiver) => r.received.filter((x) => TYPES.includes(x.json.type) && [v.id, v2.id, f.id].some((id) => x.body.includes(`"${id}"`)));
      // Day by day across maturity: D-3, D-1, D+1, D+30, D+60, D+90, then 10 days more (nothing new).
      let reached = 0;
      for (const days of [7, 2, 2, 29, 30, 30, 10]) {
        await advanceDays(gw, days);
        await gw.notifications.reminders?.trigger();
        await other.reminders?.trigger();
        reached = Math.min(reached + 1, MILESTONES.length);
        const upTo = new Set(MILESTONES.slice(0, reached));
        for (const [label, r] of receivers) {
          const due = (want[label] ?? []).filter((k) => upTo.has(k.split(' ')[2] ?? ''));
          await r.until(() => new Set(ours(r).map(keyOf)).size >= due.length, `${label}: ${due.length} notifications`);
        }
      }
      // A further scan finds nothing new.
      expect(await gw.notifications.reminders?.trigger()).to.equal(0);
      await second.until(() => new Set(ours(second).map(keyOf)).size >= (want['supplier1'] ?? []).length, 'the second gateway');

      for (const [label, r] of receivers) {
        const got = ours(r);
        expect(got.map(keyOf).sort(), label).to.deep.equal([...(want[label] ?? [])].sort());
        expect(new Set(got.map((x) => x.id)).size, `${label}: one id per (asset, milestone)`).to.equal(got.length);
        expect(got.every((x) => x.verified), label).to.equal(true);
      }
      // The same (asset, milestone) has the same id whichever gateway sent it.
      const idsOf = (r: WebhookReceiver) => new Map(ours(r).map((x) => [keyOf(x), x.id]));
      expect(idsOf(second)).to.deep.equal(idsOf(receivers.get('supplier1') as WebhookReceiver));
      const milestone = ours(receivers.get('bank-maker') as WebhookReceiver).find((x) => keyOf(x) === `VOUCHER ${v2.id} OVERDUE_30_DAYS`);
      expect(milestone?.json.type).to.equal('OverdueEscalation');
      expect(milestone?.json.data).to.deep.include({ dueDate: mat, daysOverdue: 30, amount: '500000' });
      expect((milestone?.json.data as { recipients: string[] }).recipients.sort()).to.deep.equal([BANK(), CORE()].sort());

      // The event stream of supplier1 showed each of its notifications once.
      const framesOf = (text: string) =>
        text.split('\n\n').filter((fr) => /^event: (MaturityReminder|OverdueEscalation)$/m.test(fr) && [v.id, f.id].some((id) => fr.includes(`"${id}"`)));
      await sse.until((text) => framesOf(text).length >= (want['supplier1'] ?? []).length, "supplier1's notifications on its event stream");
      const frames = framesOf(sse.text());
      expect(frames).to.have.length((want['supplier1'] ?? []).length);
      expect(frames.every((fr) => !/^id: /m.test(fr)), 'notifications leave Last-Event-ID to the ledger cursor').to.equal(true);
    } finally {
      await sse.close();
      await other.close();
      await rm(otherDir, { recursive: true, force: true });
      for (const r of [...receivers.values(), second]) await r.close();
    }
  });

  /** What the reminders told anyone about `assetId`, in order: `milestone amount daysToDue|daysOverdue`. */
  const told = (gw: TestGateway) => {
    const got: Array<{ asset: { id: string }; milestone: string; amount: string; daysToDue?: number; daysOverdue?: number }> = [];
    gw.notifications.hub.subscribe((n) => got.push(n.data as (typeof got)[number]));
    return (assetId: string) => got.filter((d) => d.asset.id === assetId).map((d) => `${d.milestone} ${d.amount} ${d.daysToDue ?? d.daysOverdue}`);
  };
  const issue = async (gw: TestGateway, amount: string, maturityDate: string, receivableId?: string) => {
    const res = await gw.http.post('/vouchers').set('Authorization', gw.auth('core-maker')).send({ receivableId: receivableId ?? (await confirmedReceivable(gw, amount)), amount, maturityDate });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; receivableId: string };
  };
  /**
   * Records each read the gateway makes of the ledger, as `entry` writes it
   * (the contract function's name unless told), until `restore` is called.
   */
  const recordReads = (gw: TestGateway, entry: (name: string, command: object) => string = (name) => name) => {
    const ledger = gw.ledger.runtime.ledger;
    const evaluate = ledger.evaluate.bind(ledger);
    const asked: string[] = [];
    ledger.evaluate = (identity, name, command, opts) => {
      asked.push(entry(name, command));
      return evaluate(identity, name, command, opts);
    };
    const restore = () => {
      ledger.evaluate = evaluate;
    };
    return { asked, restore };
  };

  itWithOwnClock('sends every escalation of a voucher, late and in order, after the clock jumps past all of them', async (gw: TestGateway) => {
    const of = told(gw);
    const piece = await issue(gw, '100000', await ledgerDate(gw, 5));
    await gw.notifications.reminders?.trigger();
    await advanceDays(gw, 2);
    await gw.notifications.reminders?.trigger();
    await advanceDays(gw, 100); // a gateway down for 100 days, or one sandbox advance
    await gw.notifications.reminders?.trigger();
    expect(of(piece.id)).to.deep.equal(['DUE_IN_3_DAYS 100000 3', 'OVERDUE_1_DAY 100000 97', 'OVERDUE_30_DAYS 100000 97', 'OVERDUE_60_DAYS 100000 97', 'OVERDUE_90_DAYS 100000 97']);
  });

  itWithOwnClock('sends the 90-day escalation of a voucher when the 90th day passed unscanned', async (gw: TestGateway) => {
    const of = told(gw);
    const piece = await issue(gw, '200000', await ledgerDate(gw, 5));
    await advanceDays(gw, 5 + 89);
    await gw.notifications.reminders?.trigger();
    await advanceDays(gw, 3);
    await gw.notifications.reminders?.trigger();
    expect(of(piece.id)).to.deep.equal(['OVERDUE_1_DAY 200000 89', 'OVERDUE_30_DAYS 200000 89', 'OVERDUE_60_DAYS 200000 89', 'OVERDUE_90_DAYS 200000 92']);
  });

  itWithOwnClock('keeps scanning after the clock moves ten years at once', async (gw: TestGateway) => {
    const of = told(gw);
    await gw.notifications.reminders?.trigger();
    await advanceDays(gw, 3700);
    await gw.notifications.reminders?.trigger();
    const piece = await issue(gw, '300000', await ledgerDate(gw, 3));
    await gw.notifications.reminders?.trigger();
    expect(of(piece.id)).to.deep.equal(['DUE_IN_3_DAYS 300000 3']);
  });

  itWithOwnClock('reminds of a partly vouchered receivable what is owed directly, and of the rest as its voucher', async (gw: TestGateway) => {
    const of = told(gw);
    const receivableId = await confirmedReceivable(gw, '1000000');
    const { dueDate } = (await gw.http.get(`/receivables/${receivableId}`).set('Authorization', gw.auth('supplier1'))).body as { dueDate: string };
    const piece = await issue(gw, '600000', dueDate, receivableId);
    const daysLeft = (Date.parse(dueDate) - Date.parse(await ledgerDate(gw))) / 86_400_000;
    await advanceDays(gw, daysLeft - 3);
    await gw.notifications.reminders?.trigger();
    expect(of(receivableId)).to.deep.equal(['DUE_IN_3_DAYS 400000 3']);
    expect(of(piece.id)).to.deep.equal(['DUE_IN_3_DAYS 600000 3']);
  });

  itWithOwnClock('tells only the new holder of a piece passed on after a milestone, not again the issuer and the holder told for the piece it came from', async (gw: TestGateway) => {
    const got: Array<{ milestone: string; asset: { id: string }; recipients: string[] }> = [];
    gw.notifications.hub.subscribe((n) => got.push({ ...(n.data as { milestone: string; asset: { id: string } }), recipients: [...n.recipients].sort() }));
    const piece = await issue(gw, '1000000', await ledgerDate(gw, 5));
    await advanceDays(gw, 2);
    await gw.notifications.reminders?.trigger();
    await advanceDays(gw, 1);
    const moved = await gw.http.post(`/vouchers/${piece.id}/transfer`).set('Authorization', gw.auth('supplier1')).send({ to: SUPPLIER3(), amount: '400000' });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    await gw.notifications.reminders?.trigger();
    const dueIn3 = got.filter((d) => d.milestone === 'DUE_IN_3_DAYS').map((d) => `${d.asset.id} ${d.recipients.join(',')}`);
    expect(dueIn3).to.deep.equal([`${piece.id} ${[CORE(), SUPPLIER1()].sort().join(',')}`, `${piece.id}.1 ${SUPPLIER3()}`]);
    // The next milestone is news to everyone: each piece's holder and the issuer.
    await advanceDays(gw, 1);
    await gw.notifications.reminders?.trigger();
    const dueIn1 = got.filter((d) => d.milestone === 'DUE_IN_1_DAY').map((d) => `${d.asset.id} ${d.recipients.join(',')}`).sort();
    expect(dueIn1).to.deep.equal([`${piece.id}.1 ${[CORE(), SUPPLIER3()].sort().join(',')}`, `${piece.id}.2 ${[CORE(), SUPPLIER1()].sort().join(',')}`].sort());
  });

  itWithOwnClock('reads nothing again while the ledger day and height stay the same, and scans again once a block is committed', async (gw: TestGateway) => {
    const of = told(gw);
    const piece = await issue(gw, '500000', await ledgerDate(gw, 2));
    expect(await gw.notifications.reminders?.trigger()).to.equal(1);
    expect(of(piece.id)).to.deep.equal(['DUE_IN_3_DAYS 500000 2']);
    const store = gw.notifications.outbox.store;
    const fired = store.fired.bind(store);
    let lookups = 0;
    store.fired = (id: string) => {
      lookups += 1;
      return fired(id);
    };
    try {
      expect(await gw.notifications.reminders?.trigger()).to.equal(0);
      expect(lookups, 'an idle ledger: nothing looked at').to.equal(0);
      const { asked, restore } = recordReads(gw, (name, command) => `${name} ${JSON.stringify(command)}`);
      try {
        const receivableId = await confirmedReceivable(gw, '100000');
        asked.length = 0;
        expect(await gw.notifications.reminders?.trigger()).to.equal(0);
        expect(asked, 'a block committed: what it changed is read').to.include(`receivable:Get {"id":"${receivableId}"}`);
      } finally {
        restore();
      }
    } finally {
      store.fired = fired;
    }
  });

  itWithOwnClock('reads, later in a ledger day, only the assets events named since the last scan, and everything again on the next day', async (gw: TestGateway) => {
    const of = told(gw);
    await issue(gw, '300000', await ledgerDate(gw, 20));
    await gw.notifications.reminders?.trigger(); // the day's first scan: everything
    const { asked, restore } = recordReads(gw);
    try {
      const piece = await issue(gw, '500000', await ledgerDate(gw, 2));
      asked.length = 0;
      expect(await gw.notifications.reminders?.trigger()).to.equal(1);
      expect(of(piece.id)).to.deep.equal(['DUE_IN_3_DAYS 500000 2']);
      expect(asked.filter((n) => n.endsWith(':List') || n.endsWith(':Maturities')), 'no listing later in the day').to.deep.equal([]);
      expect(asked).to.include('voucher:Get');
      // The next day the first scan reads every outstanding asset again. Moving the clock
      // starts a scan itself (the sandbox clock triggers one), which may finish before the
      // trigger below, then only a later-in-the-day pass: count reads from the move on.
      asked.length = 0;
      await advanceDays(gw, 1);
      await gw.notifications.reminders?.trigger();
      expect(asked).to.include('receivable:List').and.to.include('voucher:List');
      expect(of(piece.id)).to.deep.equal(['DUE_IN_3_DAYS 500000 2', 'DUE_IN_1_DAY 500000 1']);
    } finally {
      restore();
    }
  });

  itWithOwnClock('reads the assets many events named a bounded number at a time, every one of them', async (gw: TestGateway) => {
    await gw.notifications.reminders?.trigger(); // the day's first scan: everything
    const count = 3 * READ_CONCURRENCY;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await confirmedReceivable(gw, '10000'));
    const ledger = gw.ledger.runtime.ledger;
    const evaluate = ledger.evaluate.bind(ledger);
    const read: string[] = [];
    let inFlight = 0;
    let most = 0;
    ledger.evaluate = async (identity, name, command, opts) => {
      if (name !== 'receivable:Get') return evaluate(identity, name, command, opts);
      read.push((command as { id: string }).id);
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        // Long enough for reads started together to overlap.
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await evaluate(identity, name, command, opts);
      } finally {
        inFlight -= 1;
      }
    };
    try {
      await gw.notifications.reminders?.trigger();
    } finally {
      ledger.evaluate = evaluate;
    }
    expect(read).to.include.members(ids);
    // A peer serves a bounded number of calls at once and refuses the rest, the members' own among them.
    expect(most, 'receivable reads under way at once').to.be.at.most(READ_CONCURRENCY).and.above(1);
  });

  itWithOwnClock('reads everything instead when the events since named more assets than it reads one by one', async (gw: TestGateway) => {
    const scanner = gw.notifications.reminders;
    if (!scanner) throw new Error('the test gateway runs reminders');
    await scanner.trigger(); // the day's first scan: everything
    const { asked, restore } = recordReads(gw);
    scanner.maxReadsById = 2;
    try {
      await confirmedReceivable(gw, '10000');
      await confirmedReceivable(gw, '10000');
      asked.length = 0;
      await scanner.trigger();
      expect(asked, 'two assets named: read by id').to.include('receivable:Get').and.not.include('receivable:List');
      for (let i = 0; i < 3; i++) await confirmedReceivable(gw, '10000');
      asked.length = 0;
      await scanner.trigger();
      expect(asked, 'three named: listed').to.include('receivable:List').and.not.include('receivable:Get');
    } finally {
      restore();
      scanner.maxReadsById = MAX_READS_BY_ID;
    }
  });
});
