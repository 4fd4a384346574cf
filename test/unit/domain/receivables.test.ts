import { expect } from 'chai';
import {
  assertBackedByInvoices,
  cancelReceivable,
  canReadReceivable,
  confirmReceivable,
  RECEIVABLE_ACTIONS,
  RECEIVABLE_TRANSITIONS,
  registerReceivable,
  rejectReceivable,
  transitionReceivable,
} from '../../../chaincode/src/domain/receivables';
import { RECEIVABLE_STATUSES, type Actor, type Member, type Receivable, type RegisterReceivableCommand } from '../../../chaincode/src/domain/types';
import { ACTORS, actorOf, deepFreeze, expectDomainError, expectJsonClean, fp, IDS, member, MEMBERS, receivable, suspended, TX, txAt } from './fixtures';

const LATER = txAt('2025-03-10', 'tx-later');

function cmd(overrides: Record<string, unknown> = {}): RegisterReceivableCommand {
  return deepFreeze({
    id: 'RCV-2025-0001',
    debtor: IDS.core,
    amount: '1500000',
    dueDate: '2025-09-30',
    documents: [
      { kind: 'INVOICE', fingerprint: fp(1) },
      { kind: 'CONTRACT', fingerprint: fp(2) },
    ],
    ...overrides,
  });
}

