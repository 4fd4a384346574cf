import { expect } from 'chai';
import { expectProblem, pendingReceivable, startGateway, type TestGateway } from './harness';

describe('HTTP: fingerprints', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  describe('POST /fingerprints', () => {
    it('canonicalises and hashes each document (200) without touching the ledger', async () => {
      const height = await gw.ledger.height();
      const res = await gw.http
        .post('/fingerprints')
        .set('Authorization', gw.auth('supplier1'))
        .send({
          documents: [
            { kind: 'INVOICE', sellerTaxId: ' 91310000ma1fl8xq30 ', invoiceCode: '3100231130', invoiceNumber: '04567890', amount: '11300000', issueDate: '2024-03-15' },
            { kind: 'LOT', warehouseId: 'wh-sh-01', lotId: 'LOT-2024-0042' },
          ],
        });
      expect(res.status).to.equal(200);
      // Known answers: printf '%s' '<canonical>' | sha256sum
      expect(res.body.documents).to.deep.equal([
        {
          kind: 'INVOICE',
          canonical: 'invoice|91310000MA1FL8XQ30|3100231130|04567890|11300000|2024-03-15',
          fingerprint: 'fbb24ac04597e9a19c9129df2dff237a9f3be157f10d4e7c89d42aeb25506c25',
          // The invoice by its number alone, claimed beside it.
          invoiceNumber: {
            canonical: 'invoice_number|91310000MA1FL8XQ30|3100231130|04567890',
            fingerprint: 'f55d494a0451c8cada7628660fbbd8730989911aacc9631ce83edf89ac49fff6',
          },
        },
        { kind: 'LOT', canonical: 'lot|WH-SH-01|LOT-2024-0042', fingerprint: '4540fd65fc1a301fa176bb0b0a7d17850d66f3d527fe4a940ed50b500b7af735' },
      ]);
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('hashes a contract the same whichever party comes first', async () => {
      const doc = { kind: 'CONTRACT', contractNumber: 'HT-1', amount: '100', signDate: '2024-01-10' };
      const [a, b] = await Promise.all([
        gw.http.post('/fingerprints').set('Authorization', gw.auth('supplier1')).send({ documents: [{ ...doc, partyA: 'AAA', partyB: 'BBB' }] }),
        gw.http.post('/fingerprints').set('Authorization', gw.auth('core-maker')).send({ documents: [{ ...doc, partyA: 'bbb', partyB: 'aaa' }] }),
      ]);
      expect(a.body.documents[0].fingerprint).to.equal(b.body.documents[0].fingerprint);
    });

    const malformed: Array<[string, object]> = [
      ['an unknown kind', { documents: [{ kind: 'RECEIPT', number: '1' }] }],
      ['a separator inside an id', { documents: [{ kind: 'LOT', warehouseId: 'W|1', lotId: 'L' }] }],
      ['a decimal amount', { documents: [{ kind: 'INVOICE', sellerTaxId: 'S', invoiceNumber: 'N', amount: '1.00', issueDate: '2024-01-01' }] }],
      ['an impossible date', { documents: [{ kind: 'INVOICE', sellerTaxId: 'S', invoiceNumber: 'N', amount: '1', issueDate: '2024-13-01' }] }],
      ['a field of another kind', { documents: [{ kind: 'LOT', warehouseId: 'W', lotId: 'L', amount: '1' }] }],
      ['a lot number with spaces, which issuing a receipt refuses too', { documents: [{ kind: 'LOT', warehouseId: 'W', lotId: ' qd-2025-0417 ' }] }],
      ['no documents', { documents: [] }],
    ];
    for (const [what, b] of malformed) {
      it(`rejects ${what} with 400`, async () => {
        expectProblem(await gw.http.post('/fingerprints').set('Authorization', gw.auth('supplier1')).send(b), 400, 'VALIDATION_FAILED');
      });
    }

    it('requires a token', async () => {
      expectProblem(await gw.http.post('/fingerprints').send({ documents: [] }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST /fingerprints/check', () => {
    it('says which fingerprints a live asset holds, and which are free', async () => {
      const { id, fingerprint } = await pendingReceivable(gw);
      const free = 'f'.repeat(64);
      const res = await gw.http
        .post('/fingerprints/check')
        .set('Authorization', gw.auth('bank-maker'))
        .send({ fingerprints: [{ kind: 'INVOICE', fingerprint }, { kind: 'INVOICE', fingerprint: free }] });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal([
        { kind: 'INVOICE', fingerprint, claimed: true, assetType: 'RECEIVABLE', assetId: id },
        { kind: 'INVOICE', fingerprint: free, claimed: false },
      ]);
    });

    it("finds a variant of a claimed invoice (another amount) by its INVOICE_NUMBER fingerprint, as the bank's check should", async () => {
      const { id, invoice } = await pendingReceivable(gw);
      const computed = await gw.http.post('/fingerprints').set('Authorization', gw.auth('bank-maker')).send({ documents: [{ ...invoice, amount: '1' }] });
      const [variant] = computed.body.documents;
      const res = await gw.http
        .post('/fingerprints/check')
        .set('Authorization', gw.auth('bank-maker'))
        .send({ fingerprints: [{ kind: 'INVOICE', fingerprint: variant.fingerprint }, { kind: 'INVOICE_NUMBER', fingerprint: variant.invoiceNumber.fingerprint }] });
      expect(res.status).to.equal(200);
      expect(res.body[0]).to.include({ claimed: false });
      expect(res.body[1]).to.include({ kind: 'INVOICE_NUMBER', claimed: true, assetType: 'RECEIVABLE', assetId: id });
    });

    it('reports a fingerprint as free again once its receivable is cancelled', async () => {
      const { id, fingerprint } = await pendingReceivable(gw);
      expect((await gw.http.post(`/receivables/${id}/cancel`).set('Authorization', gw.auth('supplier1')).send({})).status).to.equal(200);
      const res = await gw.http.post('/fingerprints/check').set('Authorization', gw.auth('auditor')).send({ fingerprints: [{ kind: 'INVOICE', fingerprint }] });
      expect(res.body[0].claimed).to.equal(false);
    });

    it('rejects a malformed fingerprint or kind with 400', async () => {
      for (const fingerprints of [[{ kind: 'INVOICE', fingerprint: 'abc' }], [{ kind: 'PHOTO', fingerprint: 'a'.repeat(64) }], []]) {
        expectProblem(await gw.http.post('/fingerprints/check').set('Authorization', gw.auth('auditor')).send({ fingerprints }), 400, 'VALIDATION_FAILED');
      }
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.post('/fingerprints/check').send({ fingerprints: [] }), 401, 'UNAUTHENTICATED');
    });
  });
});
