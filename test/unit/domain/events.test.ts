import { expect } from 'chai';
import { changedFields, domainEvent, EVENTS } from '../../../chaincode/src/domain/events';
import { transferVoucher } from '../../../chaincode/src/domain/vouchers';
import { ACTORS, IDS, MEMBERS, TX, txAt, voucher } from './fixtures';

describe('domain/events', () => {
  it('names every event once, in UpperCamelCase, as its own key, including those of the ledger core', () => {
    const names = Object.values(EVENTS);
    expect(new Set(names).size).to.equal(names.length);
    for (const [k, v] of Object.entries(EVENTS)) {
      expect(v).to.equal(k);
      expect(v).to.match(/^(?:[A-Z][a-z]+)+$/);
    }
    for (const required of ['MemberRegistered', 'IdentityBound', 'ReceivableRegistered', 'ReceivableConfirmed', 'VoucherIssued', 'VoucherTransferred', 'VoucherSplit', 'VoucherSettled']) {
      expect(names).to.include(required);
    }
  });

  it('builds the payload with ids, actor and changes', () => {
    expect(domainEvent(EVENTS.VoucherSplit, ['VCH-1', 'VCH-1.1'], IDS.supplier, { status: 'SPLIT' })).to.deep.equal({
      name: 'VoucherSplit',
      payload: { ids: ['VCH-1', 'VCH-1.1'], actor: IDS.supplier, changes: { status: 'SPLIT' } },
    });
  });

  describe('changedFields', () => {
    it('reports every field but the audit fields of a new record', () => {
      const v = voucher();
      const changes = changedFields(undefined, v);
      expect(Object.keys(changes).sort()).to.deep.equal(
        ['amount', 'currency', 'docType', 'holder', 'id', 'issuer', 'maturityDate', 'receivableId', 'rootId', 'status', 'tier'].sort(),
      );
    });

    it('reports only what a transaction changed', () => {
      const before = voucher();
      const after = transferVoucher(before, { to: IDS.supplier2, amount: '1000000' }, ACTORS.supplier, MEMBERS.supplier2, txAt('2025-03-02'));
      expect(changedFields(before, after.voucher)).to.deep.equal({ holder: IDS.supplier2, tier: 1 });
      const split = transferVoucher(before, { to: IDS.supplier2, amount: '1000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
      expect(changedFields(before, split.voucher)).to.deep.equal({ status: 'SPLIT', childIds: ['VCH-1.1', 'VCH-1.2'] });
    });

    it('reports a dropped field as null', () => {
      expect(changedFields({ a: 1, b: 2 }, { a: 1 })).to.deep.equal({ b: null });
    });
  });
});