describe('domain/receivables', () => {
  describe('transition table', () => {
    it('lists every (status, action) at most once', () => {
      const keys = RECEIVABLE_TRANSITIONS.map((t) => `${t.from}/${t.action}`);
      expect(new Set(keys).size).to.equal(keys.length);
    });

    it('reaches every status and leaves REJECTED, CANCELLED and SETTLED final', () => {
      const touched = new Set(RECEIVABLE_TRANSITIONS.flatMap((t) => [t.from, t.to]));
      expect([...touched].sort()).to.deep.equal([...RECEIVABLE_STATUSES].sort());
      const finals = RECEIVABLE_STATUSES.filter((s) => !RECEIVABLE_TRANSITIONS.some((t) => t.from === s));
      expect(finals.sort()).to.deep.equal(['CANCELLED', 'REJECTED', 'SETTLED']);
    });

    for (const t of RECEIVABLE_TRANSITIONS) {
      it(`moves ${t.from} --${t.action}--> ${t.to}`, () => {
        const before = deepFreeze(receivable({ status: t.from }));
        const after = transitionReceivable(before, t.action, LATER);
        expect(after.status).to.equal(t.to);
        expect(after).to.include({ updatedTxId: LATER.txId, updatedAt: LATER.now, createdTxId: before.createdTxId });
        expect(before.status).to.equal(t.from);
      });
    }

    for (const from of RECEIVABLE_STATUSES) {
      for (const action of RECEIVABLE_ACTIONS) {
        if (RECEIVABLE_TRANSITIONS.some((t) => t.from === from && t.action === action)) continue;
        it(`refuses ${action} from ${from} with INVALID_STATE`, () => {
          const err = expectDomainError(() => transitionReceivable(receivable({ status: from }), action, LATER), 'INVALID_STATE');
          expect(err.detail).to.include(`is ${from}`).and.to.include(`cannot ${action}`);
        });
      }
    }
  });

  describe('registerReceivable', () => {
    it('creates a PENDING receivable owed by the debtor to the calling supplier', () => {
      const r = registerReceivable(cmd(), deepFreeze(ACTORS.supplier), deepFreeze(MEMBERS.core), TX);
      expect(r).to.deep.equal({
        docType: 'receivable',
        id: 'RCV-2025-0001',
        creditor: IDS.supplier,
        debtor: IDS.core,
        amount: '1500000',
        currency: 'CNY',
        dueDate: '2025-09-30',
        documents: [
          { kind: 'INVOICE', fingerprint: fp(1) },
          { kind: 'CONTRACT', fingerprint: fp(2) },
        ],
        voucheredAmount: '0',
        settledAmount: '0',
        status: 'PENDING',
        createdAt: TX.now,
        updatedAt: TX.now,
        createdTxId: TX.txId,
        updatedTxId: TX.txId,
      });
      expectJsonClean(r);
    });

    it('derives the id from the tx id when none is given, and keeps an explicit currency', () => {
      const tx = txAt('2025-03-01', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
      const r = registerReceivable(cmd({ id: undefined, currency: 'USD' }), ACTORS.supplier, MEMBERS.core, tx);
      expect(r.id).to.equal('RCV-9f86d081884c7d659a2f');
      expect(r.currency).to.equal('USD');
    });

    it('keeps only kind and fingerprint of each document', () => {
      const r = registerReceivable(
        cmd({ documents: [{ kind: 'INVOICE', fingerprint: fp(7), note: 'ignored' }] }),
        ACTORS.supplier,
        MEMBERS.core,
        TX,
      );
      expect(r.documents).to.deep.equal([{ kind: 'INVOICE', fingerprint: fp(7) }]);
    });

    const notSuppliers: [string, Actor][] = [
      ['an operator', ACTORS.operator],
      ['a core enterprise', ACTORS.core],
      ['a bank', ACTORS.bank],
      ['an auditor', ACTORS.auditor],
      ['a warehouse', ACTORS.warehouse],
      ['a suspended supplier', suspended(ACTORS.supplier)],
    ];
    for (const [who, actor] of notSuppliers) {
      it(`forbids ${who} to register a receivable`, () => {
        expectDomainError(() => registerReceivable(cmd(), actor, MEMBERS.core, TX), 'FORBIDDEN');
      });
    }

    const invalid: [string, Record<string, unknown>, string][] = [
      ['an id without the RCV- prefix', { id: 'INV-1' }, 'id'],
      ['an id with a dot', { id: 'RCV-1.2' }, 'id'],
      ['a debtor that is not a credit code', { debtor: 'CORE-1' }, 'debtor'],
      ['a zero amount', { amount: '0' }, 'amount'],
      ['a fractional amount', { amount: '1500.00' }, 'amount'],
      ['a numeric amount', { amount: 1500000 }, 'amount'],
      ['a lower-case currency', { currency: 'cny' }, 'currency'],
      ['three capitals that name no currency', { currency: 'ZZZ' }, 'ZZZ is not an ISO 4217 currency code'],
      ['a code for testing, not money', { currency: 'XTS' }, 'currency'],
      ['a currency without hundredths', { currency: 'JPY' }, 'JPY does not count in hundredths'],
      ['a currency of thousandths', { currency: 'KWD' }, 'KWD does not count in hundredths'],
      ['an impossible due date', { dueDate: '2025-02-30' }, 'dueDate'],
      ['no documents', { documents: [] }, 'documents'],
      ['documents that are not a list', { documents: { kind: 'INVOICE', fingerprint: fp(1) } }, 'documents'],
      ['no invoice among the documents', { documents: [{ kind: 'CONTRACT', fingerprint: fp(2) }] }, 'INVOICE'],
      ['an unknown document kind', { documents: [{ kind: 'RECEIPT', fingerprint: fp(1) }] }, 'documents[0].kind'],
      ['an upper-case fingerprint', { documents: [{ kind: 'INVOICE', fingerprint: 'A'.repeat(64) }] }, 'documents[0].fingerprint'],
      ['a short fingerprint', { documents: [{ kind: 'INVOICE', fingerprint: 'ab'.repeat(31) }] }, 'documents[0].fingerprint'],
      [
        'the same fingerprint twice, even under two kinds',
        { documents: [{ kind: 'INVOICE', fingerprint: fp(1) }, { kind: 'CONTRACT', fingerprint: fp(1) }] },
        'twice',
      ],
      ['51 documents', { documents: Array.from({ length: 51 }, (_, i) => ({ kind: 'INVOICE', fingerprint: fp(i + 1) })) }, 'at most 50'],
      ['a document that is not an object', { documents: ['INVOICE'] }, 'documents[0]'],
    ];
    for (const [what, overrides, detail] of invalid) {
      it(`rejects ${what}`, () => {
        expectDomainError(() => registerReceivable(cmd(overrides), ACTORS.supplier, MEMBERS.core, TX), 'VALIDATION_FAILED', detail);
      });
    }

    it('answers NOT_FOUND when the debtor is not a member', () => {
      expectDomainError(() => registerReceivable(cmd(), ACTORS.supplier, undefined, TX), 'NOT_FOUND', IDS.core);
    });

    const badDebtors: [string, Member, string][] = [
      ['a suspended debtor', { ...MEMBERS.core, status: 'SUSPENDED' }, 'SUSPENDED'],
      ['a debtor that is not a core enterprise', member(IDS.core, ['SUPPLIER']), 'CORE_ENTERPRISE'],
    ];
    for (const [what, debtor, detail] of badDebtors) {
      it(`refuses ${what}`, () => {
        expectDomainError(() => registerReceivable(cmd(), ACTORS.supplier, debtor, TX), 'BUSINESS_RULE', detail);
      });
    }

    it('refuses a receivable a member owes itself', () => {
      const both = member(IDS.core2, ['CORE_ENTERPRISE', 'SUPPLIER']);
      expectDomainError(() => registerReceivable(cmd({ debtor: IDS.core2 }), actorOf(both), both, TX), 'BUSINESS_RULE', 'creditor');
    });
  });

  describe('confirmReceivable', () => {
    const pending = deepFreeze(receivable({ status: 'PENDING', confirmedTxId: undefined, confirmedAt: undefined }));
    let fresh: Receivable;
    before(() => {
      fresh = deepFreeze(registerReceivable(cmd({ id: 'RCV-1' }), ACTORS.supplier, MEMBERS.core, TX));
    });

    it('confirms a PENDING receivable for its debtor and records the confirmation', () => {
      const c = confirmReceivable(fresh, ACTORS.core, undefined, LATER);
      expect(c).to.include({ status: 'CONFIRMED', confirmedTxId: LATER.txId, confirmedAt: LATER.now, updatedTxId: LATER.txId });
      expect(fresh.status).to.equal('PENDING');
      expectJsonClean(c);
      expect(c).to.not.have.property('confirmationReason');
    });

    it("keeps what the debtor said when it confirmed, and refuses a reason that is no text, changing nothing", () => {
      expect(confirmReceivable(fresh, ACTORS.core, '  AP-2026-0042 matched  ', LATER)).to.include({ status: 'CONFIRMED', confirmationReason: 'AP-2026-0042 matched' });
      expectDomainError(() => confirmReceivable(fresh, ACTORS.core, 'bad\u0000', LATER), 'VALIDATION_FAILED', 'reason');
      expect(fresh.status).to.equal('PENDING');
    });

    const notDebtor: [string, Actor][] = [
      ['the creditor', ACTORS.supplier],
      ['another core enterprise', ACTORS.core2],
      ['a bank', ACTORS.bank],
      ['the operator', ACTORS.operator],
      ['an auditor', ACTORS.auditor],
      ['the debtor while suspended', suspended(ACTORS.core)],
    ];
    for (const [who, actor] of notDebtor) {
      it(`forbids ${who} to confirm`, () => {
        expectDomainError(() => confirmReceivable(pending, actor, undefined, LATER), 'FORBIDDEN');
      });
    }

    it('refuses to confirm twice', () => {
      const c = confirmReceivable(fresh, ACTORS.core, undefined, LATER);
      expectDomainError(() => confirmReceivable(c, ACTORS.core, undefined, LATER), 'INVALID_STATE', 'CONFIRMED');
    });
  });

  describe('rejectReceivable', () => {
    let fresh: Receivable;
    before(() => {
      fresh = deepFreeze(registerReceivable(cmd({ id: 'RCV-1' }), ACTORS.supplier, MEMBERS.core, TX));
    });

    it('rejects a PENDING receivable with the reason', () => {
      const r = rejectReceivable(fresh, ACTORS.core, ' goods not delivered ', LATER);
      expect(r).to.include({ status: 'REJECTED', rejectionReason: 'goods not delivered' });
      expect(r).not.to.have.property('confirmedTxId');
    });

    it('rejects without a reason', () => {
      const r = rejectReceivable(fresh, ACTORS.core, undefined, LATER);
      expect(r.status).to.equal('REJECTED');
      expect(r).not.to.have.property('rejectionReason');
      expectJsonClean(r);
    });

    it('forbids anyone but the debtor', () => {
      for (const a of [ACTORS.supplier, ACTORS.core2, ACTORS.bank, ACTORS.operator, suspended(ACTORS.core)]) {
        expectDomainError(() => rejectReceivable(fresh, a, 'no', LATER), 'FORBIDDEN');
      }
    });

    it('refuses to reject a confirmed receivable', () => {
      const c = confirmReceivable(fresh, ACTORS.core, undefined, LATER);
      expectDomainError(() => rejectReceivable(c, ACTORS.core, 'late', LATER), 'INVALID_STATE', 'CONFIRMED');
    });

    it('rejects an over-long reason', () => {
      expectDomainError(() => rejectReceivable(fresh, ACTORS.core, 'x'.repeat(501), LATER), 'VALIDATION_FAILED', 'reason');
    });
  });

  describe('cancelReceivable', () => {
    let fresh: Receivable;
    before(() => {
      fresh = deepFreeze(registerReceivable(cmd({ id: 'RCV-1' }), ACTORS.supplier, MEMBERS.core, TX));
    });

    it('lets the creditor cancel a PENDING receivable', () => {
      expect(cancelReceivable(fresh, ACTORS.supplier, LATER).status).to.equal('CANCELLED');
    });

    it('forbids anyone but the active creditor', () => {
      for (const a of [ACTORS.core, ACTORS.supplier2, ACTORS.operator, ACTORS.bank, suspended(ACTORS.supplier)]) {
        expectDomainError(() => cancelReceivable(fresh, a, LATER), 'FORBIDDEN');
      }
    });

    it('refuses to cancel a confirmed receivable', () => {
      const c = confirmReceivable(fresh, ACTORS.core, undefined, LATER);
      expectDomainError(() => cancelReceivable(c, ACTORS.supplier, LATER), 'INVALID_STATE', 'CONFIRMED');
    });
  });

  describe('canReadReceivable', () => {
    const r = receivable();
    it('lets the parties, auditors and the operator read', () => {
      for (const a of [ACTORS.supplier, ACTORS.core, ACTORS.auditor, ACTORS.operator]) expect(canReadReceivable(a, r)).to.equal(true);
    });
    it('hides it from everyone else', () => {
      for (const a of [ACTORS.supplier2, ACTORS.core2, ACTORS.bank, ACTORS.warehouse]) expect(canReadReceivable(a, r)).to.equal(false);
    });
    it('lets the bank of a live financing read', () => {
      expect(canReadReceivable(ACTORS.bank, r, [IDS.bank])).to.equal(true);
      expect(canReadReceivable(ACTORS.bank2, r, [IDS.bank])).to.equal(false);
    });
  });

  describe('a receivable on its invoices (assertBackedByInvoices)', () => {
    const inv = (number: string, amount: string, issueDate = '2025-01-15') => ({ number, amount, issueDate });
    const day = txAt('2025-03-10');

    it('takes an amount up to the invoices total, the total itself included', () => {
      for (const amount of ['1', '2499999', '2500000']) {
        expect(() => assertBackedByInvoices(amount, [inv('A', '1000000'), inv('B', '1500000')], day)).not.to.throw();
      }
    });

    it('refuses an amount above the total of the invoices, naming both', () => {
      expectDomainError(() => assertBackedByInvoices('2500001', [inv('A', '1000000'), inv('B', '1500000')], day), 'BUSINESS_RULE', 'amount 2500001 exceeds the total of its invoices, 2500000');
      // Sums past 2^53 stay exact.
      expectDomainError(() => assertBackedByInvoices('18014398509481985', [inv('A', '9007199254740992'), inv('B', '9007199254740992')], day), 'BUSINESS_RULE', 'total of its invoices, 18014398509481984');
    });

    it("refuses an invoice dated after the ledger's date, naming it; one dated that day is fine", () => {
      expect(() => assertBackedByInvoices('100', [inv('A', '100', '2025-03-10')], day)).not.to.throw();
      expectDomainError(() => assertBackedByInvoices('100', [inv('A', '50'), inv('3200231130/00012345', '50', '2025-03-11')], day), 'BUSINESS_RULE', 'invoice 3200231130/00012345 is dated 2025-03-11');
    });
  });
});
