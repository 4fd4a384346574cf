import { expect } from 'chai';
import {
  adjustCreditLine,
  canReadCreditLine,
  closeCreditLine,
  CREDIT_LINE_ACTIONS,
  CREDIT_LINE_STATUSES,
  CREDIT_LINE_TRANSITIONS,
  creditLineObligor,
  financingReservation,
  grantCreditLine,
  reinstateCreditLine,
  releaseCreditLine,
  suspendCreditLine,
  useCreditLine,
  viewCreditLine,
  voucherReservation,
  type CreditLine,
  type CreditLineAction,
  type CreditLineStatus,
  type GrantCreditLineCommand,
} from '../../../chaincode/src/domain/credit-lines';
import type { Financing } from '../../../chaincode/src/domain/financing';
import type { Actor } from '../../../chaincode/src/domain/types';
import { ACTORS, actorOf, deepFreeze, expectDomainError, expectJsonClean, IDS, MEMBERS, receivable, suspended, T0, txAt, TX, voucher } from './fixtures';

const grant = (overrides: Partial<GrantCreditLineCommand> = {}): GrantCreditLineCommand => ({
  kind: 'FINANCING',
  obligor: IDS.core,
  limit: '1000000',
  validTo: '2025-12-31',
  ...overrides,
});

function line(overrides: Partial<CreditLine> = {}): CreditLine {
  return deepFreeze({
    ...grantCreditLine(grant({ id: 'CRL-1' }), ACTORS.bank, MEMBERS.core, undefined, TX),
    ...overrides,
  });
}

/** Each action applied by the granter, as the contracts layer calls it. */
const ACT: Record<CreditLineAction, (l: CreditLine, a: Actor) => CreditLine> = {
  ADJUST: (l, a) => adjustCreditLine(l, { limit: '2000000' }, a, txAt('2025-03-02')),
  SUSPEND: (l, a) => suspendCreditLine(l, 'review', a, txAt('2025-03-02')),
  REINSTATE: (l, a) => reinstateCreditLine(l, a, txAt('2025-03-02')),
  CLOSE: (l, a) => closeCreditLine(l, undefined, a, txAt('2025-03-02')),
};

