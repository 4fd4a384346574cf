import { expect } from 'chai';
import { transactionCatalogue } from '../../../chaincode/src/invoke';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import { clientIdOf, confirmedReceivable, IDS, receiptCommand, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

/**
 * AUDITOR reads everything and never writes (DESIGN section 1). Every
 * mutating transaction of the chaincode, as it is registered with
 * fabric-contract-api (so a transaction added later is covered too), is tried
 * by an auditor's MAKER and ADMIN identities, with a command that would be
 * valid for the member entitled to it where the test knows one, and with an
 * empty command: FORBIDDEN each time, and the ledger does not move.
 */
const WRITES = transactionCatalogue()
  .filter((t) => !t.readOnly)
  .map((t) => t.name);

describe('contracts: an AUDITOR never writes', () => {
  let w: World;
  let auditorAdmin: TestIdentity;
  const commands: Record<string, object> = {};

  before(async () => {
    w = await world();
    auditorAdmin = await makeIdentity('PlatformMSP', 'auditor-admin');
    await w.h.submit(w.as.operator, 'member:BindIdentity', {
      memberId: IDS.auditor,
      mspId: 'PlatformMSP',
      identityId: clientIdOf(auditorAdmin),
      userRole: 'ADMIN',
    });
    // The auditor is refused before the state of anything is looked at: any receivable will do.
    const pending = await confirmedReceivable(w, yuan(5_000), 'auditor-receivable');
    const toFinance = await confirmedReceivable(w, yuan(20_000), 'auditor-financed');
    const toIssue = await confirmedReceivable(w, yuan(20_000), 'auditor-issue');
    const root = await rootVoucher(w, yuan(10_000), 'auditor-root');
    const financing = await w.h.submit(w.as.tier1, 'financing:Request', {
      asset: { type: 'RECEIVABLE', id: toFinance.id },
      bank: IDS.bank,
      requestedAmount: yuan(9_000),
    });
    const receipt = await w.h.submit(w.as.warehouse, 'warehouse:Issue', receiptCommand('AUD-LOT-1'));
    const freeze = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.tier3 }, reason: 'court order 1' });
    await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.core, threshold: yuan(1_000) });
    const approval = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: toIssue.id, amount: yuan(20_000), maturityDate: '2026-06-30' });
    expect(approval.docType).to.equal('approval');

    Object.assign(commands, {
      'member:Bootstrap': { member: { id: IDS.auditor, name: 'Audit', mspId: 'PlatformMSP' } },
      'member:Register': { id: withCheckChar('91110000MA00AD002'), name: 'Another audit firm', mspId: 'PlatformMSP', roles: ['AUDITOR'] },
      'member:Suspend': { id: IDS.tier2, reason: 'audit finding' },
      'member:Reinstate': { id: IDS.tier2 },
      'member:Amend': { id: IDS.tier2, name: 'Renamed by an auditor' },
      'member:BindIdentity': { memberId: IDS.auditor, mspId: 'PlatformMSP', identityId: 'x509::/CN=intern::/CN=ca', userRole: 'ADMIN' },
      'member:SetDualControl': { id: IDS.auditor, threshold: '100' },
      'receivable:Register': { debtor: IDS.core, amount: yuan(1_000), dueDate: '2026-06-30' },
      'receivable:Confirm': { id: pending.id },
      'receivable:Reject': { id: pending.id, reason: 'audit' },
      'receivable:Cancel': { id: pending.id },
      'receivable:Settle': { id: toFinance.id, paymentRef: 'CNAPS-AUD' },
      'voucher:Issue': { receivableId: toIssue.id, amount: yuan(100), maturityDate: '2026-06-30' },
      'voucher:Transfer': { id: root.id, to: IDS.tier2, amount: yuan(1_000) },
      'voucher:Split': { id: root.id, amounts: [yuan(5_000), yuan(5_000)] },
      'voucher:Settle': { id: root.id, paymentRef: 'CNAPS-AUD' },
      'financing:Request': { asset: { type: 'VOUCHER', id: root.id }, bank: IDS.bank, requestedAmount: yuan(900) },
      'financing:Approve': { id: financing.id, advanceAmount: yuan(8_000), annualRateBps: 500 },
      'financing:Reject': { id: financing.id, reason: 'audit' },
      'financing:Withdraw': { id: financing.id },
      'financing:Disburse': { id: financing.id, paymentRef: 'CNAPS-AUD' },
      'financing:Repay': { id: financing.id, paymentRef: 'CNAPS-AUD' },
      'warehouse:Issue': receiptCommand('AUD-LOT-2'),
      'warehouse:Transfer': { id: receipt.id, to: IDS.tier2 },
      'warehouse:Split': { id: receipt.id, quantities: [500, 500] },
      'warehouse:Deliver': { id: receipt.id },
      'warehouse:Release': { id: receipt.id },
      'warehouse:Enforce': { id: receipt.id },
      'approval:Approve': { id: approval.id },
      'approval:Reject': { id: approval.id, reason: 'audit' },
      'freeze:Freeze': { target: { type: 'VOUCHER', id: root.id }, reason: 'audit' },
      'freeze:Unfreeze': { id: freeze.id, reason: 'audit' },
      'maintenance:RepairIndexes': { kind: 'VOUCHER', keys: [[root.id]] },
    });
  });

  it('finds the mutating transactions to try in the chaincode itself', () => {
    expect(WRITES).to.include.members(['member:SetDualControl', 'member:Bootstrap', 'voucher:Transfer', 'freeze:Freeze', 'approval:Approve']);
    expect(WRITES).not.to.include('voucher:Get');
  });

  it("refuses the auditor's ADMIN setting its own member's dual-control threshold, and leaves the member as it was", async () => {
    const before = await w.h.committed<object>('MEMBER', [IDS.auditor]);
    const err = await rejects(w.h.submit(auditorAdmin, 'member:SetDualControl', { id: IDS.auditor, threshold: '100' }), 'FORBIDDEN');
    expect(err.message).to.contain('AUDITOR');
    expect(await w.h.committed<object>('MEMBER', [IDS.auditor])).to.deep.equal(before);
  });

  for (const name of WRITES) {
    it(`refuses ${name} to the auditor's MAKER and ADMIN, whatever the command, and writes nothing`, async () => {
      const height = await w.h.ws.height();
      const tries = [{ ...(commands[name] ?? {}), requestId: 'auditor-try-1' }, {}];
      for (const who of [w.as.auditor, auditorAdmin]) {
        for (const command of tries) await rejects(w.h.submit(who, name, command), 'FORBIDDEN');
      }
      expect(await w.h.ws.height()).to.equal(height);
      expect(await w.h.committed('REQ', [IDS.auditor, 'auditor-try-1'])).to.equal(undefined);
    });
  }
});
