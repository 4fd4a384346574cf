import { expect } from 'chai';
import type { CallContext, LedgerCalls } from '../../../gateway/src/services/calls';
import { MaintenanceService } from '../../../gateway/src/services/maintenance';

const ctx = { principal: { identity: { label: 'operator-admin' } }, requestId: 'key-1' } as unknown as CallContext;

/** A ledger whose RecordKeys answers `keys`; the writes it is asked for are kept. */
function ledgerOf(keys: string[][], bookmark: string) {
  const writes: Array<{ ctx: CallContext; name: string; command: object }> = [];
  const calls = {
    read(_ctx: CallContext, name: string) {
      expect(name).to.equal('maintenance:RecordKeys');
      return Promise.resolve({ keys, bookmark });
    },
    write(writeCtx: CallContext, name: string, command: object) {
      writes.push({ ctx: writeCtx, name, command });
      return Promise.resolve({ value: { kind: 'VOUCHER', checked: keys.length, repaired: {}, repairedIds: [] }, txId: 'a'.repeat(64), replayed: false });
    },
  } as unknown as LedgerCalls;
  return { calls, writes };
}

describe('the index repair step (MaintenanceService)', () => {
  it('submits nothing for a page without records, and says where the walk ends', async () => {
    const { calls, writes } = ledgerOf([], '');
    const step = await new MaintenanceService(calls).repairIndexes(ctx, { kind: 'FREEZE' });
    expect(step).to.deep.equal({ kind: 'FREEZE', checked: 0, repaired: {}, repairedIds: [], gone: [], bookmark: '' });
    expect(writes).to.deep.equal([]);
  });

  it("repairs the page's keys in one transaction, without the caller's Idempotency-Key, and passes the bookmark on", async () => {
    const { calls, writes } = ledgerOf([['VCH-1'], ['VCH-2']], 'next-page');
    const step = await new MaintenanceService(calls).repairIndexes(ctx, { kind: 'VOUCHER', pageSize: 2 });
    expect(writes).to.have.length(1);
    expect(writes[0]!.name).to.equal('maintenance:RepairIndexes');
    expect(writes[0]!.command).to.deep.equal({ kind: 'VOUCHER', keys: [['VCH-1'], ['VCH-2']] });
    expect(writes[0]!.ctx.requestId).to.equal(undefined);
    expect(step).to.include({ checked: 2, bookmark: 'next-page', txId: 'a'.repeat(64) });
  });
});
