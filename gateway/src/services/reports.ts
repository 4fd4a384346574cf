import { todayOf } from '../../../chaincode/src/domain/dates';
import type { Financing } from '../../../chaincode/src/domain/financing';
import type { Actor, Receivable, Voucher } from '../../../chaincode/src/domain/types';
import { LedgerError } from '../ledger/ledger';
import {
  ageing,
  type Ageing,
  type CreditLineFigures,
  exposure,
  type Exposure,
  exposureKey,
  maturityLadder,
  type MaturityLadder,
  obligorOf,
} from '../reports/compute';
import { loadMaturityFigures, loadPortfolio, mapBounded, OUTSTANDING_FINANCING, READ_CONCURRENCY } from '../reports/portfolio';
import { SEE_ALL } from '../visibility';
import type { CallContext, LedgerCalls } from './calls';

/**
 * The seam for credit lines (issue 16, built in parallel): given the pairs
 * the exposure report found, the line each bank granted each obligor, read
 * as the caller. Until one is passed to ReportService the report says
 * `creditLines: false` and leaves those columns empty.
 */
export interface CreditLineLookup {
  lines(ctx: CallContext, pairs: ReadonlyArray<{ bank: string; obligor: string; currency: string }>): Promise<Array<CreditLineFigures & { bank: string; obligor: string }>>;
}

const NOT_VISIBLE = '(not visible)';

/**
 * Reports (issue 17; DESIGN.md section 8): maturity ladder, ageing and
 * exposure over what the caller may see (AUDITOR and OPERATOR: everything),
 * as of the ledger's date.
 */
export class ReportService {
  constructor(
    private readonly calls: LedgerCalls,
    /** The ledger's time (the sandbox clock's on the embedded ledger). */
    private readonly now: () => Date,
    private readonly creditLines?: CreditLineLookup,
  ) {}

  // Vouchers come as maturity figures (voucher:Maturities): the chaincode sums each page,
  // so a report over 100,000 pieces moves a few hundred figures, not the records.
  async maturityLadder(ctx: CallContext, filter: { issuer?: string | undefined } = {}): Promise<MaturityLadder> {
    await this.member(ctx);
    const vouchers = await loadMaturityFigures(this.calls, ctx);
    return maturityLadder(filter.issuer === undefined ? vouchers : vouchers.filter((v) => v.issuer === filter.issuer), this.today());
  }

  async ageing(ctx: CallContext): Promise<Ageing> {
    const scope = await this.member(ctx);
    const [vouchers, { receivables }] = await Promise.all([
      loadMaturityFigures(this.calls, ctx),
      loadPortfolio(this.calls, ctx, scope, { only: ['receivables'] }),
    ]);
    return ageing(vouchers, receivables, this.today());
  }

  async exposure(ctx: CallContext): Promise<Exposure> {
    // Only the financings are listed; each one's asset is read by id, as the caller (a few
    // hundred reads, READ_CONCURRENCY at a time, instead of listing every voucher to find
    // the financed ones).
    const listed = (await this.portfolio(ctx, ['financings'])).financings;
    const obligors = new Map<string, string>();
    const empty = new Map();
    const found = await mapBounded(listed, READ_CONCURRENCY, async (f) => {
      const obligor = obligorOf(f, empty, empty) ?? (await this.obligorById(ctx, f));
      if (obligor !== undefined) obligors.set(f.id, obligor);
      // The asset stopped being readable after the list was read: its financing may have
      // ended since (the voucher settled, the financing REPAID). Asked again, it is left
      // out if so, and shown under NOT_VISIBLE only while it is still outstanding.
      return obligor !== undefined || (await this.stillOutstanding(ctx, f)) ? [f] : [];
    });
    const financings = found.flat();
    const obligor = (f: Financing) => obligors.get(f.id) ?? NOT_VISIBLE;
    let lines: Map<string, CreditLineFigures | undefined> | undefined;
    if (this.creditLines) {
      // Only obligors read from an asset are member ids: NOT_VISIBLE is never looked up.
      const known = financings.filter((f) => obligors.has(f.id));
      const pairs = [...new Map(known.map((f) => [exposureKey(f.bank, obligor(f), f.currency), { bank: f.bank, obligor: obligor(f), currency: f.currency }])).values()];
      lines = new Map(pairs.map((p) => [exposureKey(p.bank, p.obligor, p.currency), undefined]));
      for (const l of await this.creditLines.lines(ctx, pairs)) lines.set(exposureKey(l.bank, l.obligor, l.currency), l);
    }
    return exposure(financings, obligor, this.today(), lines);
  }

  private today(): string {
    return todayOf(this.now().toISOString());
  }

  private async portfolio(ctx: CallContext, only: ReadonlyArray<'vouchers' | 'receivables' | 'financings'>) {
    return loadPortfolio(this.calls, ctx, await this.member(ctx), { only });
  }

  /** The caller's scope; FORBIDDEN unless its member is ACTIVE. */
  private async member(ctx: CallContext): Promise<{ reader: boolean; memberId: string }> {
    const { member } = await this.calls.read<Actor>(ctx, 'member:WhoAmI', {});
    if (member.status !== 'ACTIVE') throw new LedgerError('FORBIDDEN', `member ${member.id} is ${member.status}`);
    return { reader: member.roles.some((r) => SEE_ALL.has(r)), memberId: member.id };
  }

  /** The obligor read from the financed asset, as the caller; undefined when the asset is NOT_FOUND to it. */
  private async obligorById(ctx: CallContext, f: Financing): Promise<string | undefined> {
    try {
      if (f.asset.type === 'VOUCHER') return (await this.calls.read<Voucher>(ctx, 'voucher:Get', { id: f.asset.id })).issuer;
      if (f.asset.type === 'RECEIVABLE') return (await this.calls.read<Receivable>(ctx, 'receivable:Get', { id: f.asset.id })).debtor;
    } catch (err) {
      if (err instanceof LedgerError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
    return f.applicant;
  }

  /** Whether a financing listed as outstanding still is, read again as the caller. */
  private async stillOutstanding(ctx: CallContext, f: Financing): Promise<boolean> {
    try {
      const now = await this.calls.read<Financing>(ctx, 'financing:Get', { id: f.id });
      return (OUTSTANDING_FINANCING as readonly string[]).includes(now.status);
    } catch (err) {
      if (err instanceof LedgerError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }
}
