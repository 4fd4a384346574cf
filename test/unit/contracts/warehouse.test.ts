import { expect } from 'chai';
import { lotFingerprint } from '../../../chaincode/src/domain/warehouse';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import type { CanonicalDocument } from '../../../chaincode/src/domain/canonical';
import { clientIdOf, docs, fingerprintOf, fp, IDS, invoice, receiptCommand, rejects, world, yuan, type World } from '../../support/ledger-harness';

const WAREHOUSE2 = withCheckChar('91370200MA00WH002');
const BANK2 = withCheckChar('91110000MA00BK002');

async function registerMember(w: World, id: string, mspId: string, role: string, cn: string): Promise<TestIdentity> {
  await w.h.submit(w.as.operator, 'member:Register', { id, name: cn, mspId, roles: [role] });
  const identity = await makeIdentity(mspId, cn);
  await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: id, mspId, identityId: clientIdOf(identity), userRole: 'MAKER' });
  return identity;
}

const issueCmd = receiptCommand;

describe('warehouse contract', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  const issue = (lotId: string, extra: object = {}) => w.h.submit(w.as.warehouse, 'warehouse:Issue', issueCmd(lotId, extra));
  const pledged = async (lotId: string, dueDate = '2026-03-31') => {
    const r = await issue(lotId);
    const fin = await w.h.submit(w.as.tier1, 'financing:Request', {
      asset: { type: 'WAREHOUSE_RECEIPT', id: r.id },
      bank: IDS.bank,
      requestedAmount: yuan(2_800_000),
      dueDate,
    });
    await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(2_800_000), annualRateBps: 480 });
    await w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'LOAN' });
    return { receipt: r, fin };
  };

  describe('Issue', () => {
    it('issues a receipt, claims the lot and emits WarehouseReceiptIssued', async () => {
      const inspection: CanonicalDocument = { kind: 'OTHER', issuerId: 'CIQ-DALIAN', reference: 'inspection-2026-7' };
      const tx = await w.h.endorse(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-7-001'), docs(inspection));
      expect(tx.event?.name).to.equal('WarehouseReceiptIssued');
      await w.h.commit([tx]);
      const r = JSON.parse(tx.result);
      expect(r.documents).to.deep.equal([{ kind: 'OTHER', fingerprint: fingerprintOf(inspection) }]);
      expect(tx.result.toUpperCase()).to.not.contain('INSPECTION-2026-7');
      expect(r).to.include({ status: 'ACTIVE', warehouse: IDS.warehouse, owner: IDS.tier1, quantity: 1000, valuation: yuan(4_000_000), rootId: r.id });
      expect(r.id).to.match(/^WRC-/);
      expect(r.lotFingerprint).to.equal(lotFingerprint(IDS.warehouse, 'DL-7-001'));
      const claim = await w.h.committed<{ assetType: string; assetId: string; status: string }>('FP', ['LOT', r.lotFingerprint]);
      expect(claim).to.include({ assetType: 'WAREHOUSE_RECEIPT', assetId: r.id, status: 'CLAIMED' });
    });

    it('takes supporting documents only as canonical fields: a bare fingerprint of any kind is refused and nothing is written', async () => {
      const before = await w.h.ws.height();
      for (const kind of ['INVOICE', 'CONTRACT', 'DELIVERY_NOTE', 'OTHER']) {
        const bare = [{ kind, fingerprint: fp('inspection') }];
        await rejects(w.h.endorse(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-7-BARE', { documents: bare })), 'VALIDATION_FAILED');
        await rejects(w.h.endorse(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-7-BARE'), { documents: bare }), 'VALIDATION_FAILED');
      }
      const lot = { kind: 'LOT', warehouseId: IDS.warehouse, lotId: 'DL-7-BARE' };
      await rejects(w.h.endorse(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-7-BARE'), { documents: [lot] }), 'VALIDATION_FAILED');
      expect(await w.h.ws.height()).to.equal(before);
    });

    it('refuses documents saying the owner parted with the goods (its own sales invoice, a note shipping them away), writing nothing; takes those that show how it got them', async () => {
      // The owner tier1 sold these goods to the core enterprise: its invoice may be financed as its receivable.
      const sold = invoice('sold-goods', { sellerTaxId: IDS.tier1 });
      const awayNote: CanonicalDocument = { kind: 'DELIVERY_NOTE', shipperId: IDS.tier1, consigneeId: IDS.core, noteNumber: 'DN-1', deliveryDate: '2026-01-03' };
      const height = await w.h.ws.height();
      const byInvoice = await rejects(w.h.submit(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-OWN-1'), docs(sold)), 'BUSINESS_RULE');
      expect(byInvoice.message).to.contain(`documents[0]: invoice ${sold.invoiceNumber.toUpperCase()} was issued by the owner ${IDS.tier1}`);
      const byNote = await rejects(w.h.submit(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-OWN-1'), docs(invoice('bought', { sellerTaxId: IDS.tier2 }), awayNote)), 'BUSINESS_RULE');
      expect(byNote.message).to.contain(`documents[1]: delivery note DN-1 ships the goods from the owner ${IDS.tier1} to ${IDS.core}`);
      expect(await w.h.ws.height()).to.equal(height);
      // Bought from tier2, shipped by the owner into the warehouse: a receipt.
      const bought = invoice('bought', { sellerTaxId: IDS.tier2 });
      const inbound: CanonicalDocument = { kind: 'DELIVERY_NOTE', shipperId: IDS.tier1, consigneeId: IDS.warehouse, noteNumber: 'DN-2', deliveryDate: '2026-01-03' };
      const r = await w.h.submit(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-OWN-1'), docs(bought, inbound));
      expect(r.documents).to.deep.equal([
        { kind: 'INVOICE', fingerprint: fingerprintOf(bought) },
        { kind: 'DELIVERY_NOTE', fingerprint: fingerprintOf(inbound) },
      ]);
    });

    it('refuses the same lot of the same warehouse twice (whatever the case), not the same lot number elsewhere', async () => {
      const first = await issue('DL-7-002');
      const err = await rejects(issue('dl-7-002', { owner: IDS.tier2 }), 'DOUBLE_FINANCING');
      expect(err.message).to.contain(first.id);
      // A lot number is taken as sent: spaces around it make it malformed, not another lot.
      await rejects(issue(' DL-7-002', { owner: IDS.tier2 }), 'VALIDATION_FAILED');
      await rejects(issue('DL-7-002\n', { owner: IDS.tier2 }), 'VALIDATION_FAILED');
      const w2 = await registerMember(w, WAREHOUSE2, 'PlatformMSP', 'WAREHOUSE', 'warehouse2');
      const other = await w.h.submit(w2, 'warehouse:Issue', issueCmd('DL-7-002'));
      expect(other.lotFingerprint).to.not.equal(first.lotFingerprint);
    });

    it('lets only a warehouse issue, to an active supplier other than itself', async () => {
      for (const who of ['tier1', 'bank', 'operator', 'core', 'auditor'] as const) {
        await rejects(w.h.submit(w.as[who], 'warehouse:Issue', issueCmd('DL-X')), 'FORBIDDEN');
      }
      await rejects(issue('DL-X', { owner: IDS.bank }), 'BUSINESS_RULE');
      await rejects(issue('DL-X', { owner: IDS.warehouse }), 'BUSINESS_RULE');
      await rejects(issue('DL-X', { owner: withCheckChar('91440300MA00GY009') }), 'NOT_FOUND');
    });

    it('rejects malformed commands with VALIDATION_FAILED and writes nothing', async () => {
      const height = await w.h.ws.height();
      const bad: object[] = [
        issueCmd('DL-B', { quantity: 0 }),
        issueCmd('DL-B', { quantity: 2.5 }),
        issueCmd('DL-B', { quantity: '1000' }),
        issueCmd('DL-B', { valuation: '4000000.00' }),
        issueCmd('DL-B', { lotId: 'DL|B' }),
        issueCmd('DL-B', { unit: '' }),
        issueCmd('DL-B', { owner: 'SOMEONE' }),
        issueCmd('DL-B', { pledgee: IDS.bank }),
        issueCmd('DL-B', { id: 'RCV-1' }),
      ];
      for (const cmd of bad) await rejects(w.h.submit(w.as.warehouse, 'warehouse:Issue', cmd), 'VALIDATION_FAILED');
      expect(await w.h.ws.height()).to.equal(height);
    });

    it('refuses a taken id', async () => {
      await issue('DL-ID-1', { id: 'WRC-FIXED' });
      await rejects(issue('DL-ID-2', { id: 'WRC-FIXED' }), 'ALREADY_EXISTS');
    });
  });

  describe('Transfer and Split', () => {
    it('transfers to another supplier; only the owner may, and non-parties cannot see it', async () => {
      const r = await issue('DL-T1');
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Transfer', { id: r.id, to: IDS.tier2 }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.auditor, 'warehouse:Transfer', { id: r.id, to: IDS.tier2 }), 'FORBIDDEN');
      for (const who of ['tier2', 'bank', 'core'] as const) {
        await rejects(w.h.submit(w.as[who], 'warehouse:Transfer', { id: r.id, to: IDS.tier3 }), 'NOT_FOUND');
        await rejects(w.h.evaluate(w.as[who], 'warehouse:Get', { id: r.id }), 'NOT_FOUND');
        await rejects(w.h.evaluate(w.as[who], 'warehouse:History', { id: r.id }), 'NOT_FOUND');
      }
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: r.id, to: IDS.bank }), 'BUSINESS_RULE');
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: r.id, to: withCheckChar('91440300MA00GY009') }), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: r.id, to: IDS.tier2, quantity: 10 }), 'VALIDATION_FAILED');
      const tx = await w.h.endorse(w.as.tier1, 'warehouse:Transfer', { id: r.id, to: IDS.tier2 });
      expect(tx.event?.name).to.equal('WarehouseReceiptTransferred');
      await w.h.commit([tx]);
      expect(await w.h.evaluate(w.as.tier2, 'warehouse:Get', { id: r.id })).to.include({ owner: IDS.tier2, status: 'ACTIVE' });
      await rejects(w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: r.id }), 'NOT_FOUND');
    });

    it('splits by quantity with valuation pro rata, the remainder to the last child', async () => {
      const r = await issue('DL-S1', { quantity: 3, valuation: '1000' });
      const tx = await w.h.endorse(w.as.tier1, 'warehouse:Split', { id: r.id, quantities: [1, 1, 1] });
      expect(tx.event?.name).to.equal('WarehouseReceiptSplit');
      await w.h.commit([tx]);
      const { receipt, children } = JSON.parse(tx.result);
      expect(receipt.status).to.equal('SPLIT');
      expect(children.map((c: { id: string; quantity: number; valuation: string }) => [c.id, c.quantity, c.valuation])).to.deep.equal([
        [`${r.id}.1`, 1, '333'],
        [`${r.id}.2`, 1, '333'],
        [`${r.id}.3`, 1, '334'],
      ]);
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Split', { id: r.id, quantities: [1, 2] }), 'INVALID_STATE');
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Split', { id: `${r.id}.1`, quantities: [1] }), 'BUSINESS_RULE');
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Split', { id: `${r.id}.2`, quantities: [0, 1] }), 'VALIDATION_FAILED');
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Split', { id: `${r.id}.3`, quantities: [1] }), 'FORBIDDEN');
    });
  });

  describe('Deliver', () => {
    it('lets only the issuing warehouse deliver, and frees the lot once every piece is delivered', async () => {
      const r = await issue('DL-D1', { quantity: 10 });
      const { children } = await w.h.submit(w.as.tier1, 'warehouse:Split', { id: r.id, quantities: [4, 6] });
      const w2 = await registerMember(w, WAREHOUSE2, 'PlatformMSP', 'WAREHOUSE', 'warehouse2');
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Deliver', { id: children[0].id }), 'FORBIDDEN');
      await rejects(w.h.submit(w2, 'warehouse:Deliver', { id: children[0].id }), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Deliver', { id: r.id }), 'INVALID_STATE');

      const first = await w.h.endorse(w.as.warehouse, 'warehouse:Deliver', { id: children[0].id });
      expect(first.event?.name).to.equal('WarehouseReceiptDelivered');
      await w.h.commit([first]);
      expect(JSON.parse(first.result)).to.include({ status: 'DELIVERED', deliveredTo: IDS.tier1 });
      // One piece is still in the warehouse: the lot stays claimed.
      await rejects(issue('DL-D1'), 'DOUBLE_FINANCING');
      await w.h.submit(w.as.warehouse, 'warehouse:Deliver', { id: children[1].id });
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Deliver', { id: children[1].id }), 'INVALID_STATE');
      // All the goods left: the same lot number can back new goods.
      const again = await issue('DL-D1');
      expect(again.status).to.equal('ACTIVE');
    });
  });

  describe('pledges: Release and Enforce', () => {
    it('lets the pledgee read and release the receipt; the owner, the warehouse and other banks cannot release it', async () => {
      const { receipt, fin } = await pledged('DL-P1');
      expect(await w.h.evaluate(w.as.bank, 'warehouse:Get', { id: receipt.id })).to.include({ status: 'PLEDGED', pledgee: IDS.bank, financingId: fin.id });
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Release', { id: receipt.id }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Release', { id: receipt.id }), 'FORBIDDEN');
      const bank2 = await registerMember(w, BANK2, 'BankMSP', 'BANK', 'bank2');
      await rejects(w.h.submit(bank2, 'warehouse:Release', { id: receipt.id }), 'NOT_FOUND');
      const tx = await w.h.endorse(w.as.bank, 'warehouse:Release', { id: receipt.id, paymentRef: 'REPAID-1' });
      expect(tx.event?.name).to.equal('WarehouseReceiptReleased');
      await w.h.commit([tx]);
      const out = JSON.parse(tx.result);
      expect(out.receipt).to.include({ status: 'ACTIVE', owner: IDS.tier1 }).and.not.to.have.property('pledgee');
      expect(out.financing).to.include({ status: 'REPAID', repaymentRef: 'REPAID-1' });
      await rejects(w.h.evaluate(w.as.bank, 'warehouse:Get', { id: receipt.id }), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.bank, 'warehouse:Release', { id: receipt.id }), 'NOT_FOUND');
      // Free again: it can be transferred, and pledged anew.
      await w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: receipt.id, to: IDS.tier2 });
    });

    it('enforces only after the loan fell due unpaid: the bank owns the goods and may sell them on', async () => {
      const { receipt, fin } = await pledged('DL-P2', '2026-03-31');
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Enforce', { id: receipt.id }), 'FORBIDDEN');
      w.h.today = '2026-03-31';
      await rejects(w.h.submit(w.as.bank, 'warehouse:Enforce', { id: receipt.id }), 'BUSINESS_RULE');
      w.h.today = '2026-04-01';
      const tx = await w.h.endorse(w.as.bank, 'warehouse:Enforce', { id: receipt.id });
      expect(tx.event?.name).to.equal('WarehouseReceiptEnforced');
      await w.h.commit([tx]);
      const out = JSON.parse(tx.result);
      expect(out.receipt).to.include({ status: 'ACTIVE', owner: IDS.bank });
      expect(out.financing).to.include({ id: fin.id, status: 'ENFORCED' });
      await rejects(w.h.submit(w.as.bank, 'financing:Repay', { id: fin.id, paymentRef: 'LATE' }), 'INVALID_STATE');
      await rejects(w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: receipt.id }), 'NOT_FOUND');
      await w.h.submit(w.as.bank, 'warehouse:Transfer', { id: receipt.id, to: IDS.tier3 });
      expect((await w.h.evaluate(w.as.tier3, 'warehouse:Get', { id: receipt.id })).owner).to.equal(IDS.tier3);
    });

    it('refuses a pledge request above 70% of the valuation, and one without a loan term', async () => {
      const r = await issue('DL-P3');
      const base = { asset: { type: 'WAREHOUSE_RECEIPT', id: r.id }, bank: IDS.bank, dueDate: '2026-03-31' };
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', { ...base, requestedAmount: String(280_000_001) }), 'BUSINESS_RULE');
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', { ...base, dueDate: undefined, requestedAmount: yuan(1) }), 'VALIDATION_FAILED');
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', { ...base, requestedAmount: yuan(2_800_000) });
      expect(await w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: r.id })).to.include({ status: 'PLEDGE_PENDING', financingId: fin.id });
      // The bank asked reads the receipt it is deciding on.
      expect((await w.h.evaluate(w.as.bank, 'warehouse:Get', { id: r.id })).status).to.equal('PLEDGE_PENDING');
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Deliver', { id: r.id }), 'INVALID_STATE');
      await w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id, reason: 'valuation stale' });
      expect((await w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: r.id })).status).to.equal('ACTIVE');
      await rejects(w.h.evaluate(w.as.bank, 'warehouse:Get', { id: r.id }), 'NOT_FOUND');
    });
  });

  describe('who lends on a receipt, and for how long', () => {
    const request = (receiptId: string, extra: object = {}) =>
      w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'WAREHOUSE_RECEIPT', id: receiptId }, bank: IDS.bank, requestedAmount: yuan(2_800_000), dueDate: '2026-03-31', ...extra });

    it('refuses the warehouse lending on a receipt it issued (a member that is also a BANK), writing nothing', async () => {
      const dual = withCheckChar('91370200MA00WB004');
      await w.h.submit(w.as.operator, 'member:Register', { id: dual, name: 'warehouse and bank', mspId: 'PlatformMSP', roles: ['WAREHOUSE', 'BANK'] });
      const dualId = await makeIdentity('PlatformMSP', 'warehouse-and-bank');
      await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: dual, mspId: 'PlatformMSP', identityId: clientIdOf(dualId), userRole: 'MAKER' });
      const r = await w.h.submit(dualId, 'warehouse:Issue', issueCmd('DL-WB-1'));
      const height = await w.h.ws.height();
      const err = await rejects(request(r.id, { bank: dual }), 'BUSINESS_RULE');
      expect(err.message).to.contain(`${dual} is the warehouse of`);
      expect(await w.h.ws.height()).to.equal(height);
      expect((await w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: r.id })).status).to.equal('ACTIVE');
    });

    it('refuses a loan term of more than 366 days, and takes one of exactly 366', async () => {
      const r = await issue('DL-T1');
      const height = await w.h.ws.height();
      const err = await rejects(request(r.id, { dueDate: '2027-01-07' }), 'BUSINESS_RULE');
      expect(err.message).to.contain('ends by 2027-01-06');
      expect(await w.h.ws.height()).to.equal(height);
      expect((await request(r.id, { dueDate: '2027-01-06' })).status).to.equal('REQUESTED');
    });

    it('lets the owner withdraw a pledge the bank approved but did not disburse within 10 days, not before', async () => {
      const r = await issue('DL-T2');
      const fin = await request(r.id, { dueDate: '2026-12-31' });
      await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(2_800_000), annualRateBps: 480 });
      w.h.today = '2026-01-14';
      const err = await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id }), 'BUSINESS_RULE');
      expect(err.message).to.contain('until 2026-01-15');
      w.h.today = '2026-01-15';
      expect((await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: 'the bank went silent' })).status).to.equal('WITHDRAWN');
      expect((await w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: r.id })).status).to.equal('ACTIVE');
    });

    it("refuses approving and disbursing on a suspended warehouse's receipt; rejecting still works, and lending resumes on reinstatement", async () => {
      const r = await issue('DL-S1');
      const fin = await request(r.id);
      await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.warehouse, reason: 'licence under review' });
      const height = await w.h.ws.height();
      const err = await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(2_800_000), annualRateBps: 480 }), 'BUSINESS_RULE');
      expect(err.message).to.contain(`warehouse ${IDS.warehouse} of receipt ${r.id} is SUSPENDED`);
      expect(await w.h.ws.height()).to.equal(height);
      await w.h.submit(w.as.operator, 'member:Reinstate', { id: IDS.warehouse });
      await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(2_800_000), annualRateBps: 480 });
      await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.warehouse, reason: 'licence under review' });
      await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'LOAN' }), 'BUSINESS_RULE');
      expect((await w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id, reason: 'warehouse suspended' })).status).to.equal('REJECTED');
    });
  });

  describe('freezes', () => {
    it('blocks every mutation of a frozen receipt, of what was split from it, and of a frozen owner', async () => {
      const r = await issue('DL-F1', { quantity: 10 });
      const { children } = await w.h.submit(w.as.tier1, 'warehouse:Split', { id: r.id, quantities: [4, 6] });
      const f = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'WAREHOUSE_RECEIPT', id: r.id }, reason: '(2026)辽02执保9号' });
      const height = await w.h.ws.height();
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: children[0].id, to: IDS.tier2 }), 'FROZEN');
      await rejects(w.h.submit(w.as.tier1, 'warehouse:Split', { id: children[1].id, quantities: [3, 3] }), 'FROZEN');
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Deliver', { id: children[0].id }), 'FROZEN');
      await rejects(
        w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'WAREHOUSE_RECEIPT', id: children[1].id }, bank: IDS.bank, requestedAmount: yuan(1), dueDate: '2026-03-31' }),
        'FROZEN',
      );
      expect(await w.h.ws.height()).to.equal(height);
      await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: f.id });

      const m = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.tier1 }, reason: 'order' });
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Deliver', { id: children[0].id }), 'FROZEN');
      await rejects(w.h.submit(w.as.warehouse, 'warehouse:Issue', issueCmd('DL-F2')), 'FROZEN');
      await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: m.id });
      await w.h.submit(w.as.warehouse, 'warehouse:Deliver', { id: children[0].id });
    });

    it('stops lending on the receipts of a frozen warehouse, changing nothing, and lets the owner move them', async () => {
      const r = await issue('DL-FW', { quantity: 10 });
      const f = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.warehouse }, reason: '(2026)鲁02执保5号' });
      const height = await w.h.ws.height();
      const request = { asset: { type: 'WAREHOUSE_RECEIPT', id: r.id }, bank: IDS.bank, requestedAmount: yuan(1), dueDate: '2026-03-31' };
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', request), 'FROZEN');
      expect(await w.h.ws.height()).to.equal(height);
      // The owner's own dealings are not the warehouse's.
      await w.h.submit(w.as.tier1, 'warehouse:Split', { id: r.id, quantities: [4, 6] });
      await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: f.id });
      await w.h.submit(w.as.tier1, 'financing:Request', { ...request, asset: { type: 'WAREHOUSE_RECEIPT', id: `${r.id}.1` } });
    });

    it('keeps a pledged receipt with its bank while frozen: no release, no enforcement', async () => {
      const { receipt } = await pledged('DL-F3', '2026-02-01');
      await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'WAREHOUSE_RECEIPT', id: receipt.id }, reason: 'order' });
      await rejects(w.h.submit(w.as.bank, 'warehouse:Release', { id: receipt.id }), 'FROZEN');
      w.h.today = '2026-02-02';
      await rejects(w.h.submit(w.as.bank, 'warehouse:Enforce', { id: receipt.id }), 'FROZEN');
      expect((await w.h.evaluate(w.as.bank, 'warehouse:Get', { id: receipt.id })).status).to.equal('PLEDGED');
    });
  });

  describe('reads', () => {
    it('lists by owner, warehouse and status; a member sees what it owns or issued', async () => {
      const a = await issue('DL-L1');
      const b = await issue('DL-L2');
      await w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: b.id, to: IDS.tier2 });
      const mine = await w.h.evaluate(w.as.tier1, 'warehouse:List', {});
      expect(mine.records.map((r: { id: string }) => r.id)).to.deep.equal([a.id]);
      const issued = await w.h.evaluate(w.as.warehouse, 'warehouse:List', {});
      expect(issued.records.map((r: { id: string }) => r.id).sort()).to.deep.equal([a.id, b.id].sort());
      const byWarehouse = await w.h.evaluate(w.as.auditor, 'warehouse:List', { warehouse: IDS.warehouse, pageSize: 1 });
      expect(byWarehouse.records).to.have.length(1);
      const rest = await w.h.evaluate(w.as.auditor, 'warehouse:List', { warehouse: IDS.warehouse, pageSize: 1, bookmark: byWarehouse.bookmark });
      expect([...byWarehouse.records, ...rest.records].map((r: { id: string }) => r.id).sort()).to.deep.equal([a.id, b.id].sort());
      const owned = await w.h.evaluate(w.as.auditor, 'warehouse:List', { owner: IDS.tier2, status: 'ACTIVE' });
      expect(owned.records.map((r: { id: string }) => r.id)).to.deep.equal([b.id]);
      const peek = await w.h.evaluate(w.as.tier3, 'warehouse:List', { owner: IDS.tier2 });
      expect(peek.records).to.deep.equal([]);
      await rejects(w.h.evaluate(w.as.auditor, 'warehouse:List', {}), 'VALIDATION_FAILED');
    });

    it('keeps the history of a receipt', async () => {
      const r = await issue('DL-H1');
      await w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: r.id, to: IDS.tier2 });
      const hist = await w.h.evaluate(w.as.operator, 'warehouse:History', { id: r.id });
      expect(hist.versions.map((v: { record: { owner: string } }) => v.record.owner)).to.deep.equal([IDS.tier2, IDS.tier1]);
    });
  });
});
