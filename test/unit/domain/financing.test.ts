import { addDays } from '../../../chaincode/src/domain/dates';
import { expect } from 'chai';
import {
  approveFinancing,
  DISBURSE_WITHIN_DAYS,
  assertWithinCaps,
  canReadFinancing,
  discountFor,
  disburseFinancing,
  enforcePledge,
  expiredBySettlement,
  FINANCING_ACTIONS,
  FINANCING_STATUSES,
  FINANCING_TRANSITIONS,
  financingEncumbrance,
  liveFinancingParties,
  maxPledgeAdvance,
  platformFee,
  platformFeeBps,
  quoteTerms,
  rejectFinancing,
  releasePledge,
  repaidBySettlement,
  repayFinancing,
  requestFinancing,
  settleFactoredReceivable,
  transitionFinancing,
  withdrawFinancing,
  withinPledgeCap,
  type FinancedAsset,
  type Financing,
  type FinancingAssetType,
  type RequestFinancingCommand,
} from '../../../chaincode/src/domain/financing';
import { assertNotFactored } from '../../../chaincode/src/domain/receivables';
import type { Actor, Receivable, Voucher } from '../../../chaincode/src/domain/types';
import { lotFingerprint, type WarehouseReceipt } from '../../../chaincode/src/domain/warehouse';
import { ACTORS, deepFreeze, expectDomainError, expectJsonClean, IDS, member, MEMBERS, receivable, suspended, TX, txAt, voucher } from './fixtures';

const NO_BREAKER = { issuerOverdue: false, applicantStatus: 'ACTIVE' as const, warehouseStatus: 'ACTIVE' as const };
const LATER = txAt('2025-04-01', 'tx-later');

/** Each asset type's financing dueDate in these fixtures, the day before it, and how the refusal names the term. */
const DUE_DATES: [FinancingAssetType, string, string, string][] = [
  ['VOUCHER', '2025-09-30', '2025-09-29', 'voucher VCH-1 matures'],
  ['RECEIVABLE', '2025-09-30', '2025-09-29', 'receivable RCV-1 falls due'],
  ['WAREHOUSE_RECEIPT', '2025-06-01', '2025-05-31', 'loan term ends'],
];

function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function receipt(overrides: Partial<WarehouseReceipt> = {}): WarehouseReceipt {
  return {
    docType: 'warehouseReceipt',
    id: 'WRC-1',
    rootId: 'WRC-1',
    warehouse: IDS.warehouse,
    owner: IDS.supplier,
    commodity: 'Copper cathode',
    grade: 'A',
    quantity: 300,
    unit: 't',
    location: 'Qingdao',
    lotId: 'LOT-1',
    lotFingerprint: lotFingerprint(IDS.warehouse, 'LOT-1'),
    valuation: '1000000',
    currency: 'CNY',
    documents: [],
    status: 'ACTIVE',
    createdAt: '2025-02-01T00:00:00Z',
    updatedAt: '2025-02-01T00:00:00Z',
    createdTxId: 'tx-issue',
    updatedTxId: 'tx-issue',
    ...overrides,
  };
}

const ASSETS = {
  VOUCHER: (): FinancedAsset => ({ type: 'VOUCHER', record: deepFreeze(voucher()) }),
  RECEIVABLE: (): FinancedAsset => ({ type: 'RECEIVABLE', record: deepFreeze(receivable()) }),
  WAREHOUSE_RECEIPT: (): FinancedAsset => ({ type: 'WAREHOUSE_RECEIPT', record: deepFreeze(receipt()) }),
};

function requestCmd(asset: FinancedAsset, overrides: Partial<RequestFinancingCommand> = {}): RequestFinancingCommand {
  return {
    id: 'FIN-1',
    asset: { type: asset.type, id: asset.record.id },
    bank: IDS.bank,
    requestedAmount: asset.type === 'WAREHOUSE_RECEIPT' ? '700000' : '900000',
    ...(asset.type === 'WAREHOUSE_RECEIPT' ? { dueDate: '2025-06-01' } : {}),
    ...overrides,
  };
}

/** A financing on a fresh asset of the type, moved to the stage given, with the asset as it is then. */
function staged(type: keyof typeof ASSETS, stage: 'REQUESTED' | 'APPROVED' | 'DISBURSED') {
  const a0 = ASSETS[type]();
  const r = requestFinancing(requestCmd(a0), a0, ACTORS.supplier, MEMBERS.bank, TX);
  if (stage === 'REQUESTED') return deepFreeze({ financing: r.financing, asset: r.asset });
  const advance = type === 'WAREHOUSE_RECEIPT' ? '700000' : '900000';
  const approved = approveFinancing(r.financing, r.asset, { advanceAmount: advance, annualRateBps: 500 }, ACTORS.bank, TX, NO_BREAKER);
  if (stage === 'APPROVED') return deepFreeze({ financing: approved, asset: r.asset });
  const d = disburseFinancing(approved, r.asset, { paymentRef: 'PAY-1' }, ACTORS.bank, TX, NO_BREAKER);
  return deepFreeze({ financing: d.financing, asset: d.asset });
}

