import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../gateway/src/http/app';
import { createServices } from '../../gateway/src/services';
import { makeEmulatedFabricLedger } from './fabric-emulated-ledger';
import { CORE, expectProblem, freshInvoice, isoDate, type Label, type LedgerHarness, makeEmbeddedLedger, OPERATOR, startGateway, type TestGateway, uniqueKey } from './harness';
import { hasSandboxClock, itWithOwnClock, ledgerClock, onEmbeddedLedger } from './time-travel';

const DAY_MS = 86_400_000;

/** Just the HTTP side of a gateway over a ledger this file opens itself (the Fabric connector, or a clock turned off). */
function gatewayOver(ledger: LedgerHarness) {
  const app = createApp({ services: createServices(ledger.runtime.ledger), directory: ledger.runtime.directory, ledgerKind: ledger.runtime.kind });
  const http = supertest(app);
  const auth = (label: Label) => `Bearer ${ledger.runtime.tokens.get(label) ?? ''}`;
  return { http, auth, advance: (duration: unknown, label: Label = 'operator-admin') => http.post('/sandbox/clock').set('Authorization', auth(label)).send({ advance: duration }) };
}

/** The embedded ledger with SCF_SANDBOX_CLOCK=false, in a fresh data folder. */
function embeddedWithoutClock(): Promise<LedgerHarness> {
  return makeEmbeddedLedger({ ledgerThread: 'main', sandboxClock: false });
}

