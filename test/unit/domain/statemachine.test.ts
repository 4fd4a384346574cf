import { expect } from 'chai';
import { FINANCING_LIFECYCLE, FINANCING_STATUSES, FINANCING_TRANSITIONS } from '../../../chaincode/src/domain/financing';
import { DomainError } from '../../../chaincode/src/domain/errors';
import { lifecycleOrder, type Transition } from '../../../chaincode/src/domain/statemachine';
import { VOUCHER_STATUSES } from '../../../chaincode/src/domain/types';
import { FINAL_VOUCHER_STATUSES, OUTSTANDING_VOUCHER_STATUSES } from '../../../chaincode/src/domain/vouchers';

describe('domain: lifecycle order of a state machine', () => {
  it('puts every financing status before each status it leads to, and holds every status once', () => {
    expect([...FINANCING_LIFECYCLE].sort()).to.deep.equal([...FINANCING_STATUSES].sort());
    for (const t of FINANCING_TRANSITIONS) {
      expect(FINANCING_LIFECYCLE.indexOf(t.from), `${t.from} before ${t.to}`).to.be.lessThan(FINANCING_LIFECYCLE.indexOf(t.to));
    }
    expect(FINANCING_LIFECYCLE.slice(0, 2)).to.deep.equal(['REQUESTED', 'APPROVED']);
  });

  it('keeps the given order between statuses no transition ranks, and ignores a transition that stays put', () => {
    const table: Transition<string, string>[] = [
      { from: 'B', action: 'go', to: 'C' },
      { from: 'C', action: 'stay', to: 'C' },
    ];
    expect(lifecycleOrder(['C', 'A', 'B'], table)).to.deep.equal(['A', 'B', 'C']);
  });

  it('refuses a machine with a transition back (there is no such order) as a defect, naming the statuses', () => {
    const table: Transition<string, string>[] = [
      { from: 'ACTIVE', action: 'request', to: 'PENDING' },
      { from: 'PENDING', action: 'reject', to: 'ACTIVE' },
      { from: 'PENDING', action: 'finance', to: 'FINANCED' },
    ];
    expect(() => lifecycleOrder(['ACTIVE', 'PENDING', 'FINANCED'], table))
      .to.throw(DomainError, 'the transitions between ACTIVE, PENDING, FINANCED go back')
      .with.property('code', 'INVALID_STATE');
  });

  it('splits the voucher statuses into outstanding and final with none left out (a list by party reads those two groups)', () => {
    expect([...OUTSTANDING_VOUCHER_STATUSES, ...FINAL_VOUCHER_STATUSES].sort()).to.deep.equal([...VOUCHER_STATUSES].sort());
  });
});
