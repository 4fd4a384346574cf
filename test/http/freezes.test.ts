import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import {
  expectProblem,
  issuedVoucher,
  OPERATOR,
  pendingReceivable,
  startGateway,
  SUPPLIER2,
  SUPPLIER3,
  type TestGateway,
  uniqueKey,
} from './harness';

type Label = Parameters<TestGateway['auth']>[0];

describe('HTTP: judicial freezes', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  const ORDER = 'court order (2025) Hu 0115 Zhi Bao 1234';
  const freeze = (b: object, label: Label = 'operator-admin') => gw.http.post('/freezes').set('Authorization', gw.auth(label)).send(b);
  const lift = (id: string, label: Label = 'operator-admin') => gw.http.delete(`/freezes/${id}`).set('Authorization', gw.auth(label));
  const read = (path: string, label: Label = 'auditor') => gw.http.get(path).set('Authorization', gw.auth(label));
  const transfer = (id: string, label: Label = 'supplier1') =>
    gw.http.post(`/vouchers/${id}/transfer`).set('Authorization', gw.auth(label)).send({ to: SUPPLIER2(), amount: '1000' });

  describe('POST /freezes', () => {
    it('freezes a voucher (201): every write on it answers 423 until the freeze is lifted', async () => {
      const v = await issuedVoucher(gw);
      const res = await freeze({ target: { type: 'VOUCHER', id: v.id }, reason: ORDER });
      expect(res.status).to.equal(201);
      expect(res.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      expect(res.body).to.include({ status: 'ACTIVE', reason: ORDER, orderedBy: OPERATOR() });
      expect(res.body.target).to.deep.equal({ type: 'VOUCHER', id: v.id });
      expect(res.body.id).to.match(/^FRZ-/);
      const refused = await transfer(v.id);
      expectProblem(refused, 423, 'FROZEN');
      expect(refused.body.detail).to.contain(res.body.id);
      const lifted = await lift(res.body.id);
      expect(lifted.status).to.equal(200);
      expect((await transfer(v.id)).status).to.equal(200);
    });

    it('freezes a member: its own writes answer 423, and it may read the freeze on itself', async () => {
      const res = await freeze({ target: { type: 'MEMBER', id: SUPPLIER3() }, reason: ORDER });
      expect(res.status).to.equal(201);
      try {
        const write = await gw.http
          .post('/fingerprints/check')
          .set('Authorization', gw.auth('supplier3'))
          .send({ fingerprints: [{ kind: 'INVOICE', fingerprint: 'a'.repeat(64) }] });
        expect(write.status, 'reads still work').to.equal(200);
        const blocked = await gw.http
          .post(`/members/${SUPPLIER3()}/dual-control`)
          .set('Authorization', gw.auth('supplier3'))
          .send({ threshold: '100000' });
        expectProblem(blocked, 423, 'FROZEN');
        expect((await read(`/freezes/${res.body.id}`, 'supplier3')).status).to.equal(200);
        const own = await read(`/freezes?targetType=MEMBER&targetId=${SUPPLIER3()}`, 'supplier3');
        expect(own.body.records.map((f: { id: string }) => f.id)).to.include(res.body.id);
      } finally {
        expect((await lift(res.body.id)).status).to.equal(200);
      }
    });

    it('refuses a second freeze of the same target with 409 INVALID_STATE naming the first', async () => {
      const { id } = await pendingReceivable(gw);
      const first = await freeze({ target: { type: 'RECEIVABLE', id }, reason: ORDER });
      expect(first.status).to.equal(201);
      const again = await freeze({ target: { type: 'RECEIVABLE', id }, reason: 'another court' });
      expectProblem(again, 409, 'INVALID_STATE');
      expect(again.body.detail).to.contain(first.body.id);
    });

    it('refuses a freeze id that is taken with 409 ALREADY_EXISTS', async () => {
      const id = `FRZ-${uniqueKey('dup')}`;
      const a = await pendingReceivable(gw);
      const b = await pendingReceivable(gw);
      expect((await freeze({ id, target: { type: 'RECEIVABLE', id: a.id }, reason: ORDER })).status).to.equal(201);
      expectProblem(await freeze({ id, target: { type: 'RECEIVABLE', id: b.id }, reason: ORDER }), 409, 'ALREADY_EXISTS');
    });

    it('refuses freezing the operator member itself with 422', async () => {
      expectProblem(await freeze({ target: { type: 'MEMBER', id: OPERATOR() }, reason: ORDER }), 422, 'BUSINESS_RULE');
    });

    it('refuses anyone but the operator with 403', async () => {
      const v = await issuedVoucher(gw);
      for (const label of ['auditor', 'bank-checker', 'supplier1'] as const) {
        expectProblem(await freeze({ target: { type: 'VOUCHER', id: v.id }, reason: ORDER }, label), 403, 'FORBIDDEN');
      }
    });

    it('answers a non-operator 403 alike for a target that exists, one that does not and a taken freeze id, writing nothing', async () => {
      const v = await issuedVoucher(gw);
      const taken = await freeze({ target: { type: 'RECEIVABLE', id: (await pendingReceivable(gw)).id }, reason: ORDER });
      expect(taken.status).to.equal(201);
      const height = await gw.ledger.height();
      const attempts = [
        { target: { type: 'VOUCHER', id: v.id }, reason: ORDER },
        { target: { type: 'VOUCHER', id: 'VCH-NOWHERE' }, reason: ORDER },
        { target: { type: 'MEMBER', id: withCheckChar('91500000999999993') }, reason: ORDER },
        { id: taken.body.id, target: { type: 'VOUCHER', id: v.id }, reason: ORDER },
      ];
      for (const label of ['supplier1', 'bank-checker'] as const) {
        const details = new Set<string>();
        for (const b of attempts) {
          const res = await freeze(b, label);
          expectProblem(res, 403, 'FORBIDDEN');
          details.add(res.body.detail);
        }
        // The same answer whatever the target: nothing tells which ids exist.
        expect([...details]).to.have.length(1);
        expectProblem(await lift(taken.body.id, label), 403, 'FORBIDDEN');
        expectProblem(await lift('FRZ-NOWHERE', label), 403, 'FORBIDDEN');
      }
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('answers 404 for a target that does not exist', async () => {
      expectProblem(await freeze({ target: { type: 'VOUCHER', id: 'VCH-NOWHERE' }, reason: ORDER }), 404, 'NOT_FOUND');
      expectProblem(await freeze({ target: { type: 'MEMBER', id: withCheckChar('91500000999999993') }, reason: ORDER }), 404, 'NOT_FOUND');
    });

    it('freezes once for a replayed Idempotency-Key', async () => {
      const { id } = await pendingReceivable(gw);
      const key = uniqueKey('frz');
      const b = { target: { type: 'RECEIVABLE', id }, reason: ORDER };
      const first = await freeze(b).set('Idempotency-Key', key);
      expect(first.status).to.equal(201);
      const height = await gw.ledger.height();
      const again = await freeze(b).set('Idempotency-Key', key);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
    });

    const malformed: Array<[string, object]> = [
      ['a missing reason', { target: { type: 'VOUCHER', id: 'VCH-1' } }],
      ['a blank reason', { target: { type: 'VOUCHER', id: 'VCH-1' }, reason: '   ' }],
      ['an unknown target type', { target: { type: 'FINANCING', id: 'FIN-1' }, reason: ORDER }],
      ['a member target that is not a credit code', { target: { type: 'MEMBER', id: 'ACME' }, reason: ORDER }],
      ['a target without an id', { target: { type: 'VOUCHER' }, reason: ORDER }],
      ['an unknown field', { target: { type: 'VOUCHER', id: 'VCH-1' }, reason: ORDER, until: '2030-01-01' }],
    ];
    for (const [what, b] of malformed) {
      it(`rejects ${what} with 400 and writes nothing`, async () => {
        const height = await gw.ledger.height();
        expectProblem(await freeze(b), 400, 'VALIDATION_FAILED');
        expect(await gw.ledger.height()).to.equal(height);
      });
    }

    it('requires a token', async () => {
      expectProblem(await gw.http.post('/freezes').send({ target: { type: 'VOUCHER', id: 'VCH-1' }, reason: ORDER }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('DELETE /freezes/:id', () => {
    async function activeFreeze(): Promise<string> {
      const { id } = await pendingReceivable(gw);
      const res = await freeze({ target: { type: 'RECEIVABLE', id }, reason: ORDER });
      if (res.status !== 201) throw new Error(`freeze setup failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    }

    it('lifts a freeze with a reason in the body (200); lifting again is 409', async () => {
      const id = await activeFreeze();
      const res = await lift(id).send({ reason: 'order discharged' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id, status: 'LIFTED', liftReason: 'order discharged', liftedBy: OPERATOR() });
      expectProblem(await lift(id), 409, 'INVALID_STATE');
    });

    it('takes the reason from the query, and refuses two different reasons with 400', async () => {
      const id = await activeFreeze();
      expectProblem(await lift(id).query({ reason: 'one' }).send({ reason: 'two' }), 400, 'VALIDATION_FAILED');
      const res = await lift(id).query({ reason: 'security posted' });
      expect(res.status).to.equal(200);
      expect(res.body.liftReason).to.equal('security posted');
    });

    it('lifts without a reason', async () => {
      const id = await activeFreeze();
      const res = await lift(id);
      expect(res.status).to.equal(200);
      expect(res.body).to.not.have.property('liftReason');
    });

    it('refuses anyone but the operator with 403 before looking the freeze up, and answers the operator 404 for an unknown freeze', async () => {
      const id = await activeFreeze();
      expectProblem(await lift(id, 'auditor'), 403, 'FORBIDDEN');
      expectProblem(await lift(id, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await lift('FRZ-NONE', 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await lift('FRZ-NONE'), 404, 'NOT_FOUND');
      expect((await read(`/freezes/${id}`)).body.status).to.equal('ACTIVE');
    });

    it('lifts once for a replayed Idempotency-Key', async () => {
      const id = await activeFreeze();
      const key = uniqueKey('lift');
      const first = await lift(id).set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await gw.ledger.height();
      const again = await lift(id).set('Idempotency-Key', key);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('rejects a malformed id, an unknown field and a reason that is too long with 400, writing nothing', async () => {
      const id = await activeFreeze();
      const height = await gw.ledger.height();
      expectProblem(await lift('FRZ%20X'), 400, 'VALIDATION_FAILED');
      expectProblem(await lift(id).send({ note: 'x' }), 400, 'VALIDATION_FAILED');
      expectProblem(await lift(id).query({ reason: 'x'.repeat(501) }), 400, 'VALIDATION_FAILED');
      expect(await gw.ledger.height()).to.equal(height);
      expect((await read(`/freezes/${id}`)).body.status).to.equal('ACTIVE');
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.delete('/freezes/FRZ-X'), 401, 'UNAUTHENTICATED');
    });
  });

  describe('GET /freezes/:id, /freezes/:id/history and GET /freezes', () => {
    it('shows a freeze to the operator and the auditor, and 404 to the holder of the frozen asset', async () => {
      const v = await issuedVoucher(gw);
      const f = await freeze({ target: { type: 'VOUCHER', id: v.id }, reason: ORDER });
      for (const label of ['operator-admin', 'auditor'] as const) {
        const res = await read(`/freezes/${f.body.id}`, label);
        expect(res.status, label).to.equal(200);
        expect(res.body).to.deep.equal(f.body);
      }
      expectProblem(await read(`/freezes/${f.body.id}`, 'supplier1'), 404, 'NOT_FOUND');
      expectProblem(await read('/freezes/FRZ-NONE'), 404, 'NOT_FOUND');
      expectProblem(await read('/freezes/FRZ%20X'), 400, 'VALIDATION_FAILED');
    });

    it('keeps who froze and who lifted, and why, in the history', async () => {
      const { id } = await pendingReceivable(gw);
      const f = await freeze({ target: { type: 'RECEIVABLE', id }, reason: ORDER });
      const l = await lift(f.body.id).send({ reason: 'order discharged' });
      const res = await read(`/freezes/${f.body.id}/history`);
      expect(res.status).to.equal(200);
      expect(res.body.id).to.equal(f.body.id);
      const txIds = res.body.versions.map((v: { txId: string }) => v.txId);
      expect(txIds).to.have.members([f.headers['transaction-id'], l.headers['transaction-id']]);
      const statuses = res.body.versions.map((v: { record: { status: string } }) => v.record.status);
      expect(statuses).to.have.members(['ACTIVE', 'LIFTED']);
      expectProblem(await read(`/freezes/${f.body.id}/history`, 'supplier1'), 404, 'NOT_FOUND');
    });

    it('lists the freezes of one target, and by status', async () => {
      const { id } = await pendingReceivable(gw);
      const first = await freeze({ target: { type: 'RECEIVABLE', id }, reason: ORDER });
      await lift(first.body.id);
      const second = await freeze({ target: { type: 'RECEIVABLE', id }, reason: 'a second order' });
      const all = await read(`/freezes?targetType=RECEIVABLE&targetId=${id}`);
      expect(all.status).to.equal(200);
      expect(all.body.records.map((f: { id: string }) => f.id)).to.have.members([first.body.id, second.body.id]);
      const active = await read(`/freezes?targetType=RECEIVABLE&targetId=${id}&status=ACTIVE`);
      expect(active.body.records.map((f: { id: string }) => f.id)).to.deep.equal([second.body.id]);
      const byStatus = await read('/freezes?status=LIFTED', 'operator-admin');
      expect(byStatus.body.records.map((f: { id: string }) => f.id)).to.include(first.body.id);
      for (const f of byStatus.body.records) expect(f.status).to.equal('LIFTED');
    });

    it('shows a member none of the freezes on its assets or on others (only operators and auditors follow them)', async () => {
      const { id } = await pendingReceivable(gw);
      const f = await freeze({ target: { type: 'RECEIVABLE', id }, reason: ORDER });
      const auditorView = await read('/freezes?status=ACTIVE');
      expect(auditorView.body.records.map((r: { id: string }) => r.id)).to.include(f.body.id);
      const creditorView = await read('/freezes?status=ACTIVE', 'supplier1');
      expect(creditorView.status).to.equal(200);
      expect(creditorView.body.records).to.deep.equal([]);
      const byTarget = await read(`/freezes?targetType=RECEIVABLE&targetId=${id}`, 'supplier1');
      expect(byTarget.body.records).to.deep.equal([]);
    });

    it('rejects a target type without an id, an unknown status and an unknown filter with 400', async () => {
      for (const q of ['targetType=VOUCHER', 'targetId=VCH-1', 'status=PAUSED', 'targetType=MEMBER&targetId=ACME', 'holder=me']) {
        expectProblem(await read(`/freezes?${q}`), 400, 'VALIDATION_FAILED');
      }
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.get('/freezes?status=ACTIVE'), 401, 'UNAUTHENTICATED');
      expectProblem(await gw.http.get('/freezes/FRZ-X/history'), 401, 'UNAUTHENTICATED');
    });
  });
});
