import { expect } from 'chai';
import { BANK, isoDate, issuedVoucher, type Label, pendingReceivable, receiptBody, startGateway, SUPPLIER2, SUPPLIER3, type TestGateway } from './harness';
import { SseClient } from './sse-client';

describe('HTTP: GET /events (Server-Sent Events)', () => {
  let gw: TestGateway;
  let base: string;
  const open: SseClient[] = [];
  const connect = async (headers: Record<string, string> = {}, path = '/events', label: Label = 'auditor') => {
    const c = await SseClient.open(`${base}${path}`, { Authorization: gw.auth(label), ...headers });
    open.push(c);
    return c;
  };
  const as = (label: Label, headers: Record<string, string> = {}) => connect(headers, '/events', label);
  const named = (c: SseClient, name: string, id: string) => c.events.filter((e) => e.event === name && e.data.includes(id));

  before(async () => {
    gw = await startGateway();
    base = await gw.listen();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  after(async () => {
    await gw?.close();
  });

  it('streams every committed event from the start, with the cursor as id and the name as event', async () => {
    const c = await connect();
    expect(c.status).to.equal(200);
    expect(c.contentType).to.match(/^text\/event-stream/);
    // The demo setup alone committed events (bootstrap, registrations, bindings).
    await c.until((x) => x.events.length >= 3);
    const first = c.events[0];
    expect(first?.event).to.equal(JSON.parse(first?.data ?? '{}').name);
    expect(JSON.parse(first?.data ?? '{}')).to.include.keys('txId', 'blockNumber', 'txIndex', 'payload');
    expect(first?.id).to.be.a('string').and.not.equal('');
  });

  it('delivers new events live as transactions commit', async () => {
    const c = await connect();
    await c.until((x) => x.events.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    const before = c.events.length;
    const { id } = await pendingReceivable(gw);
    await c.until((x) => x.events.length > before);
    const e = c.events[before];
    expect(e?.event).to.equal('ReceivableRegistered');
    expect(JSON.parse(e?.data ?? '{}').payload.ids.receivableId).to.equal(id);
  });

  it('resumes after Last-Event-ID with no event lost and none repeated', async () => {
    const first = await connect();
    await first.until((x) => x.events.length >= 2);
    const lastSeen = first.events[1]?.id as string;
    first.close();
    // writes while the client is away
    const made = [await pendingReceivable(gw), await pendingReceivable(gw)];
    const resumed = await connect({ 'Last-Event-ID': lastSeen });
    const full = await connect();
    await full.until((x) => x.events.some((e) => e.data.includes(made[1]?.id ?? '?')));
    await resumed.until((x) => x.events.length >= full.events.length - 2);
    const expected = full.events.slice(2).map((e) => e.id);
    expect(resumed.events.map((e) => e.id)).to.deep.equal(expected);
    expect(new Set(expected).size).to.equal(expected.length);
  });

  it('accepts the resume position as ?lastEventId= for a first connection', async () => {
    const full = await connect();
    await full.until((x) => x.events.length >= 3);
    const c = await connect({}, `/events?lastEventId=${encodeURIComponent(full.events[0]?.id ?? '')}`);
    await c.until((x) => x.events.length >= 2);
    expect(c.events[0]?.id).to.equal(full.events[1]?.id);
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const c = await connect();
    await c.until((x) => x.comments >= 2, 3_000);
  });

  it('rejects a malformed Last-Event-ID with 400 problem+json', async () => {
    const c = await connect({ 'Last-Event-ID': 'not-a-cursor' });
    expect(c.status).to.equal(400);
    expect(c.contentType).to.match(/^application\/problem\+json/);
    await c.until((x) => x.ended);
    expect(JSON.parse(c.body).code).to.equal('VALIDATION_FAILED');
    expect(JSON.parse(c.body).errors.map((e: { path: string }) => e.path)).to.deep.equal(['header.Last-Event-ID']);
    // One in the header's form but not this ledger's, and the query form: the field is named too.
    for (const [headers, path, field] of [
      [{ 'Last-Event-ID': 'abc' }, '/events', 'header.Last-Event-ID'],
      [{}, '/events?lastEventId=abc', 'query.lastEventId'],
      [{}, '/events?lastEventId=%20', 'query.lastEventId'],
    ] as const) {
      const bad = await connect(headers, path);
      expect(bad.status, path).to.equal(400);
      await bad.until((x) => x.ended);
      expect(JSON.parse(bad.body).errors.map((e: { path: string }) => e.path), path).to.deep.equal([field]);
    }
  });

  it("refuses with 404 a Last-Event-ID that is not on this ledger (another chain's), and streams nothing", async () => {
    const full = await connect();
    await full.until((x) => x.events.length >= 1);
    const real = (full.events[0]?.id as string).split(':');
    // Fabric's cursor names its transaction: a block this chain has, holding another transaction.
    // The embedded ledger's names a position: a block it does not have.
    const foreign = real.length === 3 ? `${real[0]}:0:${'ab'.repeat(32)}` : '1000000:0';
    const c = await connect({ 'Last-Event-ID': foreign });
    expect(c.status).to.equal(404);
    expect(c.contentType).to.match(/^application\/problem\+json/);
    await c.until((x) => x.ended);
    const problem = JSON.parse(c.body) as { code: string; detail: string };
    expect(problem.code).to.equal('NOT_FOUND');
    expect(problem.detail).to.contain(`event cursor ${foreign} is not on`);
    expect(c.events).to.deep.equal([]);
  });

  it('requires a token', async () => {
    const c = await SseClient.open(`${base}/events`, {});
    open.push(c);
    expect(c.status).to.equal(401);
  });

  // Visibility (DESIGN §4): parties, auditors and operators.
  it('hides a ReceivableRegistered from a supplier not party to it, and shows it to creditor, debtor and auditor', async () => {
    const { id } = await pendingReceivable(gw);
    const auditor = await as('auditor');
    const creditor = await as('supplier1');
    const debtor = await as('core-checker');
    const outsider = await as('supplier3');
    for (const c of [auditor, creditor, debtor]) await c.until((x) => named(x, 'ReceivableRegistered', id).length === 1);
    // The outsider has read up to the auditor's position once it sees a later event naming it.
    const marker = await issuedVoucher(gw);
    const t = await gw.http.post(`/vouchers/${marker.id}/transfer`).set('Authorization', gw.auth('supplier1')).send({ to: SUPPLIER3(), amount: '1000' });
    expect(t.status).to.equal(200);
    await outsider.until((x) => named(x, 'VoucherTransferred', marker.id).length === 1);
    expect(named(outsider, 'ReceivableRegistered', id)).to.have.length(0);
    expect(outsider.events.every((e) => e.data.includes(SUPPLIER3()))).to.equal(true);
    // The auditor sees strictly more than the outsider.
    await auditor.until((x) => named(x, 'VoucherTransferred', marker.id).length === 1);
    expect(auditor.events.length).to.be.greaterThan(outsider.events.length);
  });

  it('delivers a VoucherTransferred to the transfer recipient', async () => {
    const v = await issuedVoucher(gw);
    const recipient = await as('supplier3');
    const t = await gw.http.post(`/vouchers/${v.id}/transfer`).set('Authorization', gw.auth('supplier1')).send({ to: SUPPLIER3(), amount: '250000' });
    expect(t.status).to.equal(200);
    await recipient.until((x) => named(x, 'VoucherTransferred', v.id).length === 1);
    // It never saw the issue, which names only the core enterprise and supplier1.
    expect(named(recipient, 'VoucherIssued', v.id)).to.have.length(0);
  });

  it("tells the warehouse each change of its receipt's hands (split, transfer), never a pledge's terms, and tells no one else", async () => {
    const post = (path: string, body: object, label: Label) => gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
    const receipt = await post('/warehouse-receipts', receiptBody(), 'warehouse');
    expect(receipt.status).to.equal(201);
    const warehouse = await as('warehouse');
    const stranger = await as('core-maker');
    expect((await post(`/warehouse-receipts/${receipt.body.id}/split`, { quantities: [200, 300] }, 'supplier1')).status).to.equal(200);
    const [first, second] = [`${receipt.body.id}.1`, `${receipt.body.id}.2`];
    const pledge = await post('/financings', { asset: { type: 'WAREHOUSE_RECEIPT', id: second }, bank: BANK(), requestedAmount: '1000000', dueDate: isoDate(60) }, 'supplier1');
    expect(pledge.status).to.equal(201);
    expect((await post(`/warehouse-receipts/${first}/transfer`, { to: SUPPLIER2() }, 'supplier1')).status).to.equal(200);
    await warehouse.until((x) => named(x, 'WarehouseReceiptTransferred', first).length === 1);
    expect(named(warehouse, 'WarehouseReceiptSplit', receipt.body.id)).to.have.length(1);
    // Committed before the transfer, so already passed by: the pledge's terms are the owner's and the bank's.
    expect(named(warehouse, 'FinancingRequested', second)).to.have.length(0);
    // The core enterprise is party to none of it: by the time it sees a later event of its own, it has seen none of these.
    const later = await issuedVoucher(gw);
    await stranger.until((x) => named(x, 'VoucherIssued', later.id).length === 1);
    expect(stranger.events.filter((e) => e.data.includes(receipt.body.id as string))).to.have.length(0);
  });

  it("tells the owner, not the warehouse, that the bank released its pledge", async () => {
    const post = (path: string, body: object, label: Label) => gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
    const receipt = await post('/warehouse-receipts', receiptBody({ valuation: '1000000' }), 'warehouse');
    expect(receipt.status).to.equal(201);
    const fin = await post('/financings', { asset: { type: 'WAREHOUSE_RECEIPT', id: receipt.body.id }, bank: BANK(), requestedAmount: '500000', dueDate: isoDate(30) }, 'supplier1');
    expect((await post(`/financings/${fin.body.id}/approve`, { advanceAmount: '500000', annualRateBps: 400 }, 'bank-maker')).status).to.equal(200);
    expect((await post(`/financings/${fin.body.id}/disburse`, { paymentRef: 'CNAPS-PL' }, 'bank-maker')).status).to.equal(200);
    const owner = await as('supplier1');
    const warehouse = await as('warehouse');
    expect((await post(`/warehouse-receipts/${receipt.body.id}/release`, { paymentRef: 'CNAPS-BACK' }, 'bank-checker')).status).to.equal(200);
    await owner.until((x) => named(x, 'WarehouseReceiptReleased', receipt.body.id as string).length === 1);
    // The warehouse is told of a later change of hands, by then past the release.
    expect((await post(`/warehouse-receipts/${receipt.body.id}/transfer`, { to: SUPPLIER2() }, 'supplier1')).status).to.equal(200);
    await warehouse.until((x) => named(x, 'WarehouseReceiptTransferred', receipt.body.id as string).length === 1);
    expect(named(warehouse, 'WarehouseReceiptReleased', receipt.body.id as string)).to.deep.equal([]);
  });

  it("shows no member an event because a reason or a payment reference spells its id: only the parties' fields count", async () => {
    const post = (path: string, body: object, label: Label) => gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
    const outsider = await as('supplier3');
    const v = await issuedVoucher(gw);
    const fin = await post('/financings', { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '500000' }, 'supplier1');
    expect(fin.status).to.equal(201);
    expect((await post(`/financings/${fin.body.id}/reject`, { reason: SUPPLIER3() }, 'bank-maker')).status).to.equal(200);
    const again = await post('/financings', { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '500000' }, 'supplier1');
    expect((await post(`/financings/${again.body.id}/withdraw`, { reason: SUPPLIER3() }, 'supplier1')).status).to.equal(200);
    // Then an event that does name the outsider: by the time it arrives, the stream is past the two above.
    const t = await post(`/vouchers/${v.id}/transfer`, { to: SUPPLIER3(), amount: '1000' }, 'supplier1');
    expect(t.status).to.equal(200);
    await outsider.until((x) => named(x, 'VoucherTransferred', v.id).length === 1);
    expect(outsider.events.filter((e) => e.data.includes(fin.body.id as string) || e.data.includes(again.body.id as string))).to.deep.equal([]);
    expect((await gw.http.get(`/financings/${fin.body.id}`).set('Authorization', gw.auth('supplier3'))).status).to.equal(404);
  });

  it('resumes a filtered stream after Last-Event-ID across hidden events, none lost and none repeated', async () => {
    const first = await as('supplier3');
    const v1 = await issuedVoucher(gw);
    await gw.http.post(`/vouchers/${v1.id}/transfer`).set('Authorization', gw.auth('supplier1')).send({ to: SUPPLIER3(), amount: '1000' });
    await first.until((x) => named(x, 'VoucherTransferred', v1.id).length === 1);
    const lastSeen = first.events[first.events.length - 1]?.id as string;
    first.close();
    // Hidden events (a receivable of supplier1 on core) and a visible one while away.
    await pendingReceivable(gw);
    const v2 = await issuedVoucher(gw);
    await gw.http.post(`/vouchers/${v2.id}/transfer`).set('Authorization', gw.auth('supplier1')).send({ to: SUPPLIER3(), amount: '1000' });
    const resumed = await as('supplier3', { 'Last-Event-ID': lastSeen });
    const full = await as('supplier3');
    await full.until((x) => named(x, 'VoucherTransferred', v2.id).length === 1);
    await resumed.until((x) => named(x, 'VoucherTransferred', v2.id).length === 1);
    const at = full.events.findIndex((e) => e.id === lastSeen);
    expect(at).to.be.at.least(0);
    const expected = full.events.slice(at + 1).map((e) => e.id);
    expect(resumed.events.map((e) => e.id)).to.deep.equal(expected);
    expect(expected.length).to.be.at.least(1);
  });

  it('ends open streams when the gateway shuts down', async () => {
    const c = await connect();
    await c.until((x) => x.events.length > 0);
    gw.shutdown.abort();
    await c.until((x) => x.ended, 3_000);
  });
});
