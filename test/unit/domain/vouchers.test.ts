import { expect } from 'chai';
import { confirmReceivable, registerReceivable } from '../../../chaincode/src/domain/receivables';
import type { Actor, Member, Voucher, VoucherStatus } from '../../../chaincode/src/domain/types';
import {
  addMaturityFigures,
  assertTreeInvariants,
  assertVoucherInvariants,
  canReadVoucher,
  isOverdue,
  issueVoucher,
  lineageIds,
  maturityFigures,
  MAX_SPLIT,
  MAX_TIER,
  MIN_PIECE,
  settleVoucher,
  splitVoucher,
  transferVoucher,
  transitionVoucher,
  VOUCHER_ACTIONS,
  VOUCHER_TRANSITIONS,
  voucherTree,
} from '../../../chaincode/src/domain/vouchers';
import { VOUCHER_STATUSES } from '../../../chaincode/src/domain/types';
import { ACTORS, actorOf, deepFreeze, expectDomainError, expectJsonClean, fp, IDS, member, MEMBERS, receivable, suspended, TX, txAt, voucher } from './fixtures';

const MATURITY = '2025-09-30';
const ON_MATURITY = txAt(MATURITY, 'tx-maturity');
const AFTER_MATURITY = txAt('2025-10-08', 'tx-after');

