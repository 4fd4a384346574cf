import { expect } from 'chai';
import { EVENTS } from '../../../chaincode/src/domain/events';

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
});
