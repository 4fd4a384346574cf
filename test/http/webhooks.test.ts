import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { captureSse, WebhookReceiver } from '../support/webhook-receiver';
import { CORE, expectProblem, freshInvoice, isoDate, pendingReceivable, startGateway, SUPPLIER1, SUPPLIER3, type Label, type TestGateway } from './harness';

/*
 * Webhooks (issue 17): registration, signed deliveries scoped like the event
 * stream, retries, disabling and redelivery. Runs on every ledger: the
 * receivers are local and the gateway allows loopback (TEST_WEBHOOKS).
 */

interface Registered {
  endpoint: { id: string; status: string; disabledReason?: string; disabledDeliveryId?: string; pendingDeliveries: number; consecutiveFailures: number };
  secret: string;
}

async function register(gw: TestGateway, label: Label, receiver: WebhookReceiver, eventTypes: string[] = ['*']): Promise<Registered> {
  const res = await gw.http.post('/webhooks').set('Authorization', gw.auth(label)).send({ url: receiver.url, eventTypes });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  receiver.secret = res.body.secret as string;
  return res.body as Registered;
}

async function endpoint(gw: TestGateway, label: Label, id: string): Promise<Registered['endpoint']> {
  const res = await gw.http.get(`/webhooks/${id}`).set('Authorization', gw.auth(label));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body as Registered['endpoint'];
}

/** A receivable of supplier1 on the core enterprise: one ReceivableRegistered event; its transaction id. */
async function receivableEvent(gw: TestGateway): Promise<string> {
  const res = await gw.http
    .post('/receivables')
    .set('Authorization', gw.auth('supplier1'))
    .send({ debtor: CORE(), amount: '10000', dueDate: isoDate(60), documents: [freshInvoice()] });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.headers['transaction-id'] as string;
}