describe('domain/vouchers', () => {
  describe('transition table', () => {
    it('lists every (status, action) at most once and keeps SPLIT and SETTLED final', () => {
      const keys = VOUCHER_TRANSITIONS.map((t) => `${t.from}/${t.action}`);
      expect(new Set(keys).size).to.equal(keys.length);
      const finals = VOUCHER_STATUSES.filter((s) => !VOUCHER_TRANSITIONS.some((t) => t.from === s));
      expect(finals.sort()).to.deep.equal(['SETTLED', 'SPLIT']);
    });

    for (const t of VOUCHER_TRANSITIONS) {
      it(`moves ${t.from} --${t.action}--> ${t.to}`, () => {
        const before = deepFreeze(voucher({ status: t.from }));
        const after = transitionVoucher(before, t.action, TX);
        expect(after.status).to.equal(t.to);
        expect(after.updatedTxId).to.equal(TX.txId);
        expect(before.status).to.equal(t.from);
      });
    }

    for (const from of VOUCHER_STATUSES) {
      for (const action of VOUCHER_ACTIONS) {
        if (VOUCHER_TRANSITIONS.some((t) => t.from === from && t.action === action)) continue;
        it(`refuses ${action} from ${from} with INVALID_STATE`, () => {
          const err = expectDomainError(() => transitionVoucher(voucher({ status: from }), action, TX), 'INVALID_STATE');
          expect(err.detail).to.include(`is ${from}`).and.to.include(`cannot ${action}`);
        });
      }
    }
  });

  describe('issueVoucher', () => {
    const rcv = deepFreeze(receivable());

    it('issues a tier-0 root to the creditor and records the vouchered amount', () => {
      const { voucher: v, receivable: r } = issueVoucher(rcv, { id: 'VCH-A1', amount: '400000', maturityDate: MATURITY }, ACTORS.core, TX);
      expect(v).to.deep.equal({
        docType: 'voucher',
        id: 'VCH-A1',
        rootId: 'VCH-A1',
        tier: 0,
        issuer: IDS.core,
        holder: IDS.supplier,
        amount: '400000',
        currency: 'CNY',
        maturityDate: MATURITY,
        receivableId: 'RCV-1',
        status: 'ACTIVE',
        createdAt: TX.now,
        updatedAt: TX.now,
        createdTxId: TX.txId,
        updatedTxId: TX.txId,
      });
      expect(r).to.include({ status: 'CONFIRMED', voucheredAmount: '400000', updatedTxId: TX.txId });
      expect(rcv.voucheredAmount).to.equal('0');
      expectJsonClean(v);
      expectJsonClean(r);
    });

    it('makes the receivable VOUCHERED when the last part is vouchered', () => {
      const first = issueVoucher(rcv, { id: 'VCH-A1', amount: '400000', maturityDate: MATURITY }, ACTORS.core, TX);
      const second = issueVoucher(first.receivable, { id: 'VCH-A2', amount: '600000', maturityDate: MATURITY }, ACTORS.core, TX);
      expect(second.receivable).to.include({ status: 'VOUCHERED', voucheredAmount: '1000000' });
      expectDomainError(
        () => issueVoucher(second.receivable, { id: 'VCH-A3', amount: '100', maturityDate: MATURITY }, ACTORS.core, TX),
        'INVALID_STATE',
        'VOUCHERED',
      );
    });

    it('derives the id from the tx id when none is given, and allows maturity today', () => {
      const { voucher: v } = issueVoucher(rcv, { amount: '1000000', maturityDate: TX.today }, ACTORS.core, txAt(TX.today, 'abc-123'));
      expect(v.id).to.equal('VCH-abc123');
      expect(v.rootId).to.equal('VCH-abc123');
    });

    it('refuses an amount above what is not yet vouchered', () => {
      const partly = receivable({ voucheredAmount: '900000' });
      expectDomainError(
        () => issueVoucher(partly, { id: 'VCH-A1', amount: '100001', maturityDate: MATURITY }, ACTORS.core, TX),
        'BUSINESS_RULE',
        'unvouchered 100000',
      );
    });

    it('refuses an amount below the minimum piece', () => {
      expectDomainError(
        () => issueVoucher(rcv, { id: 'VCH-A1', amount: String(MIN_PIECE - 1n), maturityDate: MATURITY }, ACTORS.core, TX),
        'BUSINESS_RULE',
        'minimum piece',
      );
    });

    it('refuses to leave an unvouchered remainder below the minimum piece', () => {
      expectDomainError(
        () => issueVoucher(rcv, { id: 'VCH-A1', amount: '999950', maturityDate: MATURITY }, ACTORS.core, TX),
        'BUSINESS_RULE',
        'leave 50',
      );
      const left = issueVoucher(rcv, { id: 'VCH-A1', amount: '999900', maturityDate: MATURITY }, ACTORS.core, TX);
      expect(left.receivable).to.include({ status: 'CONFIRMED', voucheredAmount: '999900' });
    });

    it('refuses a maturity date in the past', () => {
      expectDomainError(
        () => issueVoucher(rcv, { id: 'VCH-A1', amount: '1000', maturityDate: '2025-02-28' }, ACTORS.core, TX),
        'BUSINESS_RULE',
        'before today',
      );
    });

    const invalid: [string, Record<string, unknown>, string][] = [
      ['an id with a dot (reserved for pieces)', { id: 'VCH-1.1' }, 'id'],
      ['an id without the VCH- prefix', { id: 'V-1' }, 'id'],
      ['a fractional amount', { amount: '1000.5' }, 'amount'],
      ['a zero amount', { amount: '0' }, 'amount'],
      ['a malformed maturity date', { maturityDate: '2025-9-30' }, 'maturityDate'],
    ];
    for (const [what, overrides, field] of invalid) {
      it(`rejects ${what}`, () => {
        const c = { id: 'VCH-A1', amount: '1000', maturityDate: MATURITY, ...overrides } as never;
        expectDomainError(() => issueVoucher(rcv, c, ACTORS.core, TX), 'VALIDATION_FAILED', field);
      });
    }

    const notDebtor: [string, Actor][] = [
      ['the creditor', ACTORS.supplier],
      ['another core enterprise', ACTORS.core2],
      ['a bank', ACTORS.bank],
      ['the operator', ACTORS.operator],
      ['an auditor', ACTORS.auditor],
      ['the debtor while suspended', suspended(ACTORS.core)],
    ];
    for (const [who, actor] of notDebtor) {
      it(`forbids ${who} to issue`, () => {
        expectDomainError(() => issueVoucher(rcv, { id: 'VCH-A1', amount: '1000', maturityDate: MATURITY }, actor, TX), 'FORBIDDEN');
      });
    }

    for (const status of ['PENDING', 'REJECTED', 'CANCELLED', 'FINANCING_PENDING', 'FINANCED', 'SETTLED'] as const) {
      it(`refuses to issue against a ${status} receivable`, () => {
        expectDomainError(
          () => issueVoucher(receivable({ status }), { id: 'VCH-A1', amount: '1000', maturityDate: MATURITY }, ACTORS.core, TX),
          'INVALID_STATE',
          status,
        );
      });
    }
  });

  describe('transferVoucher', () => {
    const root = deepFreeze(voucher());

    it('hands the whole piece to the recipient one tier down', () => {
      const { voucher: v, children } = transferVoucher(root, { to: IDS.supplier2, amount: '1000000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
      expect(children).to.deep.equal([]);
      expect(v).to.include({ id: 'VCH-1', holder: IDS.supplier2, tier: 1, status: 'ACTIVE', updatedTxId: TX.txId, createdTxId: 'tx-issue' });
      expect(root.holder).to.equal(IDS.supplier);
    });

    it('splits off part for the recipient and keeps the remainder with the holder', () => {
      const { voucher: parent, children } = transferVoucher(root, { to: IDS.supplier2, amount: '300000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
      expect(parent).to.include({ status: 'SPLIT', holder: IDS.supplier, amount: '1000000' });
      expect(parent.childIds).to.deep.equal(['VCH-1.1', 'VCH-1.2']);
      expect(children.map((c) => [c.id, c.parentId, c.rootId, c.holder, c.amount, c.tier, c.status])).to.deep.equal([
        ['VCH-1.1', 'VCH-1', 'VCH-1', IDS.supplier2, '300000', 1, 'ACTIVE'],
        ['VCH-1.2', 'VCH-1', 'VCH-1', IDS.supplier, '700000', 0, 'ACTIVE'],
      ]);
      for (const c of children) {
        expect(c).to.include({ issuer: IDS.core, maturityDate: MATURITY, receivableId: 'RCV-1', currency: 'CNY', createdTxId: TX.txId });
        expectJsonClean(c);
      }
      expectJsonClean(parent);
    });

    it('accepts pieces of exactly the minimum on both sides', () => {
      const small = voucher({ amount: String(2n * MIN_PIECE) });
      const { children } = transferVoucher(small, { to: IDS.supplier2, amount: String(MIN_PIECE) }, ACTORS.supplier, MEMBERS.supplier2, TX);
      expect(children.map((c) => c.amount)).to.deep.equal([String(MIN_PIECE), String(MIN_PIECE)]);
    });

    it('refuses a part below the minimum piece', () => {
      expectDomainError(
        () => transferVoucher(root, { to: IDS.supplier2, amount: '99' }, ACTORS.supplier, MEMBERS.supplier2, TX),
        'BUSINESS_RULE',
        'transfer amount 99',
      );
    });

    it('refuses a remainder below the minimum piece', () => {
      expectDomainError(
        () => transferVoucher(root, { to: IDS.supplier2, amount: '999950' }, ACTORS.supplier, MEMBERS.supplier2, TX),
        'BUSINESS_RULE',
        'remainder 50',
      );
    });

    it('refuses more than the piece holds', () => {
      expectDomainError(
        () => transferVoucher(root, { to: IDS.supplier2, amount: '1000001' }, ACTORS.supplier, MEMBERS.supplier2, TX),
        'BUSINESS_RULE',
        'exceeds',
      );
    });

    it(`allows tier ${MAX_TIER} and refuses tier ${MAX_TIER + 1}, whole or in part`, () => {
      const deep = voucher({ id: 'VCH-1.2', parentId: 'VCH-1', tier: MAX_TIER - 1 });
      const whole = transferVoucher(deep, { to: IDS.supplier2, amount: '1000000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
      expect(whole.voucher.tier).to.equal(MAX_TIER);
      const atMax = deepFreeze(whole.voucher);
      expectDomainError(
        () => transferVoucher(atMax, { to: IDS.supplier, amount: '1000000' }, ACTORS.supplier2, MEMBERS.supplier, TX),
        'BUSINESS_RULE',
        `tier ${MAX_TIER + 1}`,
      );
      expectDomainError(
        () => transferVoucher(atMax, { to: IDS.supplier, amount: '1000' }, ACTORS.supplier2, MEMBERS.supplier, TX),
        'BUSINESS_RULE',
        `tier ${MAX_TIER + 1}`,
      );
    });

    it('refuses a transfer after maturity and on the maturity date itself', () => {
      for (const tx of [AFTER_MATURITY, ON_MATURITY]) {
        expectDomainError(
          () => transferVoucher(root, { to: IDS.supplier2, amount: '1000' }, ACTORS.supplier, MEMBERS.supplier2, tx),
          'BUSINESS_RULE',
          'matured',
        );
      }
    });

    it('allows a transfer the day before maturity', () => {
      const dayBefore = txAt('2025-09-29');
      expect(() => transferVoucher(root, { to: IDS.supplier2, amount: '1000' }, ACTORS.supplier, MEMBERS.supplier2, dayBefore)).not.to.throw();
    });

    const notHolder: [string, Actor][] = [
      ['another supplier', ACTORS.supplier2],
      ['the issuer', ACTORS.core],
      ['a bank', ACTORS.bank],
      ['the operator', ACTORS.operator],
      ['an auditor', ACTORS.auditor],
      ['the holder while suspended', suspended(ACTORS.supplier)],
    ];
    for (const [who, actor] of notHolder) {
      it(`forbids ${who} to transfer`, () => {
        expectDomainError(() => transferVoucher(root, { to: IDS.supplier3, amount: '1000' }, actor, MEMBERS.supplier3, TX), 'FORBIDDEN');
      });
    }

    it('answers NOT_FOUND for a recipient that is not a member', () => {
      expectDomainError(() => transferVoucher(root, { to: IDS.supplier2, amount: '1000' }, ACTORS.supplier, undefined, TX), 'NOT_FOUND', IDS.supplier2);
    });

    const badRecipients: [string, string, Member, string][] = [
      ['a suspended recipient', IDS.supplier2, { ...MEMBERS.supplier2, status: 'SUSPENDED' }, 'SUSPENDED'],
      ['a bank', IDS.bank, MEMBERS.bank, 'SUPPLIER'],
      ['a core enterprise that is not a supplier', IDS.core2, MEMBERS.core2, 'SUPPLIER'],
      ['the holder itself', IDS.supplier, MEMBERS.supplier, 'already held'],
      ['the issuer, even when it is also a supplier', IDS.core, member(IDS.core, ['CORE_ENTERPRISE', 'SUPPLIER']), 'issuer'],
    ];
    for (const [what, to, recipient, detail] of badRecipients) {
      it(`refuses ${what} as recipient`, () => {
        expectDomainError(() => transferVoucher(root, { to, amount: '1000' }, ACTORS.supplier, recipient, TX), 'BUSINESS_RULE', detail);
      });
    }

    for (const status of ['SPLIT', 'FINANCING_PENDING', 'FINANCED', 'SETTLED'] as VoucherStatus[]) {
      it(`refuses to transfer a ${status} piece, whole or in part`, () => {
        const v = voucher({ status });
        for (const amount of ['1000000', '1000']) {
          expectDomainError(() => transferVoucher(v, { to: IDS.supplier2, amount }, ACTORS.supplier, MEMBERS.supplier2, TX), 'INVALID_STATE', status);
        }
      });
    }

    it('rejects a malformed recipient id or amount', () => {
      expectDomainError(() => transferVoucher(root, { to: 'nobody', amount: '1000' }, ACTORS.supplier, MEMBERS.supplier2, TX), 'VALIDATION_FAILED', 'to');
      expectDomainError(() => transferVoucher(root, { to: IDS.supplier2, amount: '0' }, ACTORS.supplier, MEMBERS.supplier2, TX), 'VALIDATION_FAILED', 'amount');
      expectDomainError(() => transferVoucher(root, { to: IDS.supplier2, amount: '-5' }, ACTORS.supplier, MEMBERS.supplier2, TX), 'VALIDATION_FAILED', 'amount');
    });
  });

  describe('splitVoucher', () => {
    const root = deepFreeze(voucher({ tier: 2, id: 'VCH-1.1', parentId: 'VCH-1' }));

    it('splits a piece into children held by the holder at the same tier', () => {
      const { voucher: parent, children } = splitVoucher(root, ['500000', '300000', '200000'], ACTORS.supplier, TX);
      expect(parent.status).to.equal('SPLIT');
      expect(parent.childIds).to.deep.equal(['VCH-1.1.1', 'VCH-1.1.2', 'VCH-1.1.3']);
      expect(children.map((c) => [c.id, c.holder, c.amount, c.tier, c.parentId, c.rootId])).to.deep.equal([
        ['VCH-1.1.1', IDS.supplier, '500000', 2, 'VCH-1.1', 'VCH-1'],
        ['VCH-1.1.2', IDS.supplier, '300000', 2, 'VCH-1.1', 'VCH-1'],
        ['VCH-1.1.3', IDS.supplier, '200000', 2, 'VCH-1.1', 'VCH-1'],
      ]);
      expect(root.status).to.equal('ACTIVE');
    });

    it(`allows ${MAX_SPLIT} parts and refuses ${MAX_SPLIT + 1} or 1`, () => {
      const twenty = Array.from({ length: MAX_SPLIT }, () => '50000');
      expect(splitVoucher(root, twenty, ACTORS.supplier, TX).children).to.have.length(MAX_SPLIT);
      const v = voucher({ amount: String(21n * 1000n) });
      expectDomainError(() => splitVoucher(v, Array.from({ length: 21 }, () => '1000'), ACTORS.supplier, TX), 'BUSINESS_RULE', '2 to 20');
      expectDomainError(() => splitVoucher(root, ['1000000'], ACTORS.supplier, TX), 'BUSINESS_RULE', '2 to 20');
      expectDomainError(() => splitVoucher(root, [], ACTORS.supplier, TX), 'BUSINESS_RULE', '2 to 20');
    });

    it('refuses amounts that do not sum to the piece', () => {
      expectDomainError(() => splitVoucher(root, ['500000', '499999'], ACTORS.supplier, TX), 'BUSINESS_RULE', 'sum to 999999');
      expectDomainError(() => splitVoucher(root, ['500000', '500001'], ACTORS.supplier, TX), 'BUSINESS_RULE', 'sum to 1000001');
    });

    it('refuses a part below the minimum piece', () => {
      expectDomainError(() => splitVoucher(root, ['999901', '99'], ACTORS.supplier, TX), 'BUSINESS_RULE', 'amounts[1]');
    });

    it('rejects malformed amounts', () => {
      expectDomainError(() => splitVoucher(root, ['500000', '500000.0'], ACTORS.supplier, TX), 'VALIDATION_FAILED', 'amounts[1]');
      expectDomainError(() => splitVoucher(root, '1000000' as never, ACTORS.supplier, TX), 'VALIDATION_FAILED', 'amounts');
      expectDomainError(() => splitVoucher(root, [500000, 500000] as never, ACTORS.supplier, TX), 'VALIDATION_FAILED', 'amounts[0]');
    });

    it('forbids anyone but the active holder', () => {
      for (const a of [ACTORS.supplier2, ACTORS.core, ACTORS.bank, ACTORS.operator, ACTORS.auditor, suspended(ACTORS.supplier)]) {
        expectDomainError(() => splitVoucher(root, ['500000', '500000'], a, TX), 'FORBIDDEN');
      }
    });

    for (const status of ['SPLIT', 'FINANCING_PENDING', 'FINANCED', 'SETTLED'] as VoucherStatus[]) {
      it(`refuses to split a ${status} piece`, () => {
        expectDomainError(() => splitVoucher(voucher({ status }), ['500000', '500000'], ACTORS.supplier, TX), 'INVALID_STATE', status);
      });
    }

    it('refuses to split a matured piece', () => {
      expectDomainError(() => splitVoucher(root, ['500000', '500000'], ACTORS.supplier, AFTER_MATURITY), 'BUSINESS_RULE', 'matured');
    });
  });

  describe('settleVoucher', () => {
    const rcv = deepFreeze(receivable({ status: 'VOUCHERED', voucheredAmount: '1000000' }));

    it('settles a piece on its maturity date, paying the holder', () => {
      const piece = deepFreeze(voucher({ id: 'VCH-1.1', parentId: 'VCH-1', amount: '400000', holder: IDS.supplier2, tier: 1 }));
      const { voucher: v, receivable: r } = settleVoucher(piece, rcv, { paymentRef: 'CNAPS-2025093000001' }, ACTORS.core, ON_MATURITY);
      expect(v).to.include({
        status: 'SETTLED',
        settledTo: IDS.supplier2,
        paymentRef: 'CNAPS-2025093000001',
        settledAt: ON_MATURITY.now,
        updatedTxId: ON_MATURITY.txId,
      });
      expect(r).to.include({ status: 'VOUCHERED', settledAmount: '400000' });
      expectJsonClean(v);
      expect(piece.status).to.equal('ACTIVE');
    });

    it('settles the receivable with its last piece', () => {
      const paid = receivable({ status: 'VOUCHERED', voucheredAmount: '1000000', settledAmount: '600000' });
      const piece = voucher({ id: 'VCH-1.2', parentId: 'VCH-1', amount: '400000' });
      const { receivable: r } = settleVoucher(piece, paid, { paymentRef: 'P-2' }, ACTORS.core, AFTER_MATURITY);
      expect(r).to.include({ status: 'SETTLED', settledAmount: '1000000' });
    });

    it('keeps a partly vouchered receivable CONFIRMED when its vouchers are paid', () => {
      const partly = receivable({ status: 'CONFIRMED', voucheredAmount: '400000' });
      const { receivable: r } = settleVoucher(voucher({ amount: '400000' }), partly, { paymentRef: 'P-3' }, ACTORS.core, ON_MATURITY);
      expect(r).to.include({ status: 'CONFIRMED', settledAmount: '400000' });
    });

    it('pays the bank that holds a FINANCED piece', () => {
      const financed = voucher({ status: 'FINANCED', holder: IDS.bank });
      const { voucher: v } = settleVoucher(financed, rcv, { paymentRef: 'P-4' }, ACTORS.core, ON_MATURITY);
      expect(v).to.include({ status: 'SETTLED', settledTo: IDS.bank });
    });

    it('refuses to settle before maturity', () => {
      expectDomainError(() => settleVoucher(voucher(), rcv, { paymentRef: 'P-1' }, ACTORS.core, txAt('2025-09-29')), 'BUSINESS_RULE', 'matures on');
    });

    it('pays the applicant that still holds a FINANCING_PENDING piece and stops naming the financing (it expires)', () => {
      const pending = deepFreeze(voucher({ status: 'FINANCING_PENDING', financingId: 'FIN-1' }));
      for (const tx of [ON_MATURITY, AFTER_MATURITY]) {
        const { voucher: v, receivable: r } = settleVoucher(pending, rcv, { paymentRef: 'P-5' }, ACTORS.core, tx);
        expect(v).to.include({ status: 'SETTLED', settledTo: IDS.supplier, holder: IDS.supplier, paymentRef: 'P-5', settledAt: tx.now });
        expect(v).to.not.have.property('financingId');
        expect(r).to.include({ settledAmount: '1000000' });
        expectJsonClean(v);
      }
      expect(pending.financingId).to.equal('FIN-1');
    });

    it('keeps naming the financing of a FINANCED piece (it is repaid)', () => {
      const { voucher: v } = settleVoucher(voucher({ status: 'FINANCED', holder: IDS.bank, financingId: 'FIN-1' }), rcv, { paymentRef: 'P-6' }, ACTORS.core, ON_MATURITY);
      expect(v).to.include({ financingId: 'FIN-1', settledTo: IDS.bank });
    });

    it('refuses to settle a FINANCING_PENDING piece before maturity (BUSINESS_RULE): the bank may still decide', () => {
      const pending = voucher({ status: 'FINANCING_PENDING', financingId: 'FIN-1' });
      expectDomainError(() => settleVoucher(pending, rcv, { paymentRef: 'P-1' }, ACTORS.core, txAt('2025-09-29')), 'BUSINESS_RULE', 'matures on');
    });

    for (const status of ['SPLIT', 'SETTLED'] as VoucherStatus[]) {
      it(`refuses to settle a ${status} piece`, () => {
        expectDomainError(() => settleVoucher(voucher({ status }), rcv, { paymentRef: 'P-1' }, ACTORS.core, ON_MATURITY), 'INVALID_STATE', status);
      });
    }

    it('forbids anyone but the active issuer', () => {
      for (const a of [ACTORS.supplier, ACTORS.core2, ACTORS.bank, ACTORS.operator, ACTORS.auditor, suspended(ACTORS.core)]) {
        expectDomainError(() => settleVoucher(voucher(), rcv, { paymentRef: 'P-1' }, a, ON_MATURITY), 'FORBIDDEN');
      }
    });

    it('rejects a missing payment reference and a receivable that does not back the piece', () => {
      expectDomainError(() => settleVoucher(voucher(), rcv, { paymentRef: ' ' }, ACTORS.core, ON_MATURITY), 'VALIDATION_FAILED', 'paymentRef');
      expectDomainError(() => settleVoucher(voucher(), rcv, {} as never, ACTORS.core, ON_MATURITY), 'VALIDATION_FAILED', 'paymentRef');
      expectDomainError(
        () => settleVoucher(voucher(), receivable({ id: 'RCV-2', status: 'VOUCHERED', voucheredAmount: '1000000' }), { paymentRef: 'P' }, ACTORS.core, ON_MATURITY),
        'VALIDATION_FAILED',
        'RCV-2',
      );
    });

    it('refuses to pay more on a receivable than was vouchered', () => {
      const over = receivable({ status: 'VOUCHERED', voucheredAmount: '1000000', settledAmount: '700000' });
      expectDomainError(() => settleVoucher(voucher({ amount: '400000' }), over, { paymentRef: 'P' }, ACTORS.core, ON_MATURITY), 'BUSINESS_RULE', 'above');
    });
  });

  describe('isOverdue', () => {
    const cases: [VoucherStatus, string, boolean][] = [
      ['ACTIVE', '2025-09-30', false],
      ['ACTIVE', '2025-10-01', true],
      ['FINANCING_PENDING', '2025-10-01', true],
      ['FINANCED', '2025-10-01', true],
      ['SETTLED', '2025-10-01', false],
      ['SPLIT', '2025-10-01', false],
    ];
    for (const [status, today, overdue] of cases) {
      it(`counts a ${status} piece maturing 2025-09-30 as ${overdue ? '' : 'not '}overdue on ${today}`, () => {
        expect(isOverdue(voucher({ status }), today)).to.equal(overdue);
      });
    }
  });

  describe('canReadVoucher', () => {
    const v = voucher({ holder: IDS.supplier2 });
    it('lets the holder, the issuer, auditors and the operator read', () => {
      for (const a of [ACTORS.supplier2, ACTORS.core, ACTORS.auditor, ACTORS.operator]) expect(canReadVoucher(a, v)).to.equal(true);
    });
    it('hides it from everyone else, including a former holder', () => {
      for (const a of [ACTORS.supplier, ACTORS.core2, ACTORS.bank, ACTORS.warehouse]) expect(canReadVoucher(a, v)).to.equal(false);
    });
    it('lets the bank of a live financing read', () => {
      expect(canReadVoucher(ACTORS.bank, v, [IDS.bank])).to.equal(true);
    });
  });

  describe('voucherTree', () => {
    const made = transferVoucher(voucher(), { to: IDS.supplier2, amount: '300000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
    const pieces = [made.voucher, ...made.children];
    const holders = (readable: string[]) => {
      const tree = voucherTree(pieces, 'VCH-1', new Set(readable), 'VCH-1');
      return [tree, ...tree.children].map((n) => [n.id, n.holder]);
    };

    it('draws the whole tree for a caller who may read any one piece, with holders exactly where it may read', () => {
      expect(holders(['VCH-1.1'])).to.deep.equal([
        ['VCH-1', ''],
        ['VCH-1.1', IDS.supplier2],
        ['VCH-1.2', ''],
      ]);
      expect(holders(['VCH-1', 'VCH-1.1', 'VCH-1.2']).map(([, h]) => h)).to.deep.equal([IDS.supplier, IDS.supplier2, IDS.supplier]);
    });

    it('answers NOT_FOUND, naming the piece asked for, to a caller who may read none of it', () => {
      expectDomainError(() => voucherTree(pieces, 'VCH-1', new Set(), 'VCH-1.2'), 'NOT_FOUND', 'VCH-1.2');
    });
  });

  describe('assertVoucherInvariants', () => {
    let made: { voucher: Voucher; children: Voucher[] };
    let c1: Voucher;
    let c2: Voucher;
    before(() => {
      made = transferVoucher(voucher(), { to: IDS.supplier2, amount: '300000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
      [c1, c2] = made.children as [Voucher, Voucher];
    });

    it('accepts the children a transfer or split makes', () => {
      expect(() => assertVoucherInvariants(made.voucher, made.children)).not.to.throw();
    });

    const tampered: [string, () => [Voucher, Voucher[]], string][] = [
      ['children that sum to less than the parent', () => [made.voucher, [c1, { ...c2, amount: '699999' }]], 'sum to 999999'],
      ['children that sum to more than the parent', () => [made.voucher, [c1, { ...c2, amount: '700001' }]], 'sum to 1000001'],
      ['a child of another root', () => [made.voucher, [c1, { ...c2, rootId: 'VCH-2' }]], 'root'],
      ['a child pointing to another parent', () => [made.voucher, [c1, { ...c2, parentId: 'VCH-9' }]], 'parent'],
      ['a child with a foreign id', () => [made.voucher, [c1, { ...c2, id: 'VCH-1.3' }]], 'lists children'],
      ['a child two tiers down', () => [made.voucher, [{ ...c1, tier: 2 }, c2]], 'tier 2'],
      ['a child one tier down with the same holder', () => [made.voucher, [{ ...c1, holder: IDS.supplier }, c2]], 'tier 1'],
      ['a child at the same tier with another holder', () => [made.voucher, [c1, { ...c2, holder: IDS.supplier3 }]], 'tier 0'],
      ['a child below the minimum piece', () => [{ ...made.voucher, amount: '300050' }, [c1, { ...c2, amount: '50' }]], 'below'],
      ['a parent that is not SPLIT', () => [{ ...made.voucher, status: 'ACTIVE' }, made.children], 'not SPLIT'],
      ['a single child', () => [{ ...made.voucher, childIds: ['VCH-1.1'] }, [{ ...c1, amount: '1000000' }]], '1 children'],
      ['a child of another maturity', () => [made.voucher, [c1, { ...c2, maturityDate: '2026-01-01' }]], 'maturityDate'],
      ['a child that is not ACTIVE', () => [made.voucher, [c1, { ...c2, status: 'SETTLED' }]], 'SETTLED'],
    ];
    for (const [what, build, detail] of tampered) {
      it(`refuses ${what}`, () => {
        const [parent, children] = build();
        expectDomainError(() => assertVoucherInvariants(parent, children), 'BUSINESS_RULE', detail);
      });
    }
  });

  describe('a voucher tree from issue to settlement', () => {
    it('conserves the root amount through transfers and splits and settles the receivable with the last piece', () => {
      const registered = registerReceivable(
        { id: 'RCV-FLOW', debtor: IDS.core, amount: '1000000', dueDate: MATURITY, documents: [{ kind: 'INVOICE', fingerprint: fp(99) }] },
        ACTORS.supplier,
        MEMBERS.core,
        TX,
      );
      let rcv = confirmReceivable(registered, ACTORS.core, undefined, TX);
      const issued = issueVoucher(rcv, { id: 'VCH-FLOW', amount: '1000000', maturityDate: MATURITY }, ACTORS.core, TX);
      rcv = issued.receivable;
      expect(rcv.status).to.equal('VOUCHERED');
      const t = transferVoucher(issued.voucher, { to: IDS.supplier2, amount: '600000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
      const [toS2, keep] = t.children as [Voucher, Voucher];
      const s = splitVoucher(toS2, ['100000', '500000'], ACTORS.supplier2, TX);
      const w = transferVoucher(s.children[1] as Voucher, { to: IDS.supplier3, amount: '500000' }, ACTORS.supplier2, MEMBERS.supplier3, TX);
      const tree = [t.voucher, s.voucher, keep, s.children[0] as Voucher, w.voucher];
      assertTreeInvariants(tree);
      expect(w.voucher).to.include({ id: 'VCH-FLOW.1.2', holder: IDS.supplier3, tier: 2 });

      const live = tree.filter((v) => v.status !== 'SPLIT');
      const settled: Voucher[] = [];
      for (const piece of live) {
        const out = settleVoucher(piece, rcv, { paymentRef: `PAY-${piece.id}` }, ACTORS.core, ON_MATURITY);
        rcv = out.receivable;
        settled.push(out.voucher);
      }
      expect(settled.map((v) => v.settledTo)).to.deep.equal([IDS.supplier, IDS.supplier2, IDS.supplier3]);
      expect(rcv).to.include({ status: 'SETTLED', settledAmount: '1000000' });
      assertTreeInvariants([t.voucher, s.voucher, ...settled]);
    });

    it('detects a tree whose pieces do not add up, or that has an orphan', () => {
      const t = transferVoucher(voucher(), { to: IDS.supplier2, amount: '300000' }, ACTORS.supplier, MEMBERS.supplier2, TX);
      const [a, b] = t.children as [Voucher, Voucher];
      expectDomainError(() => assertTreeInvariants([t.voucher, a]), 'BUSINESS_RULE', 'missing children');
      expectDomainError(() => assertTreeInvariants([t.voucher, a, { ...b, amount: '700001' }]), 'BUSINESS_RULE', 'sum to');
      expectDomainError(() => assertTreeInvariants([t.voucher, a, b, voucher({ id: 'VCH-1.9', parentId: 'VCH-1.7' })]), 'BUSINESS_RULE', 'missing parent');
      expectDomainError(() => assertTreeInvariants([a, b]), 'BUSINESS_RULE', 'roots');
    });
  });

  describe('maturityFigures', () => {
    it('sums outstanding pieces by maturity date, issuer and currency, sorted, leaving SPLIT and SETTLED out', () => {
      const pieces = [
        voucher({ id: 'VCH-1', maturityDate: '2025-10-31', amount: '300' }),
        voucher({ id: 'VCH-2', maturityDate: '2025-09-30', amount: '100', status: 'FINANCED' }),
        voucher({ id: 'VCH-3', maturityDate: '2025-09-30', amount: '200', status: 'FINANCING_PENDING' }),
        voucher({ id: 'VCH-4', maturityDate: '2025-09-30', amount: '400', issuer: IDS.bank }),
        voucher({ id: 'VCH-5', maturityDate: '2025-09-30', amount: '500', currency: 'USD' }),
        voucher({ id: 'VCH-6', maturityDate: '2025-09-30', amount: '600', status: 'SPLIT' }),
        voucher({ id: 'VCH-7', maturityDate: '2025-09-30', amount: '700', status: 'SETTLED' }),
      ];
      const at = (maturityDate: string, issuer: string, currency: string, count: number, amount: string) => ({ maturityDate, issuer, currency, count, amount });
      // 9111… (bank) sorts before 9131… (core)
      const expected = [
        at('2025-09-30', IDS.bank, 'CNY', 1, '400'),
        at('2025-09-30', IDS.core, 'CNY', 2, '300'),
        at('2025-09-30', IDS.core, 'USD', 1, '500'),
        at('2025-10-31', IDS.core, 'CNY', 1, '300'),
      ];
      expect(maturityFigures(pieces)).to.deep.equal(expected);
      expect(maturityFigures([...pieces].reverse())).to.deep.equal(expected);
    });

    it('adds figures from several pages into one per (date, issuer, currency), sums past one record\'s 19 digits', () => {
      const big = '9000000000000000000';
      const f = (amount: string, count = 1, maturityDate = '2025-09-30') => ({ maturityDate, issuer: IDS.core, currency: 'CNY', count, amount });
      expect(addMaturityFigures([f(big, 2, '2025-10-01'), f(big), f('1', 3), f(big, 1, '2025-10-01')])).to.deep.equal([
        f('9000000000000000001', 4),
        f('18000000000000000000', 3, '2025-10-01'),
      ]);
      expect(addMaturityFigures([])).to.deep.equal([]);
    });
  });

  describe('lineageIds', () => {
    it('lists the ids from a piece up to its root', () => {
      expect(lineageIds('VCH-9.2.13.1')).to.deep.equal(['VCH-9.2.13.1', 'VCH-9.2.13', 'VCH-9.2', 'VCH-9']);
      expect(lineageIds('VCH-9')).to.deep.equal(['VCH-9']);
    });
  });

  it('lets a member holding both roles act as supplier', () => {
    const dual = member(IDS.supplier3, ['CORE_ENTERPRISE', 'SUPPLIER']);
    const v = voucher({ holder: IDS.supplier3 });
    expect(() => splitVoucher(v, ['500000', '500000'], actorOf(dual), TX)).not.to.throw();
  });
});
