import { expect } from 'chai';
import { assertLineage, buildProvenance, REASON_CODES, type Encumbrance, type ProvenanceInput } from '../../../chaincode/src/domain/provenance';
import type { Receivable, Voucher } from '../../../chaincode/src/domain/types';
import { grantCreditLine } from '../../../chaincode/src/domain/credit-lines';
import { issueVoucher, splitVoucher, transferVoucher } from '../../../chaincode/src/domain/vouchers';
import { ACTORS, deepFreeze, expectDomainError, expectJsonClean, fp, IDS, MEMBERS, receivable, txAt } from './fixtures';

const ISSUE_TX = txAt('2025-03-01', 'tx-issue');
const TRANSFER_TX = txAt('2025-03-05', 'tx-transfer');
const SPLIT_TX = txAt('2025-03-09', 'tx-split');
const MATURITY = '2025-09-30';

/** VCH-P issued to supplier; 600000 transferred to supplier2 (VCH-P.1), who splits it; the piece asked about is VCH-P.1.2. */
function tree(): { rcv: Receivable; root: Voucher; mid: Voucher; piece: Voucher; keep: Voucher } {
  const confirmed = receivable({ id: 'RCV-P', documents: [{ kind: 'INVOICE', fingerprint: fp(1) }, { kind: 'CONTRACT', fingerprint: fp(2) }] });
  const issued = issueVoucher(confirmed, { id: 'VCH-P', amount: '1000000', maturityDate: MATURITY }, ACTORS.core, ISSUE_TX);
  const t = transferVoucher(issued.voucher, { to: IDS.supplier2, amount: '600000' }, ACTORS.supplier, MEMBERS.supplier2, TRANSFER_TX);
  const s = splitVoucher(t.children[0] as Voucher, ['200000', '400000'], ACTORS.supplier2, SPLIT_TX);
  return deepFreeze({ rcv: issued.receivable, root: t.voucher, mid: s.voucher, piece: s.children[1] as Voucher, keep: t.children[1] as Voucher });
}

function input(overrides: Partial<ProvenanceInput> = {}): ProvenanceInput {
  const { rcv, root, mid, piece } = tree();
  return { piece, lineage: [piece, mid, root], receivable: rcv, encumbrances: [], asker: ACTORS.bank, today: '2025-04-01', issuerOverdue: false, ...overrides };
}

const financing = (overrides: Partial<Encumbrance> = {}): Encumbrance => ({ type: 'FINANCING', id: 'FIN-1', status: 'REQUESTED', party: IDS.bank, ...overrides });