describe('domain/financing', () => {
  describe('transition table', () => {
    it('lists every (status, action) once and keeps REJECTED, WITHDRAWN, EXPIRED, REPAID and ENFORCED final', () => {
      const keys = FINANCING_TRANSITIONS.map((t) => `${t.from}/${t.action}`);
      expect(new Set(keys).size).to.equal(keys.length);
      const finals = FINANCING_STATUSES.filter((s) => !FINANCING_TRANSITIONS.some((t) => t.from === s));
      expect(finals.sort()).to.deep.equal(['ENFORCED', 'EXPIRED', 'REJECTED', 'REPAID', 'WITHDRAWN']);
    });

    it('holds exactly the transitions of DESIGN 2.4 plus WITHDRAW by the applicant, EXPIRE of an undisbursed financing at settlement and ENFORCE of a pledge', () => {
      expect(FINANCING_TRANSITIONS.map((t) => `${t.from} --${t.action}--> ${t.to}`).sort()).to.deep.equal(
        [
          'REQUESTED --APPROVE--> APPROVED',
          'REQUESTED --REJECT--> REJECTED',
          'REQUESTED --WITHDRAW--> WITHDRAWN',
          'REQUESTED --EXPIRE--> EXPIRED',
          'APPROVED --REJECT--> REJECTED',
          'APPROVED --WITHDRAW--> WITHDRAWN',
          'APPROVED --EXPIRE--> EXPIRED',
          'APPROVED --DISBURSE--> DISBURSED',
          'DISBURSED --REPAY--> REPAID',
          'DISBURSED --ENFORCE--> ENFORCED',
        ].sort(),
      );
    });

    const base = staged('VOUCHER', 'REQUESTED').financing;
    for (const t of FINANCING_TRANSITIONS) {
      it(`moves ${t.from} --${t.action}--> ${t.to}`, () => {
        const before = deepFreeze({ ...base, status: t.from });
        const after = transitionFinancing(before, t.action, LATER);
        expect(after.status).to.equal(t.to);
        expect(after.updatedTxId).to.equal(LATER.txId);
        expect(before.status).to.equal(t.from);
      });
    }
    for (const from of FINANCING_STATUSES) {
      for (const action of FINANCING_ACTIONS) {
        if (FINANCING_TRANSITIONS.some((t) => t.from === from && t.action === action)) continue;
        it(`refuses ${action} from ${from} with INVALID_STATE naming both`, () => {
          const err = expectDomainError(() => transitionFinancing({ ...base, status: from }, action, LATER), 'INVALID_STATE');
          expect(err.detail).to.include(`is ${from}`).and.to.include(`cannot ${action}`);
        });
      }
    }
  });

  describe('platform fee (tiered, flat on the whole advance, half up to the fen)', () => {
    const table: [string, bigint, bigint, bigint][] = [
      ['1 fen', 1n, 180n, 0n],
      ['2.49 CNY (4.482 fen rounds down)', 249n, 180n, 4n],
      ['2.50 CNY (4.5 fen rounds half up)', 250n, 180n, 5n],
      ['4,999,999.99 CNY, the top of the 1.8% tier', 499_999_999n, 180n, 9_000_000n],
      ['5,000,000.00 CNY, the bottom of the 1.5% tier', 500_000_000n, 150n, 7_500_000n],
      ['5,000,001.00 CNY (7,500,001.5 fen rounds half up)', 500_000_100n, 150n, 7_500_002n],
      ['20,000,000.00 CNY, the top of the 1.5% tier (inclusive)', 2_000_000_000n, 150n, 30_000_000n],
      ['20,000,000.01 CNY, the bottom of the 1.2% tier', 2_000_000_001n, 120n, 24_000_000n],
      ['20,000,001.25 CNY (24,000,001.5 fen rounds half up)', 2_000_000_125n, 120n, 24_000_002n],
    ];
    for (const [what, advance, bps, fee] of table) {
      it(`charges ${bps} bps = ${fee} fen on ${what}`, () => {
        expect(platformFeeBps(advance)).to.equal(bps);
        expect(platformFee(advance)).to.equal(fee);
      });
    }
  });

  describe('discount = round_half_up(face × bps × days / (10000 × 360))', () => {
    const table: [bigint, number, number, bigint][] = [
      [100_000_000n, 360, 176, 1_760_000n],
      [1_000_000_000n, 450, 90, 11_250_000n],
      [100n, 1800, 10, 1n], // exactly 0.5 rounds up
      [100n, 1799, 10, 0n], // 0.4997 rounds down
      [100n, 1801, 10, 1n],
      [1_000_000n, 10_000, 360, 1_000_000n],
      [1_000_000n, 0, 100, 0n],
      [1_000_000n, 500, 0, 0n],
      [1_000_000n, 500, -5, 0n], // days clamp at zero
      [1_000_000n, 500, 213, 29_583n], // 29,583.33
    ];
    for (const [face, bps, days, discount] of table) {
      it(`is ${discount} on ${face} at ${bps} bps for ${days} days`, () => {
        expect(discountFor(face, bps, days)).to.equal(discount);
      });
    }

    it('refuses a rate outside 0..10000 bps', () => {
      expectDomainError(() => discountFor(100n, 10_001, 1), 'VALIDATION_FAILED');
      expectDomainError(() => discountFor(100n, -1, 1), 'VALIDATION_FAILED');
      expectDomainError(() => discountFor(100n, 1.5, 1), 'VALIDATION_FAILED');
    });

    it('counts days from the disbursement date, never below zero', () => {
      expect(quoteTerms('VOUCHER', 1_000_000n, 900_000n, 500, '2025-09-30', '2025-03-01')).to.deep.equal({ days: 213, discount: 29_583n, fee: 16_200n });
      expect(quoteTerms('VOUCHER', 1_000_000n, 900_000n, 500, '2025-09-30', '2025-10-05')).to.deep.equal({ days: 0, discount: 0n, fee: 16_200n });
    });

    it('takes a pledge discount on the advance (interest for the loan term), not the valuation', () => {
      expect(quoteTerms('WAREHOUSE_RECEIPT', 1_000_000n, 700_000n, 600, '2025-06-01', '2025-03-01')).to.deep.equal({ days: 92, discount: 10_733n, fee: 12_600n });
    });
  });

  describe('caps', () => {
    const pledge: [bigint, bigint, boolean][] = [
      [1000n, 700n, true],
      [1000n, 701n, false],
      [1001n, 700n, true],
      [1001n, 701n, false],
      [999n, 699n, true],
      [999n, 700n, false],
    ];
    for (const [valuation, advance, ok] of pledge) {
      it(`${ok ? 'allows' : 'refuses'} a pledge advance of ${advance} on a valuation of ${valuation} (70%)`, () => {
        expect(withinPledgeCap(advance, valuation)).to.equal(ok);
        const check = () => assertWithinCaps('WAREHOUSE_RECEIPT', valuation, advance, { days: 0, discount: 0n, fee: 0n });
        if (ok) check();
        else expectDomainError(check, 'BUSINESS_RULE', '70%');
      });
    }

    it('rounds the largest pledge advance down to the fen', () => {
      expect(maxPledgeAdvance(1001n)).to.equal(700n);
      expect(maxPledgeAdvance(999n)).to.equal(699n);
      expect(maxPledgeAdvance(10n)).to.equal(7n);
    });

    it('allows advance + discount + fee up to the face amount and not a fen more', () => {
      const at = quoteTerms('VOUCHER', 1_000_000n, 982_318n, 0, '2025-09-30', '2025-03-01');
      expect(982_318n + at.discount + at.fee).to.equal(1_000_000n);
      assertWithinCaps('VOUCHER', 1_000_000n, 982_318n, at);
      const over = quoteTerms('RECEIVABLE', 1_000_000n, 982_319n, 0, '2025-09-30', '2025-03-01');
      expectDomainError(() => assertWithinCaps('RECEIVABLE', 1_000_000n, 982_319n, over), 'BUSINESS_RULE', 'exceeds the face amount 1000000');
    });
  });

  describe('requestFinancing', () => {
    for (const type of ['VOUCHER', 'RECEIVABLE', 'WAREHOUSE_RECEIPT'] as const) {
      it(`opens a REQUESTED financing on a ${type} and locks it naming the financing`, () => {
        const asset = ASSETS[type]();
        const { financing, asset: locked } = requestFinancing(requestCmd(asset), asset, ACTORS.supplier, MEMBERS.bank, TX);
        expect(financing).to.deep.equal({
          docType: 'financing',
          id: 'FIN-1',
          asset: { type, id: asset.record.id },
          applicant: IDS.supplier,
          bank: IDS.bank,
          currency: 'CNY',
          faceAmount: '1000000',
          requestedAmount: type === 'WAREHOUSE_RECEIPT' ? '700000' : '900000',
          dueDate: type === 'WAREHOUSE_RECEIPT' ? '2025-06-01' : '2025-09-30',
          status: 'REQUESTED',
          createdAt: TX.now,
          updatedAt: TX.now,
          createdTxId: TX.txId,
          updatedTxId: TX.txId,
        });
        expect(locked.record.status).to.equal(type === 'WAREHOUSE_RECEIPT' ? 'PLEDGE_PENDING' : 'FINANCING_PENDING');
        expect(locked.record.financingId).to.equal('FIN-1');
        expect(asset.record.status).to.not.equal(locked.record.status);
        expectJsonClean(financing);
        expectJsonClean(locked.record);
      });
    }

    it('derives an id from the tx id when none is given', () => {
      const asset = ASSETS.VOUCHER();
      const { financing } = requestFinancing(requestCmd(asset, { id: undefined }), asset, ACTORS.supplier, MEMBERS.bank, TX);
      expect(financing.id).to.match(/^FIN-/);
    });

    const notParty: [string, Actor][] = [
      ['another supplier', ACTORS.supplier2],
      ['the issuer / debtor', ACTORS.core],
      ['the bank', ACTORS.bank],
      ['the warehouse', ACTORS.warehouse],
      ['an auditor', ACTORS.auditor],
      ['the holder while suspended', suspended(ACTORS.supplier)],
    ];
    for (const type of ['VOUCHER', 'RECEIVABLE', 'WAREHOUSE_RECEIPT'] as const) {
      for (const [who, actor] of notParty) {
        it(`forbids ${who} to request financing on a ${type}`, () => {
          const asset = ASSETS[type]();
          expectDomainError(() => requestFinancing(requestCmd(asset), asset, actor, MEMBERS.bank, TX), 'FORBIDDEN');
        });
      }
    }

    it('forbids a bank that owns an enforced receipt to pledge it (only suppliers apply)', () => {
      const asset: FinancedAsset = { type: 'WAREHOUSE_RECEIPT', record: receipt({ owner: IDS.bank2 }) };
      expectDomainError(() => requestFinancing(requestCmd(asset), asset, ACTORS.bank2, MEMBERS.bank, TX), 'FORBIDDEN', 'SUPPLIER');
    });

    const encumbered: [string, FinancedAsset, string][] = [
      ['a FINANCING_PENDING voucher', { type: 'VOUCHER', record: voucher({ status: 'FINANCING_PENDING', financingId: 'FIN-0' }) }, 'FIN-0'],
      ['a FINANCED voucher', { type: 'VOUCHER', record: voucher({ status: 'FINANCED', financingId: 'FIN-0' }) }, 'FIN-0'],
      ['a FINANCING_PENDING receivable', { type: 'RECEIVABLE', record: receivable({ status: 'FINANCING_PENDING', financingId: 'FIN-0' }) }, 'FIN-0'],
      ['a FINANCED receivable', { type: 'RECEIVABLE', record: receivable({ status: 'FINANCED', financingId: 'FIN-0', assignee: IDS.bank2 }) }, 'FIN-0'],
      ['a partly vouchered receivable', { type: 'RECEIVABLE', record: receivable({ voucheredAmount: '100' }) }, 'backs vouchers for 100'],
      ['a fully vouchered receivable', { type: 'RECEIVABLE', record: receivable({ status: 'VOUCHERED', voucheredAmount: '1000000' }) }, 'backs vouchers'],
      ['a PLEDGE_PENDING receipt', { type: 'WAREHOUSE_RECEIPT', record: receipt({ status: 'PLEDGE_PENDING', financingId: 'FIN-0' }) }, 'FIN-0'],
      ['a PLEDGED receipt', { type: 'WAREHOUSE_RECEIPT', record: receipt({ status: 'PLEDGED', financingId: 'FIN-0', pledgee: IDS.bank2 }) }, 'FIN-0'],
    ];
    for (const [what, asset, named] of encumbered) {
      it(`refuses ${what} with DOUBLE_FINANCING naming ${named}`, () => {
        expectDomainError(() => requestFinancing(requestCmd(asset), asset, ACTORS.supplier, MEMBERS.bank, TX), 'DOUBLE_FINANCING', named);
      });
    }

    it('tells the former holder of an assigned piece that it is financed, naming the bank that holds it', () => {
      const { asset } = staged('VOUCHER', 'DISBURSED');
      expectDomainError(() => requestFinancing(requestCmd(asset, { id: 'FIN-2' }), asset, ACTORS.supplier, MEMBERS.bank2, TX), 'DOUBLE_FINANCING', `held by ${IDS.bank}`);
    });

    it('names the bank of the live financing when it is known', () => {
      const asset: FinancedAsset = { type: 'VOUCHER', record: voucher({ status: 'FINANCING_PENDING', financingId: 'FIN-0' }) };
      const live = { ...staged('VOUCHER', 'REQUESTED').financing, id: 'FIN-0', bank: IDS.bank2 };
      expectDomainError(() => requestFinancing(requestCmd(asset), asset, ACTORS.supplier, MEMBERS.bank, TX, live), 'DOUBLE_FINANCING', IDS.bank2);
    });

    const wrongState: [string, FinancedAsset][] = [
      ['a SPLIT voucher', { type: 'VOUCHER', record: voucher({ status: 'SPLIT' }) }],
      ['a SETTLED voucher', { type: 'VOUCHER', record: voucher({ status: 'SETTLED' }) }],
      ['a PENDING receivable', { type: 'RECEIVABLE', record: receivable({ status: 'PENDING' }) }],
      ['a REJECTED receivable', { type: 'RECEIVABLE', record: receivable({ status: 'REJECTED' }) }],
      ['a CANCELLED receivable', { type: 'RECEIVABLE', record: receivable({ status: 'CANCELLED' }) }],
      ['a SPLIT receipt', { type: 'WAREHOUSE_RECEIPT', record: receipt({ status: 'SPLIT' }) }],
      ['a DELIVERED receipt', { type: 'WAREHOUSE_RECEIPT', record: receipt({ status: 'DELIVERED' }) }],
    ];
    for (const [what, asset] of wrongState) {
      it(`refuses ${what} with INVALID_STATE`, () => {
        expectDomainError(() => requestFinancing(requestCmd(asset), asset, ACTORS.supplier, MEMBERS.bank, TX), 'INVALID_STATE', asset.record.status);
      });
    }

    const invalid: [string, keyof typeof ASSETS, Partial<Record<keyof RequestFinancingCommand, unknown>>][] = [
      ['a malformed bank', 'VOUCHER', { bank: 'BANK' }],
      ['a zero amount', 'VOUCHER', { requestedAmount: '0' }],
      ['an amount as a number', 'RECEIVABLE', { requestedAmount: 900000 }],
      ['an asset that is not the one loaded', 'VOUCHER', { asset: { type: 'VOUCHER', id: 'VCH-2' } }],
      ['an unknown asset type', 'VOUCHER', { asset: { type: 'BOND', id: 'VCH-1' } }],
      ['a pledge without a due date', 'WAREHOUSE_RECEIPT', { dueDate: undefined }],
      ['a voucher due date other than its maturity', 'VOUCHER', { dueDate: '2025-08-31' }],
      ['an impossible date', 'WAREHOUSE_RECEIPT', { dueDate: '2025-02-30' }],
      ['an id of another asset', 'VOUCHER', { id: 'VCH-9' }],
    ];
    for (const [what, type, patch] of invalid) {
      it(`rejects ${what} with VALIDATION_FAILED`, () => {
        const asset = ASSETS[type]();
        expectDomainError(() => requestFinancing({ ...requestCmd(asset), ...patch } as RequestFinancingCommand, asset, ACTORS.supplier, MEMBERS.bank, TX), 'VALIDATION_FAILED');
      });
    }

    it('refuses a bank that is not a member (NOT_FOUND), not a bank, suspended, or the applicant itself', () => {
      const asset = ASSETS.VOUCHER();
      expectDomainError(() => requestFinancing(requestCmd(asset), asset, ACTORS.supplier, undefined, TX), 'NOT_FOUND');
      expectDomainError(() => requestFinancing(requestCmd(asset, { bank: IDS.core }), asset, ACTORS.supplier, MEMBERS.core, TX), 'BUSINESS_RULE', 'BANK');
      expectDomainError(() => requestFinancing(requestCmd(asset), asset, ACTORS.supplier, { ...MEMBERS.bank, status: 'SUSPENDED' }, TX), 'BUSINESS_RULE', 'SUSPENDED');
      const both = member(IDS.supplier, ['SUPPLIER', 'BANK']);
      expectDomainError(() => requestFinancing(requestCmd(asset, { bank: IDS.supplier }), asset, { ...ACTORS.supplier, member: both }, both, TX), 'BUSINESS_RULE', 'own asset');
    });

    it('refuses more than the face amount, and a pledge above 70% of the valuation', () => {
      const v = ASSETS.VOUCHER();
      expectDomainError(() => requestFinancing(requestCmd(v, { requestedAmount: '1000001' }), v, ACTORS.supplier, MEMBERS.bank, TX), 'BUSINESS_RULE', 'face');
      requestFinancing(requestCmd(v, { requestedAmount: '1000000' }), v, ACTORS.supplier, MEMBERS.bank, TX);
      const w = ASSETS.WAREHOUSE_RECEIPT();
      expectDomainError(() => requestFinancing(requestCmd(w, { requestedAmount: '700001' }), w, ACTORS.supplier, MEMBERS.bank, TX), 'BUSINESS_RULE', '70%');
    });

    it('refuses a voucher or receivable on or after its due date, and a pledge term that has ended', () => {
      const onMaturity = txAt('2025-09-30');
      for (const type of ['VOUCHER', 'RECEIVABLE'] as const) {
        const asset = ASSETS[type]();
        expectDomainError(() => requestFinancing(requestCmd(asset), asset, ACTORS.supplier, MEMBERS.bank, onMaturity), 'BUSINESS_RULE', 'too late');
      }
      const w = ASSETS.WAREHOUSE_RECEIPT();
      expectDomainError(() => requestFinancing(requestCmd(w, { dueDate: TX.today }), w, ACTORS.supplier, MEMBERS.bank, TX), 'BUSINESS_RULE', 'after today');
    });
  });

  describe('approveFinancing', () => {
    it('records the advance and rate and quotes the terms as of today', () => {
      const { financing, asset } = staged('VOUCHER', 'REQUESTED');
      const a = approveFinancing(financing, asset, { advanceAmount: '900000', annualRateBps: 500 }, ACTORS.bank, TX, NO_BREAKER);
      expect(a).to.include({ status: 'APPROVED', advanceAmount: '900000', annualRateBps: 500, approvedAt: TX.now, days: 213, discount: '29583', fee: '16200' });
      expect(financing.status).to.equal('REQUESTED');
    });

    it('lets a checker of the bank approve (any identity of the bank member)', () => {
      const { financing, asset } = staged('RECEIVABLE', 'REQUESTED');
      const checker = { ...ACTORS.bank, identity: { ...ACTORS.bank.identity, userRole: 'CHECKER' as const } };
      expect(approveFinancing(financing, asset, { advanceAmount: '1', annualRateBps: 0 }, checker, TX, NO_BREAKER).status).to.equal('APPROVED');
    });

    const notBank: [string, Actor][] = [
      ['the applicant', ACTORS.supplier],
      ['another bank', ACTORS.bank2],
      ['an auditor', ACTORS.auditor],
      ['the operator', ACTORS.operator],
      ['the bank while suspended', suspended(ACTORS.bank)],
    ];
    for (const [who, actor] of notBank) {
      it(`forbids ${who} to approve, reject, disburse or repay`, () => {
        const r = staged('WAREHOUSE_RECEIPT', 'REQUESTED');
        expectDomainError(() => approveFinancing(r.financing, r.asset, { advanceAmount: '1', annualRateBps: 0 }, actor, TX, NO_BREAKER), 'FORBIDDEN');
        expectDomainError(() => rejectFinancing(r.financing, r.asset, { reason: 'no' }, actor, TX), 'FORBIDDEN');
        const a = staged('WAREHOUSE_RECEIPT', 'APPROVED');
        expectDomainError(() => disburseFinancing(a.financing, a.asset, { paymentRef: 'P' }, actor, TX, NO_BREAKER), 'FORBIDDEN');
        const d = staged('WAREHOUSE_RECEIPT', 'DISBURSED');
        expectDomainError(() => repayFinancing(d.financing, d.asset, { paymentRef: 'P' }, actor, TX), 'FORBIDDEN');
      });
    }

    it('refuses to approve twice, or after rejection or disbursement', () => {
      for (const stage of ['APPROVED', 'DISBURSED'] as const) {
        const s = staged('VOUCHER', stage);
        expectDomainError(() => approveFinancing(s.financing, s.asset, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, TX, NO_BREAKER), 'INVALID_STATE', stage);
      }
      const r = staged('VOUCHER', 'REQUESTED');
      const rejected = rejectFinancing(r.financing, r.asset, { reason: 'no' }, ACTORS.bank, TX);
      expectDomainError(() => approveFinancing(rejected.financing, r.asset, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, TX, NO_BREAKER), 'INVALID_STATE', 'REJECTED');
    });

    it('refuses an advance above the requested amount', () => {
      const { financing, asset } = staged('VOUCHER', 'REQUESTED');
      expectDomainError(() => approveFinancing(financing, asset, { advanceAmount: '900001', annualRateBps: 0 }, ACTORS.bank, TX, NO_BREAKER), 'BUSINESS_RULE', 'requested');
    });

    it('trips the circuit breaker on a voucher whose issuer is overdue, naming ISSUER_OVERDUE', () => {
      const { financing, asset } = staged('VOUCHER', 'REQUESTED');
      expectDomainError(() => approveFinancing(financing, asset, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, TX, { issuerOverdue: true, applicantStatus: 'ACTIVE' }), 'BUSINESS_RULE', 'ISSUER_OVERDUE');
      const rcv = staged('RECEIVABLE', 'REQUESTED');
      expect(approveFinancing(rcv.financing, rcv.asset, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, TX, { issuerOverdue: true, applicantStatus: 'ACTIVE' }).status).to.equal('APPROVED');
    });

    it('refuses an applicant no longer ACTIVE, naming it, and never judges without its status', () => {
      const { financing, asset } = staged('VOUCHER', 'REQUESTED');
      expectDomainError(
        () => approveFinancing(financing, asset, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, TX, { issuerOverdue: false, applicantStatus: 'SUSPENDED' }),
        'BUSINESS_RULE',
        `applicant ${financing.applicant} is SUSPENDED`,
      );
      expect(() => approveFinancing(financing, asset, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, TX, { issuerOverdue: false })).to.throw(/status was not read/);
    });

    it('refuses terms that would cost more than the face amount', () => {
      const a0 = ASSETS.VOUCHER();
      const r = requestFinancing(requestCmd(a0, { requestedAmount: '1000000' }), a0, ACTORS.supplier, MEMBERS.bank, TX);
      // 990,000 + discount 29,583 (5% for 213 days on 1,000,000) + fee 17,820 > 1,000,000
      expectDomainError(() => approveFinancing(r.financing, r.asset, { advanceAmount: '990000', annualRateBps: 500 }, ACTORS.bank, TX, NO_BREAKER), 'BUSINESS_RULE', 'exceeds the face amount');
      expect(approveFinancing(r.financing, r.asset, { advanceAmount: '950000', annualRateBps: 500 }, ACTORS.bank, TX, NO_BREAKER).discount).to.equal('29583');
    });

    it('refuses malformed advances and rates', () => {
      const { financing, asset } = staged('VOUCHER', 'REQUESTED');
      for (const cmd of [
        { advanceAmount: '0', annualRateBps: 1 },
        { advanceAmount: '1.5', annualRateBps: 1 },
        { advanceAmount: '1', annualRateBps: 10_001 },
        { advanceAmount: '1', annualRateBps: 2.5 },
        { advanceAmount: '1', annualRateBps: '500' },
      ]) {
        expectDomainError(() => approveFinancing(financing, asset, cmd as never, ACTORS.bank, TX, NO_BREAKER), 'VALIDATION_FAILED');
      }
    });

    it('refuses a financing that does not hold the asset it names', () => {
      const { financing } = staged('VOUCHER', 'REQUESTED');
      const other: FinancedAsset = { type: 'VOUCHER', record: voucher({ status: 'FINANCING_PENDING', financingId: 'FIN-OTHER' }) };
      expectDomainError(() => approveFinancing(financing, other, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, TX, NO_BREAKER), 'BUSINESS_RULE', 'does not hold');
    });

    for (const [type, due, dayBefore, term] of DUE_DATES) {
      it(`approves a ${type} financing the day before its due date ${due} and refuses it on that date and after (BUSINESS_RULE)`, () => {
        const { financing, asset } = staged(type, 'REQUESTED');
        expect(financing.dueDate).to.equal(due);
        const cmd = { advanceAmount: '1', annualRateBps: 500 };
        const eve = approveFinancing(financing, asset, cmd, ACTORS.bank, txAt(dayBefore), NO_BREAKER);
        expect(eve).to.include({ status: 'APPROVED', days: 1 });
        for (const day of [due, dayAfter(due)]) {
          const err = expectDomainError(() => approveFinancing(financing, asset, cmd, ACTORS.bank, txAt(day), NO_BREAKER), 'BUSINESS_RULE', `too late to approve it on ${day}`);
          expect(err.detail).to.include(`due on ${due}`).and.to.include(term);
        }
      });
    }
  });

  describe('rejectFinancing', () => {
    for (const type of ['VOUCHER', 'RECEIVABLE', 'WAREHOUSE_RECEIPT'] as const) {
      for (const stage of ['REQUESTED', 'APPROVED'] as const) {
        it(`rejects a ${stage} financing on a ${type} and unlocks the asset`, () => {
          const { financing, asset } = staged(type, stage);
          const r = rejectFinancing(financing, asset, { reason: 'collateral insufficient' }, ACTORS.bank, LATER);
          expect(r.financing).to.include({ status: 'REJECTED', rejectionReason: 'collateral insufficient', rejectedAt: LATER.now });
          expect(r.asset.record.status).to.equal(type === 'RECEIVABLE' ? 'CONFIRMED' : 'ACTIVE');
          expect(r.asset.record).to.not.have.property('financingId');
          expectJsonClean(r.asset.record);
        });
      }
    }

    it('cannot reject after disbursement, and needs a reason', () => {
      const d = staged('VOUCHER', 'DISBURSED');
      expectDomainError(() => rejectFinancing(d.financing, d.asset, { reason: 'late' }, ACTORS.bank, LATER), 'INVALID_STATE', 'DISBURSED');
      const r = staged('VOUCHER', 'REQUESTED');
      expectDomainError(() => rejectFinancing(r.financing, r.asset, { reason: ' ' }, ACTORS.bank, LATER), 'VALIDATION_FAILED');
      expectDomainError(() => rejectFinancing(r.financing, r.asset, {} as never, ACTORS.bank, LATER), 'VALIDATION_FAILED');
    });
  });

  describe('withdrawFinancing', () => {
    for (const type of ['VOUCHER', 'RECEIVABLE', 'WAREHOUSE_RECEIPT'] as const) {
      it(`lets the applicant withdraw a REQUESTED financing on a ${type}, unlocking the asset as a rejection does`, () => {
        const { financing, asset } = staged(type, 'REQUESTED');
        const w = withdrawFinancing(financing, asset, { reason: ' bank did not answer ' }, ACTORS.supplier, LATER);
        expect(w.financing).to.deep.equal({
          ...financing,
          status: 'WITHDRAWN',
          withdrawalReason: 'bank did not answer',
          withdrawnAt: LATER.now,
          updatedAt: LATER.now,
          updatedTxId: LATER.txId,
        });
        const rejected = rejectFinancing(financing, asset, { reason: 'x' }, ACTORS.bank, LATER);
        expect(w.asset).to.deep.equal(rejected.asset);
        expect(w.asset.record.status).to.equal(type === 'RECEIVABLE' ? 'CONFIRMED' : 'ACTIVE');
        expect(w.asset.record).to.not.have.property('financingId');
        expect(asset.record.status).to.equal(type === 'WAREHOUSE_RECEIPT' ? 'PLEDGE_PENDING' : 'FINANCING_PENDING');
        expectJsonClean(w.financing);
        expectJsonClean(w.asset.record);
      });
    }

    it('records no reason when none is given', () => {
      const { financing, asset } = staged('VOUCHER', 'REQUESTED');
      for (const cmd of [{}, { reason: undefined }]) {
        const w = withdrawFinancing(financing, asset, cmd, ACTORS.supplier, LATER);
        expect(w.financing).to.include({ status: 'WITHDRAWN', withdrawnAt: LATER.now });
        expect(w.financing).to.not.have.property('withdrawalReason');
        expectJsonClean(w.financing);
      }
    });

    it('leaves a withdrawn financing no longer live, so the asset may be financed again', () => {
      const { financing, asset } = staged('VOUCHER', 'REQUESTED');
      const w = withdrawFinancing(financing, asset, {}, ACTORS.supplier, LATER);
      expect(liveFinancingParties(w.financing)).to.deep.equal([]);
      expect(financingEncumbrance(w.financing)).to.equal(undefined);
      const again = requestFinancing(requestCmd(w.asset, { id: 'FIN-2', bank: IDS.bank2 }), w.asset, ACTORS.supplier, MEMBERS.bank2, LATER, w.financing);
      expect(again.financing).to.include({ id: 'FIN-2', status: 'REQUESTED', bank: IDS.bank2 });
      expect(again.asset.record).to.include({ status: 'FINANCING_PENDING', financingId: 'FIN-2' });
    });

    const notApplicant: [string, Actor][] = [
      ['the bank', ACTORS.bank],
      ['a checker of the bank', { ...ACTORS.bank, identity: { ...ACTORS.bank.identity, userRole: 'CHECKER' as const } }],
      ['another bank', ACTORS.bank2],
      ['another supplier', ACTORS.supplier2],
      ['the issuer / debtor', ACTORS.core],
      ['the warehouse', ACTORS.warehouse],
      ['an auditor', ACTORS.auditor],
      ['the operator', ACTORS.operator],
      ['the applicant while suspended', suspended(ACTORS.supplier)],
    ];
    for (const [who, actor] of notApplicant) {
      it(`forbids ${who} to withdraw`, () => {
        const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'REQUESTED');
        expectDomainError(() => withdrawFinancing(financing, asset, {}, actor, LATER), 'FORBIDDEN');
      });
    }

    it('refuses to withdraw a DISBURSED financing with INVALID_STATE naming it', () => {
      const { financing, asset } = staged('VOUCHER', 'DISBURSED');
      const err = expectDomainError(() => withdrawFinancing(financing, asset, {}, ACTORS.supplier, LATER), 'INVALID_STATE', 'is DISBURSED');
      expect(err.detail).to.include('cannot WITHDRAW');
    });

    for (const [type, due] of DUE_DATES) {
      it(`leaves an APPROVED ${type} financing to the bank for ${DISBURSE_WITHIN_DAYS} days from its approval, then lets the applicant withdraw it`, () => {
        const { financing, asset } = staged(type, 'APPROVED');
        const approvedOn = (financing.approvedAt ?? '').slice(0, 10);
        const lapse = addDays(approvedOn, DISBURSE_WITHIN_DAYS);
        expect(lapse < due, 'the due date is further away').to.equal(true);
        for (const day of [approvedOn, addDays(lapse, -1)]) {
          const err = expectDomainError(() => withdrawFinancing(financing, asset, {}, ACTORS.supplier, txAt(day, 'tx-early')), 'BUSINESS_RULE', `until ${lapse}, when the applicant may withdraw it`);
          expect(err.detail).to.include(`approved by ${IDS.bank} on ${approvedOn}`);
        }
        for (const day of [lapse, due, dayAfter(due)]) {
          const at = txAt(day, 'tx-due');
          const w = withdrawFinancing(financing, asset, { reason: 'the bank approved and never paid' }, ACTORS.supplier, at);
          expect(w.financing).to.include({ status: 'WITHDRAWN', withdrawalReason: 'the bank approved and never paid', withdrawnAt: at.now, updatedTxId: at.txId });
          expect(w.asset).to.deep.equal(rejectFinancing(financing, asset, { reason: 'x' }, ACTORS.bank, at).asset);
          expect(w.asset.record).to.not.have.property('financingId');
          expect(liveFinancingParties(w.financing)).to.deep.equal([]);
        }
        // Still only the applicant, after the due date as before it.
        expectDomainError(() => withdrawFinancing(financing, asset, {}, ACTORS.bank, txAt(due, 'tx-bank')), 'FORBIDDEN');
      });
    }

    it('leaves an APPROVED financing due sooner than that to the bank until its due date', () => {
      const { financing: requested, asset } = staged('WAREHOUSE_RECEIPT', 'REQUESTED');
      const approved = approveFinancing(requested, asset, { advanceAmount: '700000', annualRateBps: 500 }, ACTORS.bank, txAt('2025-05-29', 'tx-approve'), NO_BREAKER);
      expectDomainError(() => withdrawFinancing(approved, asset, {}, ACTORS.supplier, txAt('2025-05-31', 'tx-eve')), 'BUSINESS_RULE', 'until 2025-06-01, when the applicant may withdraw it');
      expect(withdrawFinancing(approved, asset, {}, ACTORS.supplier, txAt('2025-06-01', 'tx-due')).financing.status).to.equal('WITHDRAWN');
    });

    it('refuses to withdraw a rejected or already withdrawn financing with INVALID_STATE', () => {
      const r = staged('RECEIVABLE', 'REQUESTED');
      const rejected = rejectFinancing(r.financing, r.asset, { reason: 'no' }, ACTORS.bank, LATER);
      expectDomainError(() => withdrawFinancing(rejected.financing, r.asset, {}, ACTORS.supplier, LATER), 'INVALID_STATE', 'is REJECTED');
      const withdrawn = withdrawFinancing(r.financing, r.asset, {}, ACTORS.supplier, LATER);
      expectDomainError(() => withdrawFinancing(withdrawn.financing, r.asset, {}, ACTORS.supplier, LATER), 'INVALID_STATE', 'is WITHDRAWN');
      for (const action of ['APPROVE', 'REJECT', 'DISBURSE'] as const) {
        expectDomainError(() => transitionFinancing(withdrawn.financing, action, LATER), 'INVALID_STATE', 'is WITHDRAWN');
      }
    });

    const badReasons: [string, unknown][] = [
      ['a blank reason', '   '],
      ['a reason of 501 characters', 'x'.repeat(501)],
      ['a reason with a control character', 'no\u0007answer'],
      ['a reason that is not a string', 42],
    ];
    for (const [what, reason] of badReasons) {
      it(`rejects ${what} with VALIDATION_FAILED`, () => {
        const { financing, asset } = staged('VOUCHER', 'REQUESTED');
        expectDomainError(() => withdrawFinancing(financing, asset, { reason } as never, ACTORS.supplier, LATER), 'VALIDATION_FAILED', 'reason');
      });
    }

    it('refuses a financing that does not hold the asset it names', () => {
      const { financing } = staged('VOUCHER', 'REQUESTED');
      const other: FinancedAsset = { type: 'VOUCHER', record: voucher({ status: 'FINANCING_PENDING', financingId: 'FIN-OTHER' }) };
      expectDomainError(() => withdrawFinancing(financing, other, {}, ACTORS.supplier, LATER), 'BUSINESS_RULE', 'does not hold');
    });
  });

  describe('disburseFinancing', () => {
    it('assigns a voucher to the bank (FINANCED, holder = bank, same tier) and fixes the terms at disbursement', () => {
      const { financing, asset } = staged('VOUCHER', 'APPROVED');
      const d = disburseFinancing(financing, asset, { paymentRef: 'CNAPS-7' }, ACTORS.bank, LATER, NO_BREAKER);
      expect(d.financing).to.include({ status: 'DISBURSED', paymentRef: 'CNAPS-7', disbursedAt: LATER.now, days: 182, discount: '25278', fee: '16200' });
      const v = d.asset.record as Voucher;
      expect(v).to.include({ status: 'FINANCED', holder: IDS.bank, tier: 0, financingId: 'FIN-1' });
    });

    it('assigns a receivable to the bank (FINANCED, assignee = bank)', () => {
      const { financing, asset } = staged('RECEIVABLE', 'APPROVED');
      const d = disburseFinancing(financing, asset, { paymentRef: 'P' }, ACTORS.bank, TX, NO_BREAKER);
      expect(d.asset.record).to.include({ status: 'FINANCED', assignee: IDS.bank, creditor: IDS.supplier, financingId: 'FIN-1' });
    });

    it('pledges a receipt to the bank (PLEDGED, pledgee = bank) with interest on the advance for the term', () => {
      const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'APPROVED');
      const d = disburseFinancing(financing, asset, { paymentRef: 'P' }, ACTORS.bank, TX, NO_BREAKER);
      expect(d.asset.record).to.include({ status: 'PLEDGED', pledgee: IDS.bank, owner: IDS.supplier, financingId: 'FIN-1' });
      // 700,000 × 500 bps × 92 days / 3,600,000 = 8,944.4
      expect(d.financing).to.include({ days: 92, discount: '8944', fee: '12600' });
    });

    it('refuses to disburse before approval or twice', () => {
      const r = staged('VOUCHER', 'REQUESTED');
      expectDomainError(() => disburseFinancing(r.financing, r.asset, { paymentRef: 'P' }, ACTORS.bank, TX, NO_BREAKER), 'INVALID_STATE', 'REQUESTED');
      const d = staged('VOUCHER', 'DISBURSED');
      expectDomainError(() => disburseFinancing(d.financing, d.asset, { paymentRef: 'P' }, ACTORS.bank, TX, NO_BREAKER), 'INVALID_STATE', 'DISBURSED');
    });

    it('checks the circuit breaker and the caps again', () => {
      const a = staged('VOUCHER', 'APPROVED');
      expectDomainError(() => disburseFinancing(a.financing, a.asset, { paymentRef: 'P' }, ACTORS.bank, TX, { issuerOverdue: true, applicantStatus: 'ACTIVE' }), 'BUSINESS_RULE', 'ISSUER_OVERDUE');
      const tooMuch: Financing = { ...a.financing, advanceAmount: '990000' };
      expectDomainError(() => disburseFinancing(tooMuch, a.asset, { paymentRef: 'P' }, ACTORS.bank, TX, NO_BREAKER), 'BUSINESS_RULE', 'face');
      const w = staged('WAREHOUSE_RECEIPT', 'APPROVED');
      expectDomainError(() => disburseFinancing({ ...w.financing, advanceAmount: '700001' }, w.asset, { paymentRef: 'P' }, ACTORS.bank, TX, NO_BREAKER), 'BUSINESS_RULE', '70%');
    });

    for (const [type, due, dayBefore, term] of DUE_DATES) {
      it(`disburses an approved ${type} financing the day before its due date ${due} (one day of terms) and refuses it on that date and after`, () => {
        const { financing, asset } = staged(type, 'APPROVED');
        const d = disburseFinancing(financing, asset, { paymentRef: 'P' }, ACTORS.bank, txAt(dayBefore), NO_BREAKER);
        expect(d.financing).to.include({ status: 'DISBURSED', days: 1 });
        for (const day of [due, dayAfter(due)]) {
          const err = expectDomainError(() => disburseFinancing(financing, asset, { paymentRef: 'P' }, ACTORS.bank, txAt(day), NO_BREAKER), 'BUSINESS_RULE', `too late to disburse it on ${day}`);
          expect(err.detail).to.include(term);
        }
      });
    }

    it('refuses the pledge seizure sequence: a token advance approved before the loan falls due cannot be disbursed after it, so the goods cannot be enforced', () => {
      const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'REQUESTED');
      const approved = approveFinancing(financing, asset, { advanceAmount: '1', annualRateBps: 0 }, ACTORS.bank, txAt('2025-05-31'), NO_BREAKER);
      expectDomainError(() => disburseFinancing(approved, asset, { paymentRef: 'P' }, ACTORS.bank, txAt('2025-06-02'), NO_BREAKER), 'BUSINESS_RULE', 'too late to disburse');
      // The receipt is still only PLEDGE_PENDING: there is nothing to enforce.
      expectDomainError(() => enforcePledge(asset.record as WarehouseReceipt, approved, ACTORS.bank, txAt('2025-06-02')), 'INVALID_STATE', 'PLEDGE_PENDING');
      // The bank may still reject, which hands the receipt back to its owner.
      const r = rejectFinancing(approved, asset, { reason: 'term over' }, ACTORS.bank, txAt('2025-06-02'));
      expect(r.asset.record).to.include({ status: 'ACTIVE', owner: IDS.supplier });
    });

    it('needs a payment reference', () => {
      const a = staged('VOUCHER', 'APPROVED');
      expectDomainError(() => disburseFinancing(a.financing, a.asset, { paymentRef: '' }, ACTORS.bank, TX, NO_BREAKER), 'VALIDATION_FAILED');
    });
  });

  describe('repayment', () => {
    it('repays a pledge: the financing is REPAID and the receipt released', () => {
      const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'DISBURSED');
      const r = repayFinancing(financing, asset, { paymentRef: 'REPAY-1' }, ACTORS.bank, LATER);
      expect(r.financing).to.include({ status: 'REPAID', repaymentRef: 'REPAY-1', repaidAt: LATER.now });
      expect(r.asset.record.status).to.equal('ACTIVE');
      expect(r.asset.record).to.not.have.property('pledgee');
      expect(r.asset.record).to.not.have.property('financingId');
    });

    it('refuses direct repayment of a discounted voucher or receivable (their debtor settles them)', () => {
      for (const type of ['VOUCHER', 'RECEIVABLE'] as const) {
        const { financing, asset } = staged(type, 'DISBURSED');
        expectDomainError(() => repayFinancing(financing, asset, { paymentRef: 'R' }, ACTORS.bank, LATER), 'BUSINESS_RULE', 'Settle');
      }
    });

    it('refuses to repay what was not disbursed', () => {
      const a = staged('WAREHOUSE_RECEIPT', 'APPROVED');
      expectDomainError(() => repayFinancing(a.financing, a.asset, { paymentRef: 'R' }, ACTORS.bank, LATER), 'INVALID_STATE', 'APPROVED');
    });

    it('marks a discounted voucher financing REPAID by the settlement of the piece', () => {
      const { financing, asset } = staged('VOUCHER', 'DISBURSED');
      const repaidFin = repaidBySettlement(financing, asset, 'SETTLE-1', LATER);
      expect(repaidFin).to.include({ status: 'REPAID', repaymentRef: 'SETTLE-1', repaidAt: LATER.now });
      const other: FinancedAsset = { type: 'VOUCHER', record: voucher({ id: 'VCH-2', status: 'FINANCED', financingId: 'FIN-1' }) };
      expectDomainError(() => repaidBySettlement(financing, other, 'S', LATER), 'BUSINESS_RULE', 'not on voucher VCH-2');
      const r = staged('VOUCHER', 'APPROVED');
      expectDomainError(() => repaidBySettlement(r.financing, r.asset, 'S', LATER), 'INVALID_STATE');
    });

    it('lets the debtor settle a factored receivable on its due date, paying the assignee bank', () => {
      const { financing, asset } = staged('RECEIVABLE', 'DISBURSED');
      const rcv = asset.record as Receivable;
      const due = txAt('2025-09-30', 'tx-due');
      const s = settleFactoredReceivable(rcv, financing, { paymentRef: 'PAY-DEBTOR' }, ACTORS.core, due);
      expect(s.receivable).to.include({ status: 'SETTLED', settledTo: IDS.bank, settledAmount: '1000000', paymentRef: 'PAY-DEBTOR', settledAt: due.now });
      expect(s.financing).to.include({ status: 'REPAID', repaymentRef: 'PAY-DEBTOR' });
      expectDomainError(() => settleFactoredReceivable(rcv, financing, { paymentRef: 'P' }, ACTORS.core, txAt('2025-09-29')), 'BUSINESS_RULE', 'falls due');
      for (const actor of [ACTORS.supplier, ACTORS.bank, ACTORS.core2, suspended(ACTORS.core)]) {
        expectDomainError(() => settleFactoredReceivable(rcv, financing, { paymentRef: 'P' }, actor, due), 'FORBIDDEN');
      }
      expectDomainError(() => settleFactoredReceivable(receivable(), undefined, { paymentRef: 'P' }, ACTORS.core, due), 'INVALID_STATE', 'CONFIRMED');
    });
  });

  describe('expiry at settlement (expiredBySettlement)', () => {
    const ON_DUE = txAt('2025-09-30', 'tx-settle');
    for (const stage of ['REQUESTED', 'APPROVED'] as const) {
      it(`closes a voucher financing still ${stage} as EXPIRED from the maturity on, leaving it no longer live`, () => {
        const { financing, asset } = staged('VOUCHER', stage);
        for (const tx of [ON_DUE, txAt('2025-10-08', 'tx-late')]) {
          const e = expiredBySettlement(financing, asset, tx);
          expect(e).to.deep.equal({ ...financing, status: 'EXPIRED', expiredAt: tx.now, updatedAt: tx.now, updatedTxId: tx.txId });
          expect(liveFinancingParties(e)).to.deep.equal([]);
          expect(financingEncumbrance(e)).to.equal(undefined);
          expectJsonClean(e);
        }
        expect(financing.status).to.equal(stage);
      });
    }

    it('refuses to expire a financing before its due date (BUSINESS_RULE)', () => {
      const { financing, asset } = staged('VOUCHER', 'APPROVED');
      expectDomainError(() => expiredBySettlement(financing, asset, txAt('2025-09-29')), 'BUSINESS_RULE', 'does not expire on 2025-09-29');
    });

    it('refuses a disbursed or closed financing with INVALID_STATE (a disbursed one is repaid by the settlement instead)', () => {
      const d = staged('VOUCHER', 'DISBURSED');
      expectDomainError(() => expiredBySettlement(d.financing, d.asset, ON_DUE), 'INVALID_STATE', 'is DISBURSED');
      const r = staged('VOUCHER', 'REQUESTED');
      const rejected = rejectFinancing(r.financing, r.asset, { reason: 'no' }, ACTORS.bank, TX);
      expectDomainError(() => expiredBySettlement(rejected.financing, r.asset, ON_DUE), 'INVALID_STATE', 'is REJECTED');
      const expired = expiredBySettlement(r.financing, r.asset, ON_DUE);
      for (const action of ['APPROVE', 'REJECT', 'WITHDRAW', 'DISBURSE', 'EXPIRE'] as const) {
        expectDomainError(() => transitionFinancing(expired, action, ON_DUE), 'INVALID_STATE', 'is EXPIRED');
      }
    });

    it('refuses a pledge (no settlement closes it) and a financing that does not hold the asset', () => {
      const p = staged('WAREHOUSE_RECEIPT', 'REQUESTED');
      expectDomainError(() => expiredBySettlement(p.financing, p.asset, txAt('2025-06-01')), 'BUSINESS_RULE', 'pledge');
      const { financing } = staged('VOUCHER', 'REQUESTED');
      const other: FinancedAsset = { type: 'VOUCHER', record: voucher({ id: 'VCH-2', status: 'FINANCING_PENDING', financingId: 'FIN-1' }) };
      expectDomainError(() => expiredBySettlement(financing, other, ON_DUE), 'BUSINESS_RULE', 'does not hold');
      const unlocked: FinancedAsset = { type: 'VOUCHER', record: voucher() };
      expectDomainError(() => expiredBySettlement(financing, unlocked, ON_DUE), 'BUSINESS_RULE', 'does not hold');
    });
  });

  describe('pledges: release and enforcement', () => {
    it('releases a pledge without a payment reference (warehouse:Release)', () => {
      const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'DISBURSED');
      const r = releasePledge(asset.record as WarehouseReceipt, financing, undefined, ACTORS.bank, LATER);
      expect(r.receipt.status).to.equal('ACTIVE');
      expect(r.financing.status).to.equal('REPAID');
      expect(r.financing).to.not.have.property('repaymentRef');
    });

    it('refuses release and enforcement by anyone but the pledgee, and of an unpledged receipt', () => {
      const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'DISBURSED');
      const rec = asset.record as WarehouseReceipt;
      const after = txAt('2025-06-02');
      for (const actor of [ACTORS.supplier, ACTORS.bank2, ACTORS.warehouse, ACTORS.auditor]) {
        expectDomainError(() => releasePledge(rec, financing, undefined, actor, LATER), 'FORBIDDEN');
        expectDomainError(() => enforcePledge(rec, financing, actor, after), 'FORBIDDEN');
      }
      const pending = staged('WAREHOUSE_RECEIPT', 'REQUESTED');
      expectDomainError(() => releasePledge(pending.asset.record as WarehouseReceipt, pending.financing, undefined, ACTORS.bank, LATER), 'INVALID_STATE', 'PLEDGE_PENDING');
      expectDomainError(() => enforcePledge(pending.asset.record as WarehouseReceipt, pending.financing, ACTORS.bank, after), 'INVALID_STATE', 'PLEDGE_PENDING');
    });

    it('enforces only after the loan due date has passed: the bank owns the goods, the financing is ENFORCED', () => {
      const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'DISBURSED');
      const rec = asset.record as WarehouseReceipt;
      expectDomainError(() => enforcePledge(rec, financing, ACTORS.bank, txAt('2025-06-01')), 'BUSINESS_RULE', 'not in default');
      const after = txAt('2025-06-02', 'tx-enforce');
      const e = enforcePledge(rec, financing, ACTORS.bank, after);
      expect(e.receipt).to.include({ status: 'ACTIVE', owner: IDS.bank });
      expect(e.receipt).to.not.have.property('pledgee');
      expect(e.financing).to.include({ status: 'ENFORCED', enforcedAt: after.now });
    });

    it('cannot enforce a repaid pledge', () => {
      const { financing, asset } = staged('WAREHOUSE_RECEIPT', 'DISBURSED');
      const repaidFin = { ...financing, status: 'REPAID' as const };
      expectDomainError(() => enforcePledge(asset.record as WarehouseReceipt, repaidFin, ACTORS.bank, txAt('2025-07-01')), 'INVALID_STATE', 'REPAID');
    });
  });

  describe('reading and encumbrances', () => {
    it('shows a financing to its applicant, its bank, auditors and operators only', () => {
      const { financing } = staged('VOUCHER', 'REQUESTED');
      for (const a of [ACTORS.supplier, ACTORS.bank, ACTORS.auditor, ACTORS.operator]) expect(canReadFinancing(a, financing)).to.equal(true);
      for (const a of [ACTORS.supplier2, ACTORS.bank2, ACTORS.core, ACTORS.warehouse]) expect(canReadFinancing(a, financing)).to.equal(false);
    });

    it('makes the applicant and bank of a live financing parties of the asset, and only while it is live', () => {
      for (const stage of ['REQUESTED', 'APPROVED', 'DISBURSED'] as const) {
        const { financing } = staged('VOUCHER', stage);
        expect(liveFinancingParties(financing)).to.deep.equal([IDS.supplier, IDS.bank]);
        expect(financingEncumbrance(financing)).to.deep.equal({ type: 'FINANCING', id: 'FIN-1', status: stage, party: IDS.bank, txId: financing.updatedTxId, at: financing.updatedAt });
      }
      for (const status of ['REJECTED', 'WITHDRAWN', 'EXPIRED', 'REPAID', 'ENFORCED'] as const) {
        const f = { ...staged('VOUCHER', 'REQUESTED').financing, status };
        expect(liveFinancingParties(f)).to.deep.equal([]);
        expect(financingEncumbrance(f)).to.equal(undefined);
      }
      expect(liveFinancingParties(undefined)).to.deep.equal([]);
    });

    it('refuses to let a factored receivable back a voucher, with DOUBLE_FINANCING', () => {
      expectDomainError(() => assertNotFactored(receivable({ status: 'FINANCED', financingId: 'FIN-9', assignee: IDS.bank })), 'DOUBLE_FINANCING', 'FIN-9');
      expectDomainError(() => assertNotFactored(receivable({ status: 'FINANCING_PENDING', financingId: 'FIN-9' })), 'DOUBLE_FINANCING', 'FIN-9');
      assertNotFactored(receivable());
    });
  });
});
