import { addDays, daysBetween } from '../../../chaincode/src/domain/dates';
import type { Financing } from '../../../chaincode/src/domain/financing';
import type { Receivable, Voucher } from '../../../chaincode/src/domain/types';
import type { MaturityFigure } from '../../../chaincode/src/domain/vouchers';

/*
 * Reports (issue 17, item 3), computed from records already scoped to the
 * caller (vouchers as maturity figures: domain maturityFigures). Pure: no ledger, no clock (the ledger's date comes in as `today`).
 * Money is summed as bigint and returned as decimal strings of minor units.
 */

// ---- maturity ladder ----

export interface LadderRow {
  /** WEEK (ISO week, from its Monday) or MONTH. */
  period: 'WEEK' | 'MONTH';
  /** First day of the period. */
  start: string;
  issuer: string;
  currency: string;
  count: number;
  amount: string;
}

export interface MaturityLadder {
  asOf: string;
  rows: LadderRow[];
  totals: Array<{ issuer: string; currency: string; count: number; amount: string }>;
}

/** The Monday of `date`'s ISO week. */
export function weekStart(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday .. 6 Saturday
  return addDays(date, -((weekday + 6) % 7));
}

type Sum = { count: number; amount: bigint };
const add = (m: Map<string, Sum>, key: string, amount: string, count = 1) => {
  const s = m.get(key) ?? { count: 0, amount: 0n };
  s.count += count;
  s.amount += BigInt(amount);
  m.set(key, s);
};
const SEP = '\u0000';

/** Outstanding vouchers (their maturity figures) by maturity week and month, per issuer and currency. */
export function maturityLadder(vouchers: readonly MaturityFigure[], asOf: string): MaturityLadder {
  const sums = new Map<string, Sum>();
  const totals = new Map<string, Sum>();
  for (const v of vouchers) {
    add(sums, ['WEEK', weekStart(v.maturityDate), v.issuer, v.currency].join(SEP), v.amount, v.count);
    add(sums, ['MONTH', `${v.maturityDate.slice(0, 7)}-01`, v.issuer, v.currency].join(SEP), v.amount, v.count);
    add(totals, [v.issuer, v.currency].join(SEP), v.amount, v.count);
  }
  const rows = [...sums].map(([key, s]) => {
    const [period, start, issuer, currency] = key.split(SEP) as [LadderRow['period'], string, string, string];
    return { period, start, issuer, currency, count: s.count, amount: String(s.amount) };
  });
  rows.sort((a, b) => (a.period === b.period ? 0 : a.period === 'WEEK' ? -1 : 1) || a.start.localeCompare(b.start) || a.issuer.localeCompare(b.issuer) || a.currency.localeCompare(b.currency));
  return {
    asOf,
    rows,
    totals: [...totals]
      .map(([key, s]) => {
        const [issuer, currency] = key.split(SEP) as [string, string];
        return { issuer, currency, count: s.count, amount: String(s.amount) };
      })
      .sort((a, b) => a.issuer.localeCompare(b.issuer) || a.currency.localeCompare(b.currency)),
  };
}

// ---- ageing ----

export const AGEING_BUCKETS = ['CURRENT', '1-30', '31-60', '61-90', 'OVER_90'] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number];

/** The bucket of an amount due on `dueDate`, seen on `today`: CURRENT until the due date has passed. */
export function ageingBucket(dueDate: string, today: string): AgeingBucket {
  const overdue = daysBetween(dueDate, today);
  if (overdue <= 0) return 'CURRENT';
  if (overdue <= 30) return '1-30';
  if (overdue <= 60) return '31-60';
  if (overdue <= 90) return '61-90';
  return 'OVER_90';
}

export interface AgeingRow {
  assetType: 'VOUCHER' | 'RECEIVABLE';
  bucket: AgeingBucket;
  currency: string;
  count: number;
  amount: string;
}

export interface Ageing {
  asOf: string;
  rows: AgeingRow[];
  totals: Array<{ bucket: AgeingBucket; currency: string; count: number; amount: string }>;
}

/** Outstanding vouchers (their maturity figures, by maturity) and receivables owed directly (by due date), by days overdue. */
export function ageing(vouchers: readonly MaturityFigure[], receivables: readonly Receivable[], asOf: string): Ageing {
  const sums = new Map<string, Sum>();
  const totals = new Map<string, Sum>();
  const take = (assetType: string, due: string, currency: string, amount: string, count = 1) => {
    const bucket = ageingBucket(due, asOf);
    add(sums, [assetType, bucket, currency].join(SEP), amount, count);
    add(totals, [bucket, currency].join(SEP), amount, count);
  };
  for (const v of vouchers) take('VOUCHER', v.maturityDate, v.currency, v.amount, v.count);
  for (const r of receivables) take('RECEIVABLE', r.dueDate, r.currency, outstandingOf(r));
  const order = (b: string) => AGEING_BUCKETS.indexOf(b as AgeingBucket);
  const rows = [...sums].map(([key, s]) => {
    const [assetType, bucket, currency] = key.split(SEP) as [AgeingRow['assetType'], AgeingBucket, string];
    return { assetType, bucket, currency, count: s.count, amount: String(s.amount) };
  });
  rows.sort((a, b) => a.assetType.localeCompare(b.assetType) || order(a.bucket) - order(b.bucket) || a.currency.localeCompare(b.currency));
  return {
    asOf,
    rows,
    totals: [...totals]
      .map(([key, s]) => {
        const [bucket, currency] = key.split(SEP) as [AgeingBucket, string];
        return { bucket, currency, count: s.count, amount: String(s.amount) };
      })
      .sort((a, b) => order(a.bucket) - order(b.bucket) || a.currency.localeCompare(b.currency)),
  };
}