describe('HTTP: sandbox clock (POST /sandbox/clock, GET /sandbox/clock, /ready)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  const advance = (g: TestGateway, duration: unknown, label: Label = 'operator-admin') =>
    g.http.post('/sandbox/clock').set('Authorization', g.auth(label)).send({ advance: duration });

  it("shows the clock in /ready without a token: enabled on the embedded ledger in demo mode, never on Fabric; no offset; the ledger's time", async () => {
    const before = Date.now();
    const res = await gw.http.get('/ready');
    expect(res.status).to.equal(200);
    const { enabled, offsetMs, now } = res.body.sandboxClock;
    expect({ enabled, offsetMs }).to.deep.equal({ enabled: hasSandboxClock(), offsetMs: 0 });
    expect(Date.parse(now)).to.be.within(before - 1000, Date.now() + 1000);
  });

  itWithOwnClock("lets the operator move the ledger's clock forward: later transactions carry the new time; /ready and GET /sandbox/clock show it", async (own) => {
    const height = await own.ledger.height();
    const res = await advance(own, 'P30D');
    expect(res.status).to.equal(200);
    expect(res.headers).to.not.have.property('transaction-id');
    expect(res.body).to.include({ enabled: true, offsetMs: 30 * DAY_MS });
    expect(Date.parse(res.body.now)).to.be.at.least(Date.now() + 30 * DAY_MS - 1000);
    expect(res.body.advance).to.include({ sequence: 1, duration: 'P30D', advanceMs: 30 * DAY_MS, offsetMs: 30 * DAY_MS, height });
    expect(res.body.advance.by).to.include({ memberId: OPERATOR(), mspId: 'PlatformMSP' });
    expect(Date.parse(res.body.advance.to) - Date.parse(res.body.advance.from)).to.equal(30 * DAY_MS);
    // The advance is no transaction: the chain did not grow.
    expect(await own.ledger.height()).to.equal(height);

    // The next transaction is stamped 30 days ahead: "today" on the ledger is 30 days from the machine's today.
    const reg = await own.http
      .post('/receivables')
      .set('Authorization', own.auth('supplier1'))
      .send({ debtor: CORE(), amount: '100000', dueDate: isoDate(31), documents: [freshInvoice()] });
    expect(reg.status).to.equal(201);
    expect(String(reg.body.createdAt).slice(0, 10)).to.equal(isoDate(30));
    // A maturity the machine still calls the future is in the past for the ledger; its today is not.
    expect((await own.http.post(`/receivables/${reg.body.id}/confirm`).set('Authorization', own.auth('core-maker')).send({})).status).to.equal(200);
    const issue = (maturityDate: string) =>
      own.http.post('/vouchers').set('Authorization', own.auth('core-maker')).send({ receivableId: reg.body.id, amount: '100000', maturityDate });
    expectProblem(await issue(isoDate(10)), 422, 'BUSINESS_RULE');
    expect((await issue(isoDate(30))).status).to.equal(201);

    const more = await advance(own, 'PT12H');
    expect(more.body).to.include({ offsetMs: 30 * DAY_MS + 12 * 3_600_000 });
    expect(more.body.advance).to.include({ sequence: 2, duration: 'PT12H', advanceMs: 12 * 3_600_000 });
    expect(Date.parse(more.body.advance.from)).to.be.at.least(Date.parse(res.body.advance.to));
    expect((await ledgerClock(own)).offsetMs).to.equal(30 * DAY_MS + 12 * 3_600_000);

    // Every advance is recorded, visible to any member (here the auditor).
    const seen = await own.http.get('/sandbox/clock').set('Authorization', own.auth('auditor'));
    expect(seen.status).to.equal(200);
    expect(seen.body).to.include({ enabled: true, offsetMs: 30 * DAY_MS + 12 * 3_600_000 });
    expect(seen.body.advances).to.deep.equal([res.body.advance, more.body.advance]);
    expectProblem(await own.http.get('/sandbox/clock'), 401, 'UNAUTHENTICATED');
  });

  it('refuses every caller but the operator with 403 and a missing token with 401, moving nothing', async () => {
    for (const label of ['auditor', 'supplier1', 'core-maker', 'bank-checker', 'warehouse'] as const) {
      expectProblem(await advance(gw, 'P1D', label), 403, 'FORBIDDEN');
    }
    expectProblem(await gw.http.post('/sandbox/clock').send({ advance: 'P1D' }), 401, 'UNAUTHENTICATED');
    expect((await ledgerClock(gw)).offsetMs).to.equal(0);
  });

  const malformed: Array<[string, unknown]> = [
    ['a negative duration', '-P1D'],
    ['a zero duration', 'P0D'],
    ['a zero time', 'PT0S'],
    ['months (no fixed length)', 'P1M'],
    ['years (no fixed length)', 'P1Y'],
    ['a fraction', 'P1.5D'],
    ['words', '30 days'],
    ['a bare P', 'P'],
    ['a bare PT', 'PT'],
    ['lower case', 'p30d'],
    ['a number of days', 30],
    ['nothing', undefined],
  ];
  for (const [what, duration] of malformed) {
    it(`rejects ${what} with 400 VALIDATION_FAILED, moving nothing`, async () => {
      const res = await advance(gw, duration);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).to.equal('body.advance');
      expect((await ledgerClock(gw)).offsetMs).to.equal(0);
    });
  }

  it('says why a negative or zero duration is refused: the clock moves forward only', async () => {
    for (const d of ['-P1D', 'P0D']) expect((await advance(gw, d)).body.detail).to.contain('forward only');
  });

  it('rejects an unknown field with 400', async () => {
    const res = await gw.http.post('/sandbox/clock').set('Authorization', gw.auth('operator-admin')).send({ advance: 'P1D', to: '2030-01-01' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect((await ledgerClock(gw)).offsetMs).to.equal(0);
  });

  itWithOwnClock('moves once for a replayed Idempotency-Key, and refuses the key for another duration with 409 ALREADY_EXISTS', async (own) => {
    const key = uniqueKey('clock');
    const first = await advance(own, 'P2D').set('Idempotency-Key', key);
    expect(first.status).to.equal(200);
    expect(first.body.advance).to.include({ requestId: key });
    const again = await advance(own, 'P2D').set('Idempotency-Key', key);
    expect(again.status).to.equal(200);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.body).to.deep.equal(first.body);
    expect(again.body.offsetMs).to.equal(2 * DAY_MS);
    // Replayed after another advance: still the first answer, as the clock was then.
    expect((await advance(own, 'P1D')).status).to.equal(200);
    const later = await advance(own, 'P2D').set('Idempotency-Key', key);
    expect(later.headers['idempotent-replayed']).to.equal('true');
    expect(later.body).to.deep.equal(first.body);
    expectProblem(await advance(own, 'P3D').set('Idempotency-Key', key), 409, 'ALREADY_EXISTS');
    expect((await ledgerClock(own)).offsetMs).to.equal(3 * DAY_MS);
  });

  it('refuses on the Fabric connector with 409 INVALID_STATE saying why, moving nothing', async () => {
    // On the embedded run this opens the Fabric connector against the emulator, so the refusal is tested there too.
    const fabric = onEmbeddedLedger() ? await makeEmulatedFabricLedger() : undefined;
    try {
      const g = fabric ? gatewayOver(fabric) : { http: gw.http, auth: (l: Label) => gw.auth(l), advance: (d: unknown, l?: Label) => advance(gw, d, l) };
      const res = await g.advance('P30D');
      expectProblem(res, 409, 'INVALID_STATE');
      expect(res.body.detail).to.contain('Fabric connector has no sandbox clock');
      // Caller first: anyone else is still 403.
      expectProblem(await g.advance('P30D', 'supplier1'), 403, 'FORBIDDEN');
      const ready = await g.http.get('/ready');
      expect(ready.body.sandboxClock).to.include({ enabled: false, offsetMs: 0 });
      const seen = await g.http.get('/sandbox/clock').set('Authorization', g.auth('auditor'));
      expect(seen.body).to.include({ enabled: false, offsetMs: 0 });
      expect(seen.body.advances).to.deep.equal([]);
    } finally {
      await fabric?.close();
    }
  });

  it('refuses on an embedded ledger whose sandbox clock is disabled (SCF_SANDBOX_CLOCK=false) with 409 INVALID_STATE naming the variable', async () => {
    // Its own embedded ledger, whatever the run's: this is about the embedded ledger's configuration.
    const ledger = await embeddedWithoutClock();
    try {
      const g = gatewayOver(ledger);
      const res = await g.advance('P1D');
      expectProblem(res, 409, 'INVALID_STATE');
      expect(res.body.detail).to.contain('SCF_SANDBOX_CLOCK=true');
      expect((await g.http.get('/ready')).body.sandboxClock).to.include({ enabled: false, offsetMs: 0 });
    } finally {
      await ledger.close();
    }
  });

  it('is in the OpenAPI document with its body, its errors and the clock in /ready', async () => {
    const doc = (await gw.http.get('/openapi.json')).body;
    const op = doc.paths['/sandbox/clock'].post;
    expect(Object.keys(op.responses)).to.include.members(['200', '400', '401', '403', '409', '422']);
    expect(doc.components.schemas.AdvanceSandboxClock.required).to.deep.equal(['advance']);
    expect(doc.components.schemas.AdvanceSandboxClock.properties.advance).to.include({ type: 'string', example: 'P30D' });
    expect(doc.paths['/sandbox/clock'].get.responses['200']).to.exist;
    expect(doc.paths['/ready'].get.responses['200'].content['application/json'].schema.properties).to.have.property('sandboxClock');
  });
});
