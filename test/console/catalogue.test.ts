import { expect } from 'chai';
import { APPROVAL_STATUSES, FREEZE_STATUSES, FREEZE_TARGET_TYPES } from '../../chaincode/src/domain/controls';
import { CREDIT_LINE_STATUSES } from '../../chaincode/src/domain/credit-lines';
import { FINANCING_ASSET_TYPES, FINANCING_STATUSES } from '../../chaincode/src/domain/financing';
import { DOCUMENT_KINDS, FINGERPRINT_STATUSES, MEMBER_STATUSES, RECEIVABLE_STATUSES, VOUCHER_STATUSES } from '../../chaincode/src/domain/types';
import { RECEIPT_STATUSES } from '../../chaincode/src/domain/warehouse';
import { resources } from '../../console/src/catalogue';
import { startGateway, type TestGateway } from '../http/harness';

/**
 * Codes the ledger sends and the console shows (statuses, asset types, kinds
 * of document, the properties of the records the auditor opens) are read
 * through the catalogue. A code the catalogue lacks is shown raw, in English
 * in the Chinese console: every one must have its words in every language.
 */
describe("console: the catalogue names every code the ledger sends", () => {
  const locales = Object.keys(resources) as Array<keyof typeof resources>;
  const has = (key: string) => locales.filter((l) => !(key in resources[l]));
  /** Keys missing, as `locale: key`. */
  const missing = (prefix: string, codes: readonly string[]) => codes.flatMap((c) => has(`${prefix}.${c}`).map((l) => `${l}: ${prefix}.${c}`));
  /** Chinese words that are not Chinese (a code or English copied across). */
  const untranslated = (prefix: string, codes: readonly string[]) =>
    codes.map((c) => `${prefix}.${c}`).filter((k) => !/[\u4e00-\u9fff]/.test((resources.zh as Record<string, string>)[k] ?? ''));

  it('has every record status of every record type, in Chinese words', () => {
    const statuses = [
      ...new Set([
        ...RECEIVABLE_STATUSES,
        ...VOUCHER_STATUSES,
        ...FINANCING_STATUSES,
        ...RECEIPT_STATUSES,
        ...FREEZE_STATUSES,
        ...APPROVAL_STATUSES,
        ...CREDIT_LINE_STATUSES,
        ...MEMBER_STATUSES,
        ...FINGERPRINT_STATUSES,
      ]),
    ];
    expect(missing('status', statuses)).to.deep.equal([]);
    expect(untranslated('status', statuses)).to.deep.equal([]);
  });

  it("has every asset type (a financing's asset, a freeze's target) and every kind of document, in Chinese words", () => {
    const types = [...new Set([...FINANCING_ASSET_TYPES, ...FREEZE_TARGET_TYPES])];
    expect(missing('assetType', types)).to.deep.equal([]);
    expect(untranslated('assetType', types)).to.deep.equal([]);
    expect(missing('documentKind', DOCUMENT_KINDS)).to.deep.equal([]);
    expect(untranslated('documentKind', DOCUMENT_KINDS)).to.deep.equal([]);
  });

  describe('the record properties the auditor reads', () => {
    let gw: TestGateway;
    before(async () => {
      gw = await startGateway();
    });
    after(async () => {
      await gw?.close();
    });

    it('has every property /openapi.json declares for a record the auditor opens, in Chinese words', async () => {
      const doc = (await gw.http.get('/openapi.json')).body as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
      // The collections of the auditor's lookup (views/auditor.tsx, COLLECTIONS).
      const records = ['Receivable', 'Voucher', 'Financing', 'Freeze', 'Approval', 'WarehouseReceipt', 'CreditLine'];
      const properties = [...new Set(records.flatMap((name) => Object.keys(doc.components.schemas[name]?.properties ?? {})))];
      // The walk finds the properties where they are known to be: it must not pass by finding nothing.
      expect(properties).to.include.members(['creditor', 'holder', 'faceAmount', 'orderedBy', 'maker', 'pledgee', 'headroom']);
      expect(missing('recordField', properties)).to.deep.equal([]);
      expect(untranslated('recordField', properties)).to.deep.equal([]);
    });
  });
});