describe('credit lines (domain)', () => {
  describe('transition table', () => {
    for (const from of CREDIT_LINE_STATUSES) {
      for (const action of CREDIT_LINE_ACTIONS) {
        const row = CREDIT_LINE_TRANSITIONS.find((t) => t.from === from && t.action === action);
        if (row) {
          it(`${action} takes a ${from} line to ${row.to}`, () => {
            const after = ACT[action](line({ status: from }), ACTORS.bank);
            expect(after.status).to.equal(row.to);
            expect(after.updatedTxId).to.equal('tx-2025-03-02');
            expectJsonClean(after);
          });
        } else {
          it(`refuses ${action} on a ${from} line with INVALID_STATE`, () => {
            expectDomainError(() => ACT[action](line({ status: from }), ACTORS.bank), 'INVALID_STATE', new RegExp(`is ${from}: cannot ${action}`));
          });
        }
      }
    }

    it('lists every (status, action) pair at most once and leaves CLOSED final', () => {
      const keys = CREDIT_LINE_TRANSITIONS.map((t) => `${t.from}/${t.action}`);
      expect(new Set(keys).size).to.equal(keys.length);
      expect(CREDIT_LINE_TRANSITIONS.filter((t) => t.from === 'CLOSED')).to.deep.equal([]);
    });

    const CHANGERS: [string, Actor][] = [
      ['the obligor', ACTORS.core],
      ['another bank', ACTORS.bank2],
      ['the operator', ACTORS.operator],
      ['a suspended granter', suspended(ACTORS.bank)],
      ['an auditor', ACTORS.auditor],
    ];
    for (const action of CREDIT_LINE_ACTIONS) {
      for (const [who, actor] of CHANGERS) {
        it(`refuses ${action} by ${who} with FORBIDDEN`, () => {
          const from: CreditLineStatus = action === 'REINSTATE' ? 'SUSPENDED' : 'ACTIVE';
          expectDomainError(() => ACT[action](line({ status: from }), actor), 'FORBIDDEN');
        });
      }
    }
  });

  describe('grant', () => {
    it('creates an ACTIVE line with nothing used, valid from the tx date, in CNY by default', () => {
      const l = grantCreditLine(grant(), ACTORS.bank, MEMBERS.core, undefined, TX);
      expect(l).to.include({ granter: IDS.bank, obligor: IDS.core, kind: 'FINANCING', limit: '1000000', used: '0', currency: 'CNY', validFrom: T0, status: 'ACTIVE' });
      expect(l.id).to.match(/^CRL-/);
      expectJsonClean(l);
    });

    const REFUSED: [string, () => unknown, string, RegExp?][] = [
      ['a bank granting in another bank\'s name', () => grantCreditLine(grant({ granter: IDS.bank2 }), ACTORS.bank, MEMBERS.core, undefined, TX), 'FORBIDDEN', /in the name of/],
      ['a supplier granting a financing line', () => grantCreditLine(grant(), ACTORS.supplier, MEMBERS.core, undefined, TX), 'FORBIDDEN'],
      ['a supplier granting an issuance line', () => grantCreditLine(grant({ kind: 'ISSUANCE' }), ACTORS.supplier, MEMBERS.core, undefined, TX), 'FORBIDDEN'],
      ['a bank granting an issuance line', () => grantCreditLine(grant({ kind: 'ISSUANCE' }), ACTORS.bank, MEMBERS.core, undefined, TX), 'FORBIDDEN'],
      ['the operator granting a financing line', () => grantCreditLine(grant(), ACTORS.operator, MEMBERS.core, undefined, TX), 'FORBIDDEN'],
      ['an auditor', () => grantCreditLine(grant(), ACTORS.auditor, MEMBERS.core, undefined, TX), 'FORBIDDEN'],
      ['a suspended bank', () => grantCreditLine(grant(), suspended(ACTORS.bank), MEMBERS.core, undefined, TX), 'FORBIDDEN'],
      ['an issuance line to a supplier', () => grantCreditLine(grant({ kind: 'ISSUANCE', obligor: IDS.supplier }), ACTORS.operator, MEMBERS.supplier, undefined, TX), 'BUSINESS_RULE'],
      ['a line to itself', () => grantCreditLine(grant({ obligor: IDS.bank }), ACTORS.bank, MEMBERS.bank, undefined, TX), 'BUSINESS_RULE'],
      ['a line to an auditor', () => grantCreditLine(grant({ obligor: IDS.auditor }), ACTORS.bank, MEMBERS.auditor, undefined, TX), 'BUSINESS_RULE'],
      ['a line to no member', () => grantCreditLine(grant(), ACTORS.bank, undefined, undefined, TX), 'NOT_FOUND'],
      ['a zero limit', () => grantCreditLine(grant({ limit: '0' }), ACTORS.bank, MEMBERS.core, undefined, TX), 'VALIDATION_FAILED'],
      ['a currency that does not exist', () => grantCreditLine(grant({ currency: 'ZZZ' }), ACTORS.bank, MEMBERS.core, undefined, TX), 'VALIDATION_FAILED'],
      ['validTo before validFrom', () => grantCreditLine(grant({ validFrom: '2025-06-01', validTo: '2025-05-31' }), ACTORS.bank, MEMBERS.core, undefined, TX), 'VALIDATION_FAILED'],
      ['a line already expired', () => grantCreditLine(grant({ validFrom: '2025-01-01', validTo: '2025-02-28' }), ACTORS.bank, MEMBERS.core, undefined, TX), 'BUSINESS_RULE'],
      ['a second live line for the pair', () => grantCreditLine(grant(), ACTORS.bank, MEMBERS.core, line({ status: 'SUSPENDED' }), TX), 'ALREADY_EXISTS', /CRL-1/],
    ];
    for (const [what, fn, code, detail] of REFUSED) {
      it(`refuses ${what} with ${code}`, () => {
        expectDomainError(fn, code as 'FORBIDDEN', detail);
      });
    }

    it('grants anew once the pair\'s line is CLOSED', () => {
      const l = grantCreditLine(grant({ id: 'CRL-2' }), ACTORS.bank, MEMBERS.core, line({ status: 'CLOSED' }), TX);
      expect(l.id).to.equal('CRL-2');
    });
  });

  describe('adjust, suspend, close', () => {
    it('never reduces below used, and moves validTo', () => {
      const used = line({ used: '600000' });
      expectDomainError(() => adjustCreditLine(used, { limit: '599999' }, ACTORS.bank, TX), 'BUSINESS_RULE', /600000 in use/);
      expect(adjustCreditLine(used, { limit: '600000' }, ACTORS.bank, TX).limit).to.equal('600000');
      expect(adjustCreditLine(used, { validTo: '2026-06-30' }, ACTORS.bank, TX)).to.include({ limit: '1000000', validTo: '2026-06-30' });
      expectDomainError(() => adjustCreditLine(used, {}, ACTORS.bank, TX), 'VALIDATION_FAILED');
    });

    it('keeps the suspension reason only while SUSPENDED', () => {
      const s = suspendCreditLine(line(), 'annual review', ACTORS.bank, TX);
      expect(s.statusReason).to.equal('annual review');
      expect(reinstateCreditLine(s, ACTORS.bank, TX)).to.not.have.property('statusReason');
      expect(closeCreditLine(s, undefined, ACTORS.bank, TX)).to.not.have.property('statusReason');
    });
  });

  describe('use and release', () => {
    const USE: [string, Partial<CreditLine>, bigint, string, string, RegExp][] = [
      ['a SUSPENDED line', { status: 'SUSPENDED' }, 1n, 'CNY', T0, /CREDIT_LINE_UNAVAILABLE: .* is SUSPENDED/],
      ['a CLOSED line', { status: 'CLOSED' }, 1n, 'CNY', T0, /is CLOSED/],
      ['an expired line (tx date after validTo)', {}, 1n, 'CNY', '2026-01-01', /expired on 2025-12-31/],
      ['a line not yet valid', { validFrom: '2025-04-01' }, 1n, 'CNY', T0, /valid from 2025-04-01/],
      ['another currency', {}, 1n, 'USD', T0, /^CREDIT_LINE_UNAVAILABLE: .* is in CNY, not USD/],
      ['more than the headroom', { used: '999999' }, 2n, 'CNY', T0, /CREDIT_LINE_EXCEEDED: .*CRL-1.*headroom is 1 \(limit 1000000, used 999999\)/],
    ];
    for (const [what, patch, amount, currency, day, detail] of USE) {
      it(`refuses new use of ${what} with BUSINESS_RULE naming the line`, () => {
        expectDomainError(() => useCreditLine(line(patch), amount, currency, 'issuing voucher VCH-1', txAt(day)), 'BUSINESS_RULE', detail);
      });
    }

    it('takes use up to the limit exactly, on the last valid day, and releases in any status', () => {
      const full = useCreditLine(line({ used: '400000' }), 600000n, 'CNY', 'x', txAt('2025-12-31'));
      expect(viewCreditLine(full)).to.include({ used: '1000000', headroom: '0' });
      expect(releaseCreditLine({ ...full, status: 'CLOSED' }, 1000000n, TX).used).to.equal('0');
      expect(() => releaseCreditLine(line(), 1n, TX)).to.throw(/ledger inconsistency/);
    });

    it('names the obligor a financing relies on and what each record holds on its line', () => {
      expect(creditLineObligor({ type: 'VOUCHER', record: voucher({ issuer: IDS.core2 }) })).to.equal(IDS.core2);
      expect(creditLineObligor({ type: 'RECEIVABLE', record: receivable({ debtor: IDS.core }) })).to.equal(IDS.core);
      const fin = { creditLineId: 'CRL-1', advanceAmount: '500', status: 'APPROVED' } as Financing;
      expect(financingReservation(fin)).to.equal(500n);
      expect(financingReservation({ ...fin, status: 'DISBURSED' })).to.equal(500n);
      for (const status of ['REQUESTED', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'REPAID', 'ENFORCED'] as const) {
        expect(financingReservation({ ...fin, status })).to.equal(0n);
      }
      const { creditLineId: _none, ...unlined } = fin;
      expect(financingReservation(unlined)).to.equal(0n);
      const piece = voucher({ amount: '700', creditLineId: 'CRL-9' });
      expect(voucherReservation(piece)).to.equal(700n);
      expect(voucherReservation({ ...piece, status: 'FINANCED' })).to.equal(700n);
      expect(voucherReservation({ ...piece, status: 'SPLIT' })).to.equal(0n);
      expect(voucherReservation({ ...piece, status: 'SETTLED' })).to.equal(0n);
    });
  });

  it('is read by the granter, the obligor, auditors and the operator only', () => {
    const l = line();
    expect([ACTORS.bank, ACTORS.core, ACTORS.auditor, ACTORS.operator].map((a) => canReadCreditLine(a, l))).to.deep.equal([true, true, true, true]);
    expect([ACTORS.bank2, ACTORS.supplier, actorOf(MEMBERS.core2)].map((a) => canReadCreditLine(a, l))).to.deep.equal([false, false, false]);
  });
});
