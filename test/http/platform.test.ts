import { expect } from 'chai';
import { CORE, expectProblem, freshInvoice, isoDate, pendingReceivable, startGateway, type TestGateway } from './harness';

describe('HTTP: platform routes, authentication and errors', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  it('answers /health without a token, naming the connector', async () => {
    const res = await gw.http.get('/health');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok', ledger: gw.ledger.runtime.kind });
  });

  it('answers /ready without a token with the ledger height, which grows with each committed write', async () => {
    const first = await gw.http.get('/ready');
    expect(first.status).to.equal(200);
    const { sandboxClock, ...ready } = first.body;
    expect(ready).to.deep.equal({ status: 'ready', ledger: gw.ledger.runtime.kind, height: await gw.ledger.height() });
    expect(sandboxClock).to.have.keys('enabled', 'offsetMs', 'now'); // sandbox-clock.test.ts checks the values
    await pendingReceivable(gw);
    expect((await gw.http.get('/ready')).body.height).to.be.greaterThan(first.body.height);
  });

  it('answers /ready 503 LEDGER_UNAVAILABLE once the ledger is closed, while /health (liveness) stays 200', async () => {
    const other = await startGateway();
    try {
      await other.ledger.runtime.ledger.close();
      const res = await other.http.get('/ready');
      expectProblem(res, 503, 'LEDGER_UNAVAILABLE');
      expect((await other.http.get('/health')).status).to.equal(200);
    } finally {
      await other.close();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await gw.http.get('/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const paths = Object.keys(res.body.paths);
    for (const p of ['/ready', '/members', '/members/{id}/identities', '/receivables/{id}/confirm', '/vouchers/{id}/transfer', '/fingerprints/check', '/transactions/{txId}', '/events']) {
      expect(paths).to.include(p);
    }
    const transfer = res.body.paths['/vouchers/{id}/transfer'].post;
    expect(Object.keys(transfer.responses)).to.include.members(['200', '400', '401', '404', '409', '422']);
    expect(res.body.components.schemas.TransferVoucher.required).to.deep.equal(['to', 'amount']);
    expect(res.body.components.schemas.Problem.properties).to.have.keys('type', 'title', 'status', 'code', 'detail', 'txId', 'errors');
    // A chaincode write takes an Idempotency-Key, and reusing one for another
    // request is 409 ALREADY_EXISTS; the other POSTs say what the key does there.
    type Op = { parameters?: Array<{ name: string; description: string }>; responses: Record<string, { description: string }> };
    const writes = Object.entries(res.body.paths as Record<string, Record<string, Op>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => method === 'post' || method === 'delete')
        .map(([method, op]) => ({ at: `${method} ${path}`, key: op.parameters?.find((p) => p.name === 'Idempotency-Key')?.description ?? '', conflict: op.responses['409']?.description ?? '' })),
    );
    const replayed = writes.filter((w) => w.key.startsWith('Passed to the chaincode'));
    expect(replayed.length).to.be.greaterThan(25);
    expect(replayed.filter((w) => !w.conflict.includes('ALREADY_EXISTS')).map((w) => w.at)).to.deep.equal([]);
    expect(writes.find((w) => w.at === 'post /fingerprints')?.key).to.equal('Not used: this request writes nothing');
  });

  it('rejects a request without a token with 401 UNAUTHENTICATED and a Bearer challenge', async () => {
    const res = await gw.http.get('/me');
    expectProblem(res, 401, 'UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).to.equal('Bearer');
    expect(res.body).to.include({ status: 401, type: 'urn:scf-ledger:problem:unauthenticated' });
  });

  it('rejects an unknown token and a malformed Authorization header with 401', async () => {
    expectProblem(await gw.http.get('/me').set('Authorization', 'Bearer not-a-real-token'), 401, 'UNAUTHENTICATED');
    expectProblem(await gw.http.get('/me').set('Authorization', gw.auth('supplier1').replace('Bearer', 'Basic')), 401, 'UNAUTHENTICATED');
  });

  it('checks the token before the body, so an anonymous caller learns nothing about validation', async () => {
    expectProblem(await gw.http.post('/members').send({ nonsense: true }), 401, 'UNAUTHENTICATED');
    expectProblem(await gw.http.post('/members').set('Content-Type', 'application/json').send('{not json'), 401, 'UNAUTHENTICATED');
  });

  it('maps each token to its own ledger identity', async () => {
    const res = await gw.http.get('/me').set('Authorization', gw.auth('bank-checker'));
    expect(res.status).to.equal(200);
    expect(res.body.identity).to.include({ mspId: 'BankMSP', userRole: 'CHECKER' });
    expect(res.body.member.roles).to.deep.equal(['BANK']);
  });

  it('answers an unknown route with 404 problem+json', async () => {
    expectProblem(await gw.http.get('/nowhere').set('Authorization', gw.auth('auditor')), 404, 'NOT_FOUND');
  });

  it('answers a body that is not JSON with 400 VALIDATION_FAILED and writes nothing', async () => {
    const before = await gw.ledger.height();
    const res = await gw.http.post('/receivables').set('Authorization', gw.auth('supplier1')).set('Content-Type', 'application/json').send('{"debtor":');
    expectProblem(res, 400, 'VALIDATION_FAILED');
    // A bare value (valid JSON, but no object) is told apart from broken JSON by the words, not called invalid.
    const bare = await gw.http.post('/receivables').set('Authorization', gw.auth('supplier1')).set('Content-Type', 'application/json').send('null');
    expectProblem(bare, 400, 'VALIDATION_FAILED');
    expect(bare.body.detail).to.contain('a bare value such as null');
    // Money longer than 19 digits says so.
    const long = await gw.http.post('/receivables').set('Authorization', gw.auth('supplier1')).send({ amount: '99999999999999999999999' });
    expect((long.body.errors as Array<{ path: string; message: string }>).find((e) => e.path === 'body.amount')?.message).to.contain('at most 19 digits');
    expect(await gw.ledger.height()).to.equal(before);
  });

  it('answers a body that is not JSON with 415 VALIDATION_FAILED instead of ignoring it', async () => {
    const before = await gw.ledger.height();
    const res = await gw.http.post('/receivables/RCV-X/cancel').set('Authorization', gw.auth('supplier1')).set('Content-Type', 'text/plain').send('cancel it');
    expect(res.status).to.equal(415);
    expect(res.body.code).to.equal('VALIDATION_FAILED');
    expect(await gw.ledger.height()).to.equal(before);
  });

  it('answers a malformed percent-encoding in the path with 400 VALIDATION_FAILED, not 500', async () => {
    const res = await gw.http.get('/vouchers/%E0%A4%A').set('Authorization', gw.auth('auditor'));
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });

  it('answers an oversized body with 413 VALIDATION_FAILED and writes nothing', async () => {
    const before = await gw.ledger.height();
    const huge = JSON.stringify({ debtor: CORE(), amount: '1', note: 'x'.repeat(2_000_000) });
    const res = await gw.http.post('/receivables').set('Authorization', gw.auth('supplier1')).set('Content-Type', 'application/json').send(huge);
    expect(res.status).to.equal(413);
    expect(res.body.code).to.equal('VALIDATION_FAILED');
    expect(String(res.headers['content-type'])).to.match(/^application\/problem\+json/);
    expect(await gw.ledger.height()).to.equal(before);
  });

  it('accepts an empty POST without a content type as an empty JSON object', async () => {
    const { id } = await pendingReceivable(gw);
    const res = await gw.http.post(`/receivables/${id}/cancel`).set('Authorization', gw.auth('supplier1')).set('Content-Length', '0');
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('CANCELLED');
  });

  it("answers a write as JSON of its exact length without an ETag, and a read with an ETag it revalidates (304)", async () => {
    const created = await pendingReceivable(gw);
    const cancelled = await gw.http.post(`/receivables/${created.id}/cancel`).set('Authorization', gw.auth('supplier1')).send({});
    expect(cancelled.status).to.equal(200);
    expect(cancelled.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(Number(cancelled.headers['content-length'])).to.equal(Buffer.byteLength(cancelled.text));
    expect(JSON.parse(cancelled.text)).to.deep.include({ id: created.id, status: 'CANCELLED' });
    expect(cancelled.headers).to.not.have.property('etag');

    const read = await gw.http.get(`/receivables/${created.id}`).set('Authorization', gw.auth('supplier1'));
    expect(read.status).to.equal(200);
    expect(read.headers.etag).to.be.a('string');
    const again = await gw.http.get(`/receivables/${created.id}`).set('Authorization', gw.auth('supplier1')).set('If-None-Match', String(read.headers.etag));
    expect(again.status).to.equal(304);
  });

  it('marks every answer about a member as private to the caller (no shared cache keeps it, nosniff); an answer with a secret is no-store', async () => {
    const created = await pendingReceivable(gw);
    const answers = [
      await gw.http.get('/me').set('Authorization', gw.auth('supplier1')),
      await gw.http.get(`/receivables/${created.id}`).set('Authorization', gw.auth('supplier1')),
      await gw.http.post(`/receivables/${created.id}/cancel`).set('Authorization', gw.auth('supplier1')).send({}),
    ];
    for (const res of answers) {
      expect(res.status).to.equal(200);
      expect(res.headers['cache-control']).to.equal('private, no-cache');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
    }
    const hook = await gw.http.post('/webhooks').set('Authorization', gw.auth('supplier1')).send({ url: 'https://erp.example.com/scf-hooks', eventTypes: ['*'] });
    expect(hook.status, JSON.stringify(hook.body)).to.equal(201);
    expect(hook.headers['cache-control']).to.equal('no-store');
  });

  it('rejects a malformed Idempotency-Key with 400 before touching the ledger', async () => {
    const before = await gw.ledger.height();
    const res = await gw.http.post('/members/91310000100000002D/suspend').set('Authorization', gw.auth('operator-admin')).set('Idempotency-Key', 'bad key with spaces').send({});
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].path).to.equal('header.Idempotency-Key');
    expect(await gw.ledger.height()).to.equal(before);
  });

  describe('GET /transactions/:txId', () => {
    it('reports a committed transaction as VALID with its block', async () => {
      const reg = await gw.http
        .post('/receivables')
        .set('Authorization', gw.auth('supplier1'))
        .send({ debtor: CORE(), amount: '5000', dueDate: isoDate(30), documents: [freshInvoice()] });
      expect(reg.status).to.equal(201);
      const txId = reg.headers['transaction-id'] as string;
      expect(txId).to.match(/^[0-9a-f]{64}$/);
      expect(reg.body.createdTxId).to.equal(txId);
      const res = await gw.http.get(`/transactions/${txId}`).set('Authorization', gw.auth('auditor'));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ txId, validationCode: 'VALID', valid: true });
      expect(res.body.blockNumber).to.be.a('number').and.to.be.below(await gw.ledger.height());
    });

    it('answers 404 for an unknown transaction id', async () => {
      expectProblem(await gw.http.get(`/transactions/${'0'.repeat(64)}`).set('Authorization', gw.auth('auditor')), 404, 'NOT_FOUND');
    });

    it('answers 400 for a malformed transaction id', async () => {
      const res = await gw.http.get('/transactions/xyz').set('Authorization', gw.auth('auditor'));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors[0].path).to.equal('params.txId');
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.get(`/transactions/${'0'.repeat(64)}`), 401, 'UNAUTHENTICATED');
    });
  });
});