describe('domain/provenance', () => {
  describe("the asking bank's credit line", () => {
    const bankLine = (currency: string) =>
      grantCreditLine({ kind: 'FINANCING', obligor: IDS.core, limit: '300000', validTo: '2025-12-31', currency, id: 'CRL-P' }, ACTORS.bank, MEMBERS.core, undefined, txAt('2025-03-01'));

    it('gives the advance the line allows on the piece, and the whole piece beyond it as CREDIT_LINE_EXCEEDED', () => {
      const p = buildProvenance(input({ askerLine: { line: bankLine('CNY'), heldForPiece: 0n } }));
      expect(p.verdict).to.deep.equal({ financeable: false, reasons: ['CREDIT_LINE_EXCEEDED'] });
      expect(p.creditLine).to.deep.equal({ id: 'CRL-P', status: 'ACTIVE', limit: '300000', used: '0', headroom: '300000', advanceWithin: '300000' });
    });

    it('allows nothing on a line in another currency than the piece (an approval would be refused), and says the line is unavailable', () => {
      const p = buildProvenance(input({ askerLine: { line: bankLine('USD'), heldForPiece: 0n } }));
      expect(p.verdict).to.deep.equal({ financeable: false, reasons: ['CREDIT_LINE_UNAVAILABLE'] });
      expect(p.creditLine).to.include({ headroom: '300000', advanceWithin: '0' });
    });
  });

  it('traces a piece to its root, the issuance and the confirmed receivable, and finds it financeable', () => {
    const p = buildProvenance(input());
    expect(p.voucherId).to.equal('VCH-P.1.2');
    expect(p.rootId).to.equal('VCH-P');
    expect(p.lineage).to.deep.equal([
      { id: 'VCH-P.1.2', holder: IDS.supplier2, amount: '400000', tier: 1, status: 'ACTIVE', txId: 'tx-split', at: SPLIT_TX.now, createdTxId: 'tx-split', createdAt: SPLIT_TX.now },
      { id: 'VCH-P.1', holder: IDS.supplier2, amount: '600000', tier: 1, status: 'SPLIT', txId: 'tx-split', at: SPLIT_TX.now, createdTxId: 'tx-transfer', createdAt: TRANSFER_TX.now },
      { id: 'VCH-P', holder: IDS.supplier, amount: '1000000', tier: 0, status: 'SPLIT', txId: 'tx-transfer', at: TRANSFER_TX.now, createdTxId: 'tx-issue', createdAt: ISSUE_TX.now },
    ]);
    expect(p.issuance).to.deep.equal({
      voucherId: 'VCH-P',
      issuer: IDS.core,
      to: IDS.supplier,
      amount: '1000000',
      currency: 'CNY',
      maturityDate: MATURITY,
      txId: 'tx-issue',
      at: ISSUE_TX.now,
    });
    expect(p.receivable).to.deep.equal({
      id: 'RCV-P',
      debtor: IDS.core,
      creditor: IDS.supplier,
      amount: '1000000',
      currency: 'CNY',
      dueDate: '2025-09-30',
      status: 'VOUCHERED',
      confirmedTxId: 'tx-confirm',
      confirmedAt: '2025-02-01T00:00:00Z',
      documents: [
        { kind: 'INVOICE', fingerprint: fp(1) },
        { kind: 'CONTRACT', fingerprint: fp(2) },
      ],
    });
    expect(p.encumbrances).to.deep.equal([]);
    expect(p.verdict).to.deep.equal({ financeable: true, reasons: [] });
    expectJsonClean(p);
  });

  it('does not count the asking bank’s own open request against the piece', () => {
    const { piece } = input();
    const pending: Voucher = { ...piece, status: 'FINANCING_PENDING' };
    for (const status of ['REQUESTED', 'APPROVED']) {
      const p = buildProvenance(input({ piece: pending, lineage: [pending, ...input().lineage.slice(1)], encumbrances: [financing({ status })] }));
      expect(p.verdict, status).to.deep.equal({ financeable: true, reasons: [] });
      expect(p.encumbrances).to.deep.equal([financing({ status })]);
    }
  });

  const against: [string, () => Partial<ProvenanceInput>, string[]][] = [
    ['the maturity date has come', () => ({ today: MATURITY }), ['MATURED']],
    ['the issuer has an overdue voucher', () => ({ issuerOverdue: true }), ['ISSUER_OVERDUE']],
    ['the piece is frozen', () => ({ frozen: true }), ['FROZEN']],
    ['a freeze encumbers the piece', () => ({ encumbrances: [{ type: 'FREEZE', id: 'FRZ-1', status: 'ACTIVE', party: IDS.operator }] }), ['FROZEN']],
    ['another bank has an open request on it', () => ({ encumbrances: [financing({ party: IDS.bank2 })] }), ['ALREADY_FINANCED']],
    ['the asking bank has already disbursed on it', () => ({ encumbrances: [financing({ status: 'DISBURSED' })] }), ['ALREADY_FINANCED']],
    [
      'the piece awaits financing at another bank',
      () => {
        const i = input();
        const pending = { ...i.piece, status: 'FINANCING_PENDING' as const };
        return { piece: pending, lineage: [pending, ...i.lineage.slice(1)] };
      },
      ['ALREADY_FINANCED'],
    ],
    [
      'the piece is FINANCED',
      () => {
        const i = input();
        const financed = { ...i.piece, status: 'FINANCED' as const, holder: IDS.bank2 };
        return { piece: financed, lineage: [financed, ...i.lineage.slice(1)] };
      },
      ['ALREADY_FINANCED'],
    ],
    ['the piece is SPLIT', () => ({ piece: input().lineage[1], lineage: input().lineage.slice(1) }), ['NOT_ACTIVE']],
    [
      'the piece is SETTLED, after maturity',
      () => {
        const i = input();
        const settled = { ...i.piece, status: 'SETTLED' as const };
        return { piece: settled, lineage: [settled, ...i.lineage.slice(1)], today: '2025-10-01' };
      },
      ['NOT_ACTIVE', 'MATURED'],
    ],
    [
      'the receivable is not confirmed',
      () => {
        const pending: Receivable = { ...input().receivable, status: 'PENDING' };
        delete pending.confirmedTxId;
        delete pending.confirmedAt;
        return { receivable: pending };
      },
      ['RECEIVABLE_NOT_CONFIRMED'],
    ],
    ['a step of the lineage is missing', () => ({ lineage: [input().piece, input().lineage[2] as Voucher] }), ['LINEAGE_BROKEN']],
    ['the lineage starts at another piece', () => ({ lineage: input().lineage.slice(1) }), ['LINEAGE_BROKEN']],
    ['the root is backed by another receivable', () => ({ receivable: { ...input().receivable, id: 'RCV-X' } }), ['LINEAGE_BROKEN']],
    [
      'everything is wrong at once',
      () => ({ today: '2025-10-01', issuerOverdue: true, frozen: true, encumbrances: [financing({ party: IDS.bank2 })] }),
      ['ALREADY_FINANCED', 'MATURED', 'ISSUER_OVERDUE', 'FROZEN'],
    ],
  ];
  for (const [what, overrides, reasons] of against) {
    it(`is not financeable when ${what} (${reasons.join(', ')})`, () => {
      const p = buildProvenance(input(overrides()));
      expect(p.verdict).to.deep.equal({ financeable: false, reasons });
    });
  }

  it('reports reasons in one fixed order', () => {
    expect(REASON_CODES).to.include.members(['NOT_ACTIVE', 'MATURED', 'ISSUER_OVERDUE', 'ALREADY_FINANCED', 'FROZEN', 'RECEIVABLE_NOT_CONFIRMED']);
  });

  describe('assertLineage', () => {
    it('accepts a lineage from a piece to its root', () => {
      const { lineage } = input();
      expect(() => assertLineage(lineage, 'RCV-P')).not.to.throw();
      expect(() => assertLineage([tree().root], 'RCV-P')).not.to.throw();
    });

    it('accepts a root that has changed holder whole (tier 1)', () => {
      const issued = issueVoucher(receivable(), { id: 'VCH-W', amount: '1000', maturityDate: MATURITY }, ACTORS.core, ISSUE_TX);
      const moved = transferVoucher(issued.voucher, { to: IDS.supplier2, amount: '1000' }, ACTORS.supplier, MEMBERS.supplier2, TRANSFER_TX).voucher;
      expect(moved.tier).to.equal(1);
      expect(() => assertLineage([moved], 'RCV-1')).not.to.throw();
    });

    const broken: [string, () => Voucher[], string][] = [
      ['an empty lineage', () => [], 'empty'],
      ['a step whose parent is not the next step', () => { const { piece, root } = tree(); return [piece, root]; }, 'parent'],
      ['a parent that is not SPLIT', () => { const { piece, mid, root } = tree(); return [piece, { ...mid, status: 'ACTIVE' }, root]; }, 'does not list'],
      ['a parent that does not list the child', () => { const { piece, mid, root } = tree(); return [piece, { ...mid, childIds: ['VCH-P.1.1'] }, root]; }, 'does not list'],
      ['a step of another tree', () => { const { piece, mid, root } = tree(); return [{ ...piece, rootId: 'VCH-Q' }, mid, root]; }, 'VCH-Q'],
      ['a lineage that stops short of the root', () => { const { piece, mid } = tree(); return [piece, mid]; }, 'traces to VCH-P'],
      ['a last step that has a parent', () => { const { mid } = tree(); return [{ ...mid, rootId: mid.id }]; }, 'not a root'],
      ['a child above its parent’s tier', () => { const { piece, mid, root } = tree(); return [{ ...piece, tier: 0 }, mid, root]; }, 'below'],
    ];
    for (const [what, build, detail] of broken) {
      it(`refuses ${what}`, () => {
        expectDomainError(() => assertLineage(build(), 'RCV-P'), 'BUSINESS_RULE', detail);
      });
    }

    it('refuses a root backed by another receivable', () => {
      expectDomainError(() => assertLineage(input().lineage, 'RCV-OTHER'), 'BUSINESS_RULE', 'RCV-OTHER');
    });
  });

  it('keeps the unsplit remainder traceable too', () => {
    const { keep, root } = tree();
    const p = buildProvenance(input({ piece: keep, lineage: [keep, root] }));
    expect(p.lineage.map((s) => s.id)).to.deep.equal(['VCH-P.2', 'VCH-P']);
    expect(p.verdict.financeable).to.equal(true);
  });
});