describe('HTTP: webhooks', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  const receivers: WebhookReceiver[] = [];
  const receiver = async () => {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  };

  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    for (const r of receivers) await r.close();
    await gw.close();
  });

  it('registers an endpoint, shows its whsec_ secret once and never again', async () => {
    const r = await receiver();
    const reg = await register(gw, 'supplier1', r, ['ReceivableRegistered']);
    expect(reg.secret).to.match(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(reg.endpoint).to.include({ status: 'ACTIVE', url: r.url, memberId: SUPPLIER1() });
    const list = await gw.http.get('/webhooks').set('Authorization', gw.auth('supplier1'));
    expect(list.status).to.equal(200);
    expect(list.body.endpoints.map((e: { id: string }) => e.id)).to.include(reg.endpoint.id);
    expect(JSON.stringify(list.body)).not.to.contain(reg.secret);
    expect(JSON.stringify((await gw.http.get(`/webhooks/${reg.endpoint.id}`).set('Authorization', gw.auth('supplier1'))).body)).not.to.contain('whsec_');
  });

  it("delivers the member's events signed per Standard Webhooks, with the event's transaction as webhook-id", async () => {
    const mine = await receiver();
    const others = await receiver();
    await register(gw, 'supplier1', mine, ['ReceivableRegistered']);
    await register(gw, 'supplier2', others, ['*']);
    const txId = await receivableEvent(gw);
    await mine.until(() => mine.ids().has(`evt_${txId}`), `evt_${txId}`);
    const got = mine.received.find((x) => x.id === `evt_${txId}`);
    expect(got?.verified).to.equal(true);
    expect(got?.json.type).to.equal('ReceivableRegistered');
    expect(got?.json.data).to.include({ txId, name: 'ReceivableRegistered' });
    // The signature is over the exact bytes received; another secret, a changed body or an old timestamp fail.
    const headers = { 'webhook-id': got?.id ?? '', 'webhook-timestamp': got?.timestamp ?? '', 'webhook-signature': got?.signature ?? '' };
    expect(() => new Webhook(mine.secret as string).verify(got?.body ?? '', headers)).not.to.throw();
    expect(() => new Webhook(others.secret as string).verify(got?.body ?? '', headers)).to.throw();
    expect(() => new Webhook(mine.secret as string).verify(`${got?.body ?? ''} `, headers)).to.throw();
    expect(() => new Webhook(mine.secret as string).verify(got?.body ?? '', { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 600) })).to.throw();
    // supplier2 is no party to it: a later event of its own arrives, this one never does.
    const own = await gw.http
      .post('/receivables')
      .set('Authorization', gw.auth('supplier2'))
      .send({ debtor: CORE(), amount: '10000', dueDate: isoDate(60), documents: [freshInvoice({ sellerTaxId: (await import('./harness')).SUPPLIER2() })] });
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    await others.until(() => others.ids().has(`evt_${own.headers['transaction-id'] as string}`), 'supplier2 own event');
    expect(others.ids().has(`evt_${txId}`)).to.equal(false);
  });

  it('keeps retrying a receiver that is down for a while; when it is back it gets every event, in order, once acknowledged', async () => {
    const r = await receiver();
    let down = true;
    r.respond = () => (down ? 503 : 200);
    const reg = await register(gw, 'supplier1', r, ['ReceivableRegistered']);
    const first = await receivableEvent(gw);
    const second = await receivableEvent(gw);
    // Two failed attempts of the first event (the third would disable it): then the receiver comes back.
    await r.until(() => r.received.filter((x) => x.id === `evt_${first}`).length >= 2, 'two attempts of the first event');
    expect(r.ids().has(`evt_${second}`), 'nothing overtakes the failing delivery').to.equal(false);
    down = false;
    await r.until(() => r.ids().has(`evt_${second}`), 'the second event after recovery');
    const order = r.received.filter((x) => x.json.type === 'ReceivableRegistered').map((x) => x.id);
    expect(order.lastIndexOf(`evt_${first}`)).to.be.lessThan(order.indexOf(`evt_${second}`));
    expect(r.received.every((x) => x.verified)).to.equal(true);
    const res = await gw.http.get(`/webhooks/${reg.endpoint.id}/deliveries`).set('Authorization', gw.auth('supplier1'));
    expect(res.status).to.equal(200);
    const d = (res.body.deliveries as Array<{ messageId: string; status: string; attemptLog: Array<{ outcome: string; statusCode?: number }> }>).find(
      (x) => x.messageId === `evt_${first}`,
    );
    expect(d?.status).to.equal('SUCCEEDED');
    expect(d?.attemptLog.map((a) => a.outcome)).to.deep.equal(['FAILED', 'FAILED', 'SUCCEEDED']);
    expect(d?.attemptLog[0]?.statusCode).to.equal(503);
    expect((await endpoint(gw, 'supplier1', reg.endpoint.id)).status).to.equal('ACTIVE');
  });

  it('disables an endpoint that stays down after the configured attempts, tells the member why, and resumes when enabled, in commit order', async () => {
    const dead = await receiver();
    dead.respond = () => 500;
    const watcher = await receiver();
    // It asks for the disabled notice too: it goes to the member's other endpoints only.
    const reg = await register(gw, 'supplier1', dead, ['ReceivableRegistered', 'WebhookEndpointDisabled']);
    await register(gw, 'supplier1', watcher, ['WebhookEndpointDisabled']);
    const sse = await captureSse(`${await gw.listen()}/events`, gw.auth('supplier1'));

    const txId = await receivableEvent(gw);
    await watcher.until(() => watcher.ofType('WebhookEndpointDisabled').length > 0, 'the disabled notice');
    expect(dead.received.filter((x) => x.id === `evt_${txId}`)).to.have.length(3); // SCF_WEBHOOK_MAX_ATTEMPTS in the test gateway
    const shown = await endpoint(gw, 'supplier1', reg.endpoint.id);
    expect(shown.status).to.equal('DISABLED');
    expect(shown.disabledReason).to.match(/3 delivery attempts in a row failed.*HTTP 500/);
    const notice = watcher.ofType('WebhookEndpointDisabled')[0];
    expect(notice?.verified).to.equal(true);
    expect(notice?.json.data).to.include({ endpointId: reg.endpoint.id });
    // The member's own event stream says so too.
    await sse.until((text) => text.includes('event: WebhookEndpointDisabled'), 'the disabled notice on the event stream');
    await sse.close();

    // While disabled, newer events are held; the failed one is FAILED, and the endpoint names it.
    const held = await receivableEvent(gw);
    const deliveries = await gw.http.get(`/webhooks/${reg.endpoint.id}/deliveries`).set('Authorization', gw.auth('supplier1'));
    const failed = (deliveries.body.deliveries as Array<{ id: string; messageId: string; status: string }>).find((x) => x.messageId === `evt_${txId}`);
    expect(failed?.status).to.equal('FAILED');
    expect(shown).to.include({ disabledDeliveryId: failed?.id });
    expectProblem(await gw.http.post(`/webhooks/${reg.endpoint.id}/deliveries/${failed?.id}/redeliver`).set('Authorization', gw.auth('supplier1')), 409, 'INVALID_STATE');
    dead.respond = () => 204;
    const enabled = await gw.http.post(`/webhooks/${reg.endpoint.id}/enable`).set('Authorization', gw.auth('supplier1'));
    expect(enabled.status).to.equal(200);
    // Enabled: no trace of the outage's reason left to alert on.
    for (const field of ['disabledAt', 'disabledReason', 'disabledDeliveryId']) expect(enabled.body).not.to.have.property(field);
    // The failed event first, at its own place, then what was held: commit order, as after any outage.
    await dead.until(() => dead.ids().has(`evt_${held}`), 'the held event after enabling');
    expect(dead.received.map((x) => x.id)).to.deep.equal([...Array<string>(3).fill(`evt_${txId}`), `evt_${txId}`, `evt_${held}`]);
    expect(dead.ofType('WebhookEndpointDisabled'), 'the disabled endpoint is not sent its own notice').to.deep.equal([]);
    const afterEnable = await gw.http.get(`/webhooks/${reg.endpoint.id}/deliveries`).set('Authorization', gw.auth('supplier1'));
    expect((afterEnable.body.deliveries as Array<{ id: string; status: string }>).find((x) => x.id === failed?.id)?.status).to.equal('SUCCEEDED');
    const again = await gw.http.post(`/webhooks/${reg.endpoint.id}/deliveries/${failed?.id}/redeliver`).set('Authorization', gw.auth('supplier1'));
    expect(again.status, JSON.stringify(again.body)).to.equal(202);
    await dead.until(() => dead.received.filter((x) => x.id === `evt_${txId}`).length === 5, 'the redelivery, same webhook-id');
    const bodies = new Set(dead.received.filter((x) => x.id === `evt_${txId}`).map((x) => x.body));
    expect(bodies.size, 'every attempt sends the same bytes').to.equal(1);
    expect(dead.received.every((x) => x.verified)).to.equal(true);
  });

  it('sends a delivery redelivered while it is being sent once more, then goes on to the next: never in a loop', async () => {
    const slow = await receiver();
    slow.respond = (_r, n) => (n === 1 ? 'hang' : 200);
    const reg = await register(gw, 'supplier1', slow, ['ReceivableRegistered']);
    const first = await receivableEvent(gw);
    await slow.until(() => slow.received.length === 1, 'the first attempt, kept open');
    const listed = await gw.http.get(`/webhooks/${reg.endpoint.id}/deliveries`).set('Authorization', gw.auth('supplier1'));
    const delivery = (listed.body.deliveries as Array<{ id: string; messageId: string; status: string }>).find((x) => x.messageId === `evt_${first}`);
    expect(delivery?.status).to.equal('PENDING');
    // Twice, at once, while the attempt is under way: queued once more, not twice.
    const redeliver = () => gw.http.post(`/webhooks/${reg.endpoint.id}/deliveries/${delivery?.id}/redeliver`).set('Authorization', gw.auth('supplier1'));
    const answers = await Promise.all([redeliver(), redeliver()]);
    expect(answers.map((a) => a.status)).to.deep.equal([202, 202]);
    // The outbox's own queue position is not part of a delivery as its owner reads it.
    for (const a of answers) expect(a.body).to.include({ id: delivery?.id }).and.not.to.have.property('seq');
    expect(listed.body.deliveries[0]).to.not.have.property('seq');
    slow.answerHanging(200);
    await slow.until(() => slow.received.filter((x) => x.id === `evt_${first}`).length === 2, 'the redelivery');
    // The next event arrives: the queue moved on (before, the redelivered one was sent for ever and nothing after it).
    const next = await receivableEvent(gw);
    await slow.until(() => slow.ids().has(`evt_${next}`), 'the next event');
    expect(slow.received.map((x) => x.id)).to.deep.equal([`evt_${first}`, `evt_${first}`, `evt_${next}`]);
    // The receiver has the request before the gateway records the answer: wait for the record.
    const deadline = Date.now() + 10_000;
    while ((await endpoint(gw, 'supplier1', reg.endpoint.id)).pendingDeliveries !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await endpoint(gw, 'supplier1', reg.endpoint.id)).pendingDeliveries).to.equal(0);
    const after = await gw.http.get(`/webhooks/${reg.endpoint.id}/deliveries`).set('Authorization', gw.auth('supplier1'));
    expect((after.body.deliveries as Array<{ id: string; status: string; attempts: number }>).find((x) => x.id === delivery?.id)).to.include({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('registers once for a repeated Idempotency-Key, also for two racing requests: the other is 409 naming the endpoint, no secret', async () => {
    const r = await receiver();
    const send = (key: string) => gw.http.post('/webhooks').set('Authorization', gw.auth('bank-maker')).set('Idempotency-Key', key).send({ url: r.url, eventTypes: ['*'] });
    const listed = async () => (await gw.http.get('/webhooks').set('Authorization', gw.auth('bank-maker'))).body.endpoints as Array<{ id: string }>;
    const before = (await listed()).length;
    const racing = await Promise.all([send('whk-race'), send('whk-race')]);
    expect(racing.map((a) => a.status).sort()).to.deep.equal([201, 409]);
    const created = racing.find((a) => a.status === 201)!;
    const refused = racing.find((a) => a.status === 409)!;
    expectProblem(refused, 409, 'ALREADY_EXISTS');
    expect(refused.body.detail).to.contain(created.body.endpoint.id);
    expect(JSON.stringify(refused.body)).not.to.contain('whsec_');
    const later = await send('whk-race');
    expectProblem(later, 409, 'ALREADY_EXISTS');
    expect((await listed()).length).to.equal(before + 1);
    // Once that endpoint is deleted, the key may register again.
    expect((await gw.http.delete(`/webhooks/${created.body.endpoint.id}`).set('Authorization', gw.auth('bank-maker'))).status).to.equal(200);
    expect((await send('whk-race')).status).to.equal(201);
  });

  it('refuses bad registrations with 400 and writes nothing', async () => {
    const before = (await gw.http.get('/webhooks').set('Authorization', gw.auth('supplier3'))).body.endpoints as unknown[];
    const bad: object[] = [
      { url: 'not a url', eventTypes: ['*'] },
      { url: 'ftp://example.com/x', eventTypes: ['*'] },
      { url: 'https://user:pw@example.com/x', eventTypes: ['*'] },
      { url: 'https://example.com/x', eventTypes: [] },
      { url: 'https://example.com/x', eventTypes: ['VoucherTeleported'] },
      { url: 'https://example.com/x', eventTypes: ['*'], secret: 'mine' },
      { eventTypes: ['*'] },
    ];
    for (const body of bad) {
      expectProblem(await gw.http.post('/webhooks').set('Authorization', gw.auth('supplier3')).send(body), 400, 'VALIDATION_FAILED');
    }
    // Every problem at once: the URL's form with the other fields'.
    const all = await gw.http.post('/webhooks').set('Authorization', gw.auth('supplier3')).send({ url: 'ftp://x', eventTypes: ['nope'], foo: 1 });
    expectProblem(all, 400, 'VALIDATION_FAILED');
    expect((all.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).to.deep.equal(['body', 'body.eventTypes.0', 'body.url']);
    expect(all.body.errors).to.deep.include({ path: 'body.url', message: 'the scheme must be https or http' });
    const missing = await gw.http.post('/webhooks').set('Authorization', gw.auth('supplier3')).send({ url: 'https://example.com/x' });
    expect(missing.body.errors).to.deep.equal([{ path: 'body.eventTypes', message: 'required (array)' }]);
    const after = (await gw.http.get('/webhooks').set('Authorization', gw.auth('supplier3'))).body.endpoints as unknown[];
    expect(after).to.deep.equal(before);
  });

  it('refuses a body on enable and redeliver, which take none (400 naming it), and changes nothing', async () => {
    const r = await receiver();
    const reg = await register(gw, 'supplier1', r, ['ReceivableRegistered']);
    const as1 = { Authorization: gw.auth('supplier1') };
    for (const path of [`/webhooks/${reg.endpoint.id}/enable`, `/webhooks/${reg.endpoint.id}/deliveries/DLV-0A1B2C3D4E5F60718293/redeliver`]) {
      const res = await gw.http.post(path).set(as1).send({ x: 1 });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect((res.body.errors as Array<{ path: string }>).map((e) => e.path), path).to.deep.equal(['body']);
    }
    expect(await endpoint(gw, 'supplier1', reg.endpoint.id)).to.include({ status: 'ACTIVE', pendingDeliveries: 0 });
  });

  it('lets a suspended member read and delete its endpoints, not register, enable or redeliver (403); reinstated, it may again', async () => {
    const r = await receiver();
    const reg = await register(gw, 'supplier3', r, ['ReceivableRegistered']);
    const op = (path: string) => gw.http.post(path).set('Authorization', gw.auth('operator-admin')).send({ reason: 'webhook test' });
    expect((await op(`/members/${SUPPLIER3()}/suspend`)).status).to.equal(200);
    try {
      const as3 = { Authorization: gw.auth('supplier3') };
      expect((await gw.http.get('/webhooks').set(as3)).status).to.equal(200);
      expect((await gw.http.get(`/webhooks/${reg.endpoint.id}/deliveries`).set(as3)).status).to.equal(200);
      expectProblem(await gw.http.post('/webhooks').set(as3).send({ url: r.url, eventTypes: ['*'] }), 403, 'FORBIDDEN');
      expectProblem(await gw.http.post(`/webhooks/${reg.endpoint.id}/enable`).set(as3), 403, 'FORBIDDEN');
      const del = await gw.http.delete(`/webhooks/${reg.endpoint.id}`).set(as3);
      expect(del.status, JSON.stringify(del.body)).to.equal(200);
      expect(del.body.status).to.equal('DELETED');
    } finally {
      expect((await op(`/members/${SUPPLIER3()}/reinstate`)).status).to.equal(200);
    }
    await register(gw, 'supplier3', r, ['ReceivableRegistered']);
  });

  it("keeps a member's endpoints from every other member (404), and a deleted endpoint gets nothing more", async () => {
    const r = await receiver();
    const reg = await register(gw, 'supplier1', r, ['ReceivableRegistered']);
    for (const label of ['supplier2', 'operator-admin', 'auditor'] as const) {
      expectProblem(await gw.http.get(`/webhooks/${reg.endpoint.id}`).set('Authorization', gw.auth(label)), 404, 'NOT_FOUND');
      expectProblem(await gw.http.delete(`/webhooks/${reg.endpoint.id}`).set('Authorization', gw.auth(label)), 404, 'NOT_FOUND');
    }
    const del = await gw.http.delete(`/webhooks/${reg.endpoint.id}`).set('Authorization', gw.auth('supplier1'));
    expect(del.status).to.equal(200);
    expect(del.body.status).to.equal('DELETED');
    expectProblem(await gw.http.get(`/webhooks/${reg.endpoint.id}`).set('Authorization', gw.auth('supplier1')), 404, 'NOT_FOUND');
    // A later event of the member reaches another of its endpoints but not the deleted one.
    const probe = await receiver();
    await register(gw, 'supplier1', probe, ['ReceivableRegistered']);
    const { id } = await pendingReceivable(gw);
    await probe.until(() => probe.received.some((x) => JSON.stringify(x.json.data).includes(id)), 'the probe event');
    expect(r.received.some((x) => JSON.stringify(x.json.data).includes(id))).to.equal(false);
  });
});
