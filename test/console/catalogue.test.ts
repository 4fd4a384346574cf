import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as ts from 'typescript';
import { operationNamed } from '../../chaincode/src/contracts/base';
import { APPROVAL_STATUSES, FREEZE_STATUSES, FREEZE_TARGET_TYPES } from '../../chaincode/src/domain/controls';
import { CREDIT_LINE_KINDS, CREDIT_LINE_STATUSES } from '../../chaincode/src/domain/credit-lines';
import { EVENTS } from '../../chaincode/src/domain/events';
import { FINANCING_ASSET_TYPES, FINANCING_STATUSES } from '../../chaincode/src/domain/financing';
import { DOCUMENT_KINDS, FINGERPRINT_STATUSES, MEMBER_STATUSES, RECEIVABLE_STATUSES, ROLES, USER_ROLES, VOUCHER_STATUSES } from '../../chaincode/src/domain/types';
import { RECEIPT_STATUSES } from '../../chaincode/src/domain/warehouse';
import { resources } from '../../console/src/catalogue';
import { startGateway, type TestGateway } from '../http/harness';

const CHAINCODE = join(__dirname, '..', '..', 'chaincode', 'src');

/** Every `docType` a record type of the domain declares (`docType: 'receivable'`), read from the domain's source. */
function declaredDocTypes(): string[] {
  const dir = join(CHAINCODE, 'domain');
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = ts.createSourceFile(file, readFileSync(join(dir, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isPropertySignature(node) && node.name.getText(source) === 'docType' && node.type && ts.isLiteralTypeNode(node.type) && ts.isStringLiteral(node.type.literal)) {
        found.add(node.type.literal.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...found].sort();
}

/**
 * The transactions an approval can wait to execute: every operation the
 * contracts define subject to dual control (it has a dualControlAmount), and
 * that approval:Approve finds by its name.
 */
async function dualControlTransactions(): Promise<string[]> {
  const dir = join(CHAINCODE, 'contracts');
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const exported = (await import(join(dir, file))) as Record<string, unknown>;
    for (const value of Object.values(exported)) {
      const op = value as { name?: unknown; dualControlAmount?: unknown } | null;
      if (typeof op === 'object' && op !== null && typeof op.name === 'string' && typeof op.dualControlAmount === 'function' && operationNamed(op.name) === value) names.add(op.name);
    }
  }
  return [...names].sort();
}

/**
 * Codes the ledger sends and the console shows (statuses, asset types, kinds
 * of document, the properties of the records the auditor opens, member and
 * user roles, record types, credit line kinds, the transactions approvals
 * wait on, event names) are read through the catalogue. A code the catalogue lacks is shown raw, in English
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

  it('has every member role and every user role, in Chinese words', () => {
    expect(missing('role', ROLES)).to.deep.equal([]);
    expect(untranslated('role', ROLES)).to.deep.equal([]);
    expect(missing('userRole', USER_ROLES)).to.deep.equal([]);
    expect(untranslated('userRole', USER_ROLES)).to.deep.equal([]);
  });

  it("has every record type (a record's docType) the domain declares and every kind of credit line, in Chinese words", () => {
    const docTypes = declaredDocTypes();
    // The walk finds the types where they are known to be: it must not pass by finding nothing.
    expect(docTypes).to.include.members(['receivable', 'voucher', 'financing', 'approval', 'freeze', 'warehouseReceipt', 'creditLine']);
    expect(missing('docType', docTypes)).to.deep.equal([]);
    expect(untranslated('docType', docTypes)).to.deep.equal([]);
    expect(missing('creditLineKind', CREDIT_LINE_KINDS)).to.deep.equal([]);
    expect(untranslated('creditLineKind', CREDIT_LINE_KINDS)).to.deep.equal([]);
  });

  it('has every transaction an approval can wait to execute (the operations under dual control), in Chinese words', async () => {
    const transactions = await dualControlTransactions();
    expect(transactions).to.include.members(['voucher:Issue', 'financing:Approve']);
    expect(missing('transaction', transactions)).to.deep.equal([]);
    expect(untranslated('transaction', transactions)).to.deep.equal([]);
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

    it('has the name of every event and notification /openapi.json lets a stream or a webhook carry, in Chinese words', async () => {
      const doc = (await gw.http.get('/openapi.json')).body as {
        components: { schemas: Record<string, { properties?: Record<string, { items?: { enum?: string[] } }> }> };
      };
      const types = (doc.components.schemas.RegisterWebhook?.properties?.eventTypes?.items?.enum ?? []).filter((name) => name !== '*');
      // Every chaincode event is one of them, and the gateway's notifications (a maturity reminder…) too.
      expect(types).to.include.members([...Object.values(EVENTS), 'MaturityReminder']);
      expect(missing('event', types)).to.deep.equal([]);
      expect(untranslated('event', types)).to.deep.equal([]);
    });
  });
});
