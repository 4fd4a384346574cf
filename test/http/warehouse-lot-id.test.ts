import { expect } from 'chai';
import { expectProblem, receiptBody, startGateway, type TestGateway, uniqueKey } from './harness';

/**
 * A lot number is taken exactly as sent: the zod schema the gateway enforces
 * and the OpenAPI document it serves say the same thing, and the chaincode
 * agrees with both.
 */
describe('HTTP: the lot number of a warehouse receipt', () => {
  let gw: TestGateway;
  let pattern: RegExp;
  before(async () => {
    gw = await startGateway();
    const doc = await gw.http.get('/openapi.json');
    pattern = new RegExp(doc.body.components.schemas.IssueWarehouseReceipt.properties.lotId.pattern as string, 'u');
  });
  after(async () => {
    await gw?.close();
  });

  const issue = (lotId: string) =>
    gw.http
      .post('/warehouse-receipts')
      .set('Authorization', gw.auth('warehouse'))
      .send(receiptBody({ lotId }));

  for (const [what, lotId] of [
    ['a leading space', ' LOT-1'],
    ['a trailing line break', 'LOT-1\n'],
    ['a trailing space', 'LOT-1 '],
    ['a tab inside', 'LOT\t1'],
  ] as const) {
    it(`refuses a lot number with ${what} with 400 VALIDATION_FAILED, as the OpenAPI pattern does, and writes nothing`, async () => {
      expect(pattern.test(lotId)).to.equal(false);
      const height = await gw.ledger.height();
      const res = await issue(lotId);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['body.lotId']);
      expect(await gw.ledger.height()).to.equal(height);
    });
  }

  it('accepts a lot number the pattern accepts and stores it as sent', async () => {
    const lotId = `QD-${uniqueKey('lot')}`.slice(0, 64);
    expect(pattern.test(lotId)).to.equal(true);
    const res = await issue(lotId);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.lotId).to.equal(lotId);
  });
});
