import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import {
  CORE,
  confirmedReceivable,
  expectProblem,
  isoDate,
  member,
  pendingReceivable,
  startGateway,
  SUPPLIER1,
  type TestGateway,
  uniqueKey,
} from './harness';

type Label = Parameters<TestGateway['auth']>[0];

describe('HTTP: approvals (dual control)', () => {
  let gw: TestGateway;
  /** The core enterprise's dual-control threshold, read from the ledger. */
  let threshold: string;
  before(async () => {
    gw = await startGateway();
    const who = await gw.http.get('/me').set('Authorization', gw.auth('core-maker'));
    threshold = who.body.member.dualControlThreshold as string;
    if (!/^\d+$/.test(threshold)) throw new Error(`the demo core enterprise has no threshold: ${JSON.stringify(who.body)}`);
  });
  after(async () => {
    await gw?.close();
  });

  const read = (path: string, label: Label = 'auditor') => gw.http.get(path).set('Authorization', gw.auth(label));
  const decide = (id: string, action: 'approve' | 'reject', label: Label = 'core-checker', b: object = {}) =>
    gw.http.post(`/approvals/${id}/${action}`).set('Authorization', gw.auth(label)).send(b);
  const setThreshold = (memberId: string, b: object, label: Label = 'operator-admin') =>
    gw.http.post(`/members/${memberId}/dual-control`).set('Authorization', gw.auth(label)).send(b);

  /** A voucher issuance at the threshold: the maker's call answers 202 with a PENDING approval. */
  async function pendingIssuance(receivableAmount = threshold): Promise<{ approvalId: string; receivableId: string; amount: string }> {
    const receivableId = await confirmedReceivable(gw, receivableAmount);
    const res = await gw.http
      .post('/vouchers')
      .set('Authorization', gw.auth('core-maker'))
      .send({ receivableId, amount: threshold, maturityDate: isoDate(60) });
    if (res.status !== 202) throw new Error(`expected an approval, got ${res.status} ${JSON.stringify(res.body)}`);
    return { approvalId: res.body.id as string, receivableId, amount: threshold };
  }

  describe('GET /approvals and GET /approvals/:id', () => {
    it("lists the PENDING approvals of the caller's member, and shows one to its checker and the auditor", async () => {
      const { approvalId } = await pendingIssuance();
      const list = await read('/approvals?status=PENDING', 'core-checker');
      expect(list.status).to.equal(200);
      expect(list.body.records.map((a: { id: string }) => a.id)).to.include(approvalId);
      for (const a of list.body.records) expect(a).to.include({ status: 'PENDING', memberId: CORE() });
      for (const label of ['core-checker', 'core-maker', 'auditor', 'operator-admin'] as const) {
        const one = await read(`/approvals/${approvalId}`, label);
        expect(one.status, label).to.equal(200);
        expect(one.body).to.include({ id: approvalId, transaction: 'voucher:Issue', amount: threshold, threshold, status: 'PENDING' });
      }
    });

    it("answers 404 to a member that is not the approval's, and shows it an empty list for another member", async () => {
      const { approvalId } = await pendingIssuance();
      expectProblem(await read(`/approvals/${approvalId}`, 'supplier1'), 404, 'NOT_FOUND');
      expectProblem(await read(`/approvals/${approvalId}`, 'bank-checker'), 404, 'NOT_FOUND');
      expectProblem(await read('/approvals/APR-NONE', 'core-checker'), 404, 'NOT_FOUND');
      const other = await read(`/approvals?memberId=${CORE()}`, 'supplier1');
      expect(other.status).to.equal(200);
      expect(other.body.records).to.deep.equal([]);
    });

    it("lets the auditor list another member's approvals, page by page", async () => {
      await pendingIssuance();
      await pendingIssuance();
      const first = await read(`/approvals?memberId=${CORE()}&pageSize=1`);
      expect(first.status).to.equal(200);
      expect(first.body.records).to.have.length(1);
      expect(first.body.bookmark).to.not.equal('');
      const next = await read(`/approvals?memberId=${CORE()}&pageSize=1&bookmark=${encodeURIComponent(first.body.bookmark)}`);
      expect(next.status).to.equal(200);
      expect(next.body.records).to.have.length(1);
      expect(next.body.records[0].id).to.not.equal(first.body.records[0].id);
    });

    it('rejects an unknown status, a malformed member id and an unknown filter with 400', async () => {
      for (const q of ['status=OPEN', 'memberId=ACME', 'pageSize=0', 'maker=me']) {
        expectProblem(await read(`/approvals?${q}`, 'core-checker'), 400, 'VALIDATION_FAILED');
      }
      expectProblem(await read('/approvals/APR%20X', 'core-checker'), 400, 'VALIDATION_FAILED');
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.get('/approvals'), 401, 'UNAUTHENTICATED');
      expectProblem(await gw.http.get('/approvals/APR-X'), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST /approvals/:id/approve', () => {
    it("executes the operation for the checker (200): the approval is APPROVED and the voucher issued", async () => {
      const { approvalId, receivableId } = await pendingIssuance();
      const res = await decide(approvalId, 'approve', 'core-checker', { reason: 'four eyes: checked against the delivery' });
      expect(res.status).to.equal(200);
      expect(res.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      expect(res.body.approval).to.include({ id: approvalId, status: 'APPROVED', reason: 'four eyes: checked against the delivery' });
      expect(res.body.result).to.include({ issuer: CORE(), holder: SUPPLIER1(), amount: threshold, status: 'ACTIVE', receivableId });
      const voucher = await read(`/vouchers/${res.body.result.id}`, 'supplier1');
      expect(voucher.status).to.equal(200);
      expect(voucher.body.createdTxId).to.equal(res.headers['transaction-id']);
      expect((await read(`/receivables/${receivableId}`)).body.voucheredAmount).to.equal(threshold);
      expect((await read(`/approvals/${approvalId}`, 'core-maker')).body.status).to.equal('APPROVED');
    });

    it('refuses the maker approving its own request with 403, and leaves it PENDING', async () => {
      const { approvalId, receivableId } = await pendingIssuance();
      const height = await gw.ledger.height();
      expectProblem(await decide(approvalId, 'approve', 'core-maker'), 403, 'FORBIDDEN');
      expect(await gw.ledger.height()).to.equal(height);
      expect((await read(`/approvals/${approvalId}`)).body.status).to.equal('PENDING');
      expect((await read(`/receivables/${receivableId}`)).body.voucheredAmount).to.equal('0');
    });

    it('answers 404 to an identity of another member, even a checker', async () => {
      const { approvalId } = await pendingIssuance();
      expectProblem(await decide(approvalId, 'approve', 'bank-checker'), 404, 'NOT_FOUND');
      expectProblem(await decide(approvalId, 'approve', 'supplier1'), 404, 'NOT_FOUND');
      expectProblem(await decide('APR-UNKNOWN', 'approve'), 404, 'NOT_FOUND');
    });

    it('refuses deciding an approval twice with 409 INVALID_STATE', async () => {
      const { approvalId } = await pendingIssuance();
      expect((await decide(approvalId, 'approve')).status).to.equal(200);
      expectProblem(await decide(approvalId, 'approve'), 409, 'INVALID_STATE');
      expectProblem(await decide(approvalId, 'reject'), 409, 'INVALID_STATE');
    });

    it('runs the operation against the state of the day: an amount no longer available is 422, and the approval stays PENDING', async () => {
      // A receivable just above the threshold: the approval asks for `threshold`,
      // then a small issuance below the threshold leaves less than that.
      const receivableAmount = (BigInt(threshold) + 100_000n).toString();
      const { approvalId, receivableId } = await pendingIssuance(receivableAmount);
      const small = await gw.http
        .post('/vouchers')
        .set('Authorization', gw.auth('core-maker'))
        .send({ receivableId, amount: '200000', maturityDate: isoDate(60) });
      expect(small.status).to.equal(201);
      expectProblem(await decide(approvalId, 'approve'), 422, 'BUSINESS_RULE');
      expect((await read(`/approvals/${approvalId}`)).body.status).to.equal('PENDING');
      expect((await read(`/receivables/${receivableId}`)).body.voucheredAmount).to.equal('200000');
    });

    it('refuses to execute over a frozen receivable with 423 FROZEN', async () => {
      const { approvalId, receivableId } = await pendingIssuance();
      const freeze = await gw.http
        .post('/freezes')
        .set('Authorization', gw.auth('operator-admin'))
        .send({ target: { type: 'RECEIVABLE', id: receivableId }, reason: 'court order (2025) Jing 01 Zhi Bao 7' });
      expect(freeze.status).to.equal(201);
      expectProblem(await decide(approvalId, 'approve'), 423, 'FROZEN');
      const lifted = await gw.http.delete(`/freezes/${freeze.body.id}`).set('Authorization', gw.auth('operator-admin'));
      expect(lifted.status).to.equal(200);
      expect((await decide(approvalId, 'approve')).status).to.equal(200);
    });

    it('approves once for a replayed Idempotency-Key (same body, no new transaction)', async () => {
      const { approvalId } = await pendingIssuance();
      const key = uniqueKey('approve');
      const first = await decide(approvalId, 'approve').set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await gw.ledger.height();
      const again = await decide(approvalId, 'approve').set('Idempotency-Key', key);
      expect(again.status).to.equal(200);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
      // the same key for another transaction of the member is a conflict
      const other = await pendingIssuance();
      expectProblem(await decide(other.approvalId, 'reject').set('Idempotency-Key', key), 409, 'ALREADY_EXISTS');
    });

    it('rejects a malformed id, an unknown field and a reason that is too long with 400, writing nothing', async () => {
      const { approvalId } = await pendingIssuance();
      const height = await gw.ledger.height();
      expectProblem(await decide('APR X', 'approve'), 400, 'VALIDATION_FAILED');
      expectProblem(await decide(approvalId, 'approve', 'core-checker', { approved: true }), 400, 'VALIDATION_FAILED');
      expectProblem(await decide(approvalId, 'approve', 'core-checker', { reason: 'x'.repeat(501) }), 400, 'VALIDATION_FAILED');
      expectProblem(await decide(approvalId, 'approve').set('Idempotency-Key', 'not a key'), 400, 'VALIDATION_FAILED');
      expect(await gw.ledger.height()).to.equal(height);
      expect((await read(`/approvals/${approvalId}`)).body.status).to.equal('PENDING');
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.post('/approvals/APR-X/approve').send({}), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST /approvals/:id/reject', () => {
    it('lets the checker reject with a reason (200): nothing is issued', async () => {
      const { approvalId, receivableId } = await pendingIssuance();
      const res = await decide(approvalId, 'reject', 'core-checker', { reason: 'no matching purchase order' });
      expect(res.status).to.equal(200);
      expect(res.body.approval).to.include({ id: approvalId, status: 'REJECTED', reason: 'no matching purchase order' });
      expect(res.body).to.not.have.property('result');
      expect((await read(`/receivables/${receivableId}`)).body.voucheredAmount).to.equal('0');
      expectProblem(await decide(approvalId, 'approve'), 409, 'INVALID_STATE');
    });

    it('lets the maker withdraw its own request (200)', async () => {
      const { approvalId } = await pendingIssuance();
      const res = await decide(approvalId, 'reject', 'core-maker');
      expect(res.status).to.equal(200);
      expect(res.body.approval.status).to.equal('REJECTED');
    });

    it('answers 404 to another member and 400 to an unknown field', async () => {
      const { approvalId } = await pendingIssuance();
      expectProblem(await decide(approvalId, 'reject', 'supplier1'), 404, 'NOT_FOUND');
      expectProblem(await decide(approvalId, 'reject', 'core-checker', { why: 'no' }), 400, 'VALIDATION_FAILED');
    });

    it('rejects once for a replayed Idempotency-Key', async () => {
      const { approvalId } = await pendingIssuance();
      const key = uniqueKey('reject');
      const first = await decide(approvalId, 'reject', 'core-checker', { reason: 'duplicate' }).set('Idempotency-Key', key);
      const height = await gw.ledger.height();
      const again = await decide(approvalId, 'reject', 'core-checker', { reason: 'duplicate' }).set('Idempotency-Key', key);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
    });
  });

  describe("a receivable's confirmation (确权) under the debtor's dual control", () => {
    const confirm = (id: string, label: Label = 'core-maker', b: object = {}) =>
      gw.http.post(`/receivables/${id}/confirm`).set('Authorization', gw.auth(label)).send(b);
    const below = () => (BigInt(threshold) - 1n).toString();

    it('answers 202 with an approval at the threshold, leaves the receivable PENDING, and confirms on the checker\'s approval', async () => {
      const { id } = await pendingReceivable(gw, threshold);
      const res = await confirm(id, 'core-maker', { reason: 'goods received in full' });
      expect(res.status).to.equal(202);
      expect(res.body).to.include({ docType: 'approval', transaction: 'receivable:Confirm', amount: threshold, threshold, status: 'PENDING', memberId: CORE() });
      expect(res.body.command).to.deep.equal({ id, reason: 'goods received in full' });
      expect((await read(`/receivables/${id}`)).body.status).to.equal('PENDING');
      // One confirmation of a receivable awaits the checker at a time; nothing is written.
      const height = await gw.ledger.height();
      const again = await confirm(id, 'core-maker');
      expectProblem(again, 409, 'ALREADY_EXISTS');
      expect(again.body.detail).to.include(res.body.id);
      expect(await gw.ledger.height()).to.equal(height);
      expectProblem(await decide(res.body.id as string, 'approve', 'core-maker'), 403, 'FORBIDDEN');
      const approved = await decide(res.body.id as string, 'approve', 'core-checker');
      expect(approved.status).to.equal(200);
      expect(approved.body.approval).to.include({ status: 'APPROVED' });
      expect(approved.body.result).to.include({ id, status: 'CONFIRMED', confirmationReason: 'goods received in full' });
      expect((await read(`/receivables/${id}`)).body.status).to.equal('CONFIRMED');
    });

    it('confirms at once below the threshold (200)', async () => {
      const { id } = await pendingReceivable(gw, below());
      const res = await confirm(id);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id, status: 'CONFIRMED' });
    });

    it("fails at once with the confirmation's own error, recording no approval: a creditor's confirmation is 403, an unknown receivable 404", async () => {
      const { id } = await pendingReceivable(gw, threshold);
      const height = await gw.ledger.height();
      expectProblem(await confirm(id, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await confirm('RCV-NONE', 'core-maker'), 404, 'NOT_FOUND');
      expect(await gw.ledger.height()).to.equal(height);
      expect((await read(`/approvals?memberId=${CORE()}&status=PENDING`)).body.records.filter((a: { command: { id?: string } }) => a.command.id === id)).to.deep.equal([]);
    });

    it('lets the maker withdraw it and ask again; a receivable the creditor cancelled meanwhile is not confirmed by the approval', async () => {
      const { id } = await pendingReceivable(gw, threshold);
      const first = await confirm(id);
      expect((await decide(first.body.id as string, 'reject', 'core-maker')).status).to.equal(200);
      const second = await confirm(id);
      expect(second.status).to.equal(202);
      expect((await gw.http.post(`/receivables/${id}/cancel`).set('Authorization', gw.auth('supplier1')).send({})).status).to.equal(200);
      expectProblem(await decide(second.body.id as string, 'approve', 'core-checker'), 409, 'INVALID_STATE');
      expect((await read(`/approvals/${second.body.id}`)).body.status).to.equal('PENDING');
      expect((await read(`/receivables/${id}`)).body.status).to.equal('CANCELLED');
    });
  });

  describe('POST /members/:id/dual-control', () => {
    it("lets the operator move a member's threshold, which decides when issuance needs a checker", async () => {
      const lowered = await setThreshold(CORE(), { threshold: '500000' });
      expect(lowered.status).to.equal(200);
      expect(lowered.body).to.include({ id: CORE(), dualControlThreshold: '500000' });
      try {
        const receivableId = await confirmedReceivable(gw, '600000');
        const res = await gw.http
          .post('/vouchers')
          .set('Authorization', gw.auth('core-maker'))
          .send({ receivableId, amount: '600000', maturityDate: isoDate(30) });
        expect(res.status).to.equal(202);
        expect(res.body).to.include({ threshold: '500000', amount: '600000' });
      } finally {
        const restored = await setThreshold(CORE(), { threshold });
        expect(restored.status).to.equal(200);
      }
    });

    it("lets a member's ADMIN switch dual control on and tighten it, but only the operator relax or clear it (null = off)", async () => {
      const set = await setThreshold(SUPPLIER1(), { threshold: '2500000' }, 'supplier1');
      expect(set.status).to.equal(200);
      expect(set.body.dualControlThreshold).to.equal('2500000');
      const tighter = await setThreshold(SUPPLIER1(), { threshold: '2000000' }, 'supplier1');
      expect(tighter.status).to.equal(200);
      const height = await gw.ledger.height();
      expectProblem(await setThreshold(SUPPLIER1(), { threshold: null }, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await setThreshold(SUPPLIER1(), { threshold: '3000000' }, 'supplier1'), 403, 'FORBIDDEN');
      expect(await gw.ledger.height()).to.equal(height);
      const cleared = await setThreshold(SUPPLIER1(), { threshold: null }, 'operator-admin');
      expect(cleared.status).to.equal(200);
      expect(cleared.body).to.not.have.property('dualControlThreshold');
      expect((await read(`/members/${SUPPLIER1()}`)).body).to.not.have.property('dualControlThreshold');
    });

    it("refuses a MAKER of the member and another member's ADMIN with 403, leaving the threshold", async () => {
      expectProblem(await setThreshold(CORE(), { threshold: null }, 'core-maker'), 403, 'FORBIDDEN');
      expectProblem(await setThreshold(CORE(), { threshold: '1' }, 'supplier1'), 403, 'FORBIDDEN');
      expect((await read(`/members/${CORE()}`)).body.dualControlThreshold).to.equal(threshold);
    });

    it('refuses the auditor (an ADMIN of its own member) setting its own threshold with 403: AUDITOR never writes', async () => {
      const auditor = member('auditor');
      const height = await gw.ledger.height();
      const res = await setThreshold(auditor, { threshold: '100' }, 'auditor');
      expectProblem(res, 403, 'FORBIDDEN');
      expect(res.body.detail).to.contain('AUDITOR');
      expect(await gw.ledger.height()).to.equal(height);
      expect((await read(`/members/${auditor}`)).body).to.not.have.property('dualControlThreshold');
    });

    it('answers 404 for a member that is not registered', async () => {
      expectProblem(await setThreshold(withCheckChar('91500000999999994'), { threshold: '100' }), 404, 'NOT_FOUND');
    });

    it('sets once for a replayed Idempotency-Key', async () => {
      const key = uniqueKey('dual');
      const first = await setThreshold(SUPPLIER1(), { threshold: '700000' }, 'supplier1').set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await gw.ledger.height();
      const again = await setThreshold(SUPPLIER1(), { threshold: '700000' }, 'supplier1').set('Idempotency-Key', key);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
    });

    const malformed: Array<[string, object]> = [
      ['a zero threshold', { threshold: '0' }],
      ['a missing threshold', {}],
      ['a threshold as a JSON number', { threshold: 100 }],
      ['a negative threshold', { threshold: '-100' }],
      ['an unknown field', { threshold: '100', currency: 'CNY' }],
    ];
    for (const [what, b] of malformed) {
      it(`rejects ${what} with 400 and writes nothing`, async () => {
        const height = await gw.ledger.height();
        expectProblem(await setThreshold(CORE(), b), 400, 'VALIDATION_FAILED');
        expect(await gw.ledger.height()).to.equal(height);
      });
    }

    it('rejects a member id with a wrong check character with 400, and requires a token', async () => {
      const bad = `${CORE().slice(0, 17)}${CORE().endsWith('0') ? '1' : '0'}`;
      expectProblem(await setThreshold(bad, { threshold: '100' }), 400, 'VALIDATION_FAILED');
      expectProblem(await gw.http.post(`/members/${CORE()}/dual-control`).send({ threshold: '100' }), 401, 'UNAUTHENTICATED');
    });
  });
});