/**
 * What is still owed on a receivable directly: its amount less what vouchers
 * cover. Its settledAmount counts what those vouchers paid (never more than
 * they cover), or the whole amount once a factored receivable is settled
 * (it then backs no voucher): so less the larger of the two.
 */
export function outstandingOf(r: Receivable): string {
  const vouchered = BigInt(r.voucheredAmount ?? '0');
  const settled = BigInt(r.settledAmount ?? '0');
  const left = BigInt(r.amount) - (vouchered > settled ? vouchered : settled);
  return String(left > 0n ? left : 0n);
}

// ---- exposure ----

/**
 * A credit line as the exposure report shows it. Issue 16 adds credit lines
 * on chain; until a lookup is wired in (ReportService's `creditLines`), the
 * columns stay empty.
 */
export interface CreditLineFigures {
  id: string;
  limit: string;
  used: string;
  currency: string;
}

export interface ExposureRow {
  bank: string;
  /** Who pays the bank back: the voucher's issuer, the receivable's debtor, the pledgor of a warehouse receipt. */
  obligor: string;
  currency: string;
  count: number;
  /** Outstanding advances (DISBURSED financings). */
  financed: string;
  /** Face value (voucher or receivable amount, receipt valuation) behind them. */
  face: string;
  creditLine?: CreditLineFigures;
  /**
   * The line's headroom, limit − used, when a line is known: what the next
   * approval is checked against. `used` also holds advances approved and not
   * yet disbursed, which `financed` does not count.
   */
  headroom?: string;
}

export interface Exposure {
  asOf: string;
  /** Whether credit lines could be looked up (issue 16); when false the credit-line columns are empty. */
  creditLines: boolean;
  rows: ExposureRow[];
}

/** The obligor of a disbursed financing, from the asset's record when the caller can see it. */
export function obligorOf(f: Financing, vouchers: ReadonlyMap<string, Voucher>, receivables: ReadonlyMap<string, Receivable>): string | undefined {
  if (f.asset.type === 'VOUCHER') return vouchers.get(f.asset.id)?.issuer;
  if (f.asset.type === 'RECEIVABLE') return receivables.get(f.asset.id)?.debtor;
  return f.applicant;
}

export function exposure(
  financings: readonly Financing[],
  obligor: (f: Financing) => string,
  asOf: string,
  lines?: ReadonlyMap<string, CreditLineFigures | undefined>,
): Exposure {
  const sums = new Map<string, { count: number; financed: bigint; face: bigint }>();
  for (const f of financings) {
    const key = [f.bank, obligor(f), f.currency].join(SEP);
    const s = sums.get(key) ?? { count: 0, financed: 0n, face: 0n };
    s.count += 1;
    s.financed += BigInt(f.advanceAmount ?? '0');
    s.face += BigInt(f.faceAmount);
    sums.set(key, s);
  }
  const rows: ExposureRow[] = [...sums].map(([key, s]) => {
    const [bank, ob, currency] = key.split(SEP) as [string, string, string];
    const line = lines?.get(exposureKey(bank, ob, currency));
    return {
      bank,
      obligor: ob,
      currency,
      count: s.count,
      financed: String(s.financed),
      face: String(s.face),
      ...(line ? { creditLine: line, headroom: String(BigInt(line.limit) - BigInt(line.used)) } : {}),
    };
  });
  rows.sort((a, b) => a.bank.localeCompare(b.bank) || a.obligor.localeCompare(b.obligor) || a.currency.localeCompare(b.currency));
  return { asOf, creditLines: lines !== undefined, rows };
}

export const exposureKey = (bank: string, obligor: string, currency: string): string => [bank, obligor, currency].join(SEP);

// ---- CSV ----

const cell = (v: string | number | boolean | undefined | null): string => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 CSV: a header line, then one line per row, CRLF. */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, string | number | boolean | undefined>>): string {
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

export const ladderCsv = (r: MaturityLadder): string =>
  toCsv(['asOf', 'period', 'start', 'issuer', 'currency', 'count', 'amount'], r.rows.map((row) => ({ asOf: r.asOf, ...row })));

export const ageingCsv = (r: Ageing): string => toCsv(['asOf', 'assetType', 'bucket', 'currency', 'count', 'amount'], r.rows.map((row) => ({ asOf: r.asOf, ...row })));

export const exposureCsv = (r: Exposure): string =>
  toCsv(
    ['asOf', 'bank', 'obligor', 'currency', 'count', 'financed', 'face', 'creditLineId', 'creditLimit', 'creditUsed', 'headroom'],
    r.rows.map((row) => ({
      asOf: r.asOf,
      bank: row.bank,
      obligor: row.obligor,
      currency: row.currency,
      count: row.count,
      financed: row.financed,
      face: row.face,
      creditLineId: row.creditLine?.id,
      creditLimit: row.creditLine?.limit,
      creditUsed: row.creditLine?.used,
      headroom: row.headroom,
    })),
  );
