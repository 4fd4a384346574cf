import type { Financing } from '../../../chaincode/src/domain/financing';
import type { Receivable, Voucher } from '../../../chaincode/src/domain/types';
import { addMaturityFigures, type MaturityFigure, OUTSTANDING_VOUCHER_STATUSES } from '../../../chaincode/src/domain/vouchers';
import type { CallContext, LedgerCalls } from '../services/calls';

/*
 * What reports and reminders read: the outstanding vouchers, receivables and
 * financings a caller may see, paged through the chaincode's own indexes as
 * the caller (so the ledger's read rules scope them, DESIGN §4).
 */

/** Vouchers still to be paid at maturity (a SPLIT piece lives on in its children). */
export const OUTSTANDING_VOUCHER = OUTSTANDING_VOUCHER_STATUSES;
/**
 * Receivables the debtor still owes directly: confirmed and not turned into
 * vouchers (a VOUCHERED receivable is paid through its vouchers), or factored.
 */
export const OUTSTANDING_RECEIVABLE = ['CONFIRMED', 'FINANCING_PENDING', 'FINANCED'] as const;
/**
 * Of those, the ones still on the creditor's books. A FINANCED receivable was
 * assigned to the bank that factored it (the supplier has had the advance):
 * it is owed to the assignee, and shows in the bank's reports, not the
 * assignor's; as a discounted voucher, whose holder becomes the bank. Until
 * the bank disburses (FINANCING_PENDING) it is still the creditor's.
 */
export const OWED_TO_CREDITOR = ['CONFIRMED', 'FINANCING_PENDING'] as const;
/** Of those, the ones owed to the bank they are assigned to. */
export const OWED_TO_ASSIGNEE = ['FINANCED'] as const;
/** Financings whose advance is out. */
export const OUTSTANDING_FINANCING = ['DISBURSED'] as const;

const PAGE = 200;

/** Every record of a list query, page after page. */
export async function listAll<T>(calls: LedgerCalls, ctx: CallContext, name: string, query: object): Promise<T[]> {
  const out: T[] = [];
  let bookmark: string | undefined;
  do {
    const page = await calls.list<T>(ctx, name, { ...query, pageSize: PAGE, bookmark });
    out.push(...page.records);
    bookmark = page.bookmark === '' ? undefined : page.bookmark;
  } while (bookmark !== undefined);
  return out;
}

/**
 * Reads by id a report or a reminder scan keeps in flight at once. A peer's
 * Gateway service serves a bounded number of requests at a time (Fabric's
 * peer.limits.concurrency.gatewayService, 500 by default) and refuses the
 * rest, its users' writes included: a scan that asked for thousands of
 * records at once (the assets a busy minute changed) made the members' own
 * calls fail with "too many requests" on the real network.
 */
export const READ_CONCURRENCY = 16;

/**
 * `fn` over `items`, at most `limit` at a time, the results in the items'
 * order. The first failure is thrown once the calls under way have ended,
 * and no call starts after it.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`mapBounded: limit must be a positive integer, not ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}

/** Keys the chaincode reads per voucher:Maturities call (its most). */
const MATURITY_PAGE = 1000;

/**
 * The maturity figures of the outstanding vouchers `ctx` may see, summed over
 * voucher:Maturities pages (the chaincode decides what the caller may see:
 * a reader every piece, a member what it holds or issued): the ladder and
 * ageing need no more than these, so no record crosses from the ledger.
 */
export async function loadMaturityFigures(calls: LedgerCalls, ctx: CallContext): Promise<MaturityFigure[]> {
  const figures: MaturityFigure[] = [];
  let bookmark: string | undefined;
  do {
    const page = await calls.read<{ figures: MaturityFigure[]; bookmark: string }>(ctx, 'voucher:Maturities', { pageSize: MATURITY_PAGE, bookmark });
    figures.push(...page.figures);
    bookmark = page.bookmark === '' ? undefined : page.bookmark;
  } while (bookmark !== undefined);
  return addMaturityFigures(figures);
}

export interface Portfolio {
  vouchers: Voucher[];
  receivables: Receivable[];
  financings: Financing[];
}

const byId = <T extends { id: string }>(lists: T[][]): T[] => [...new Map(lists.flat().map((r) => [r.id, r])).values()];

/**
 * The outstanding records `ctx` may see. A reader (AUDITOR, OPERATOR) lists
 * by status; any other member lists what it holds or issued (vouchers), owes
 * or is owed (receivables: as debtor; as creditor until it is factored, then
 * as the assignee bank), applied for or finances (financings).
 * `maturing` narrows vouchers to a maturity range through the maturity index.
 */
export async function loadPortfolio(
  calls: LedgerCalls,
  ctx: CallContext,
  scope: { reader: boolean; memberId: string },
  options: { maturing?: { from: string; to: string }; only?: ReadonlyArray<keyof Portfolio> } = {},
): Promise<Portfolio> {
  const wanted = (k: keyof Portfolio) => options.only === undefined || options.only.includes(k);
  const all = <T>(name: string, queries: object[]) => Promise.all(queries.map((q) => listAll<T>(calls, ctx, name, q)));
  const me = scope.memberId;
  const voucherQueries: object[] = options.maturing
    ? [{ maturingFrom: options.maturing.from, maturingTo: options.maturing.to }]
    : scope.reader
      ? OUTSTANDING_VOUCHER.map((status) => ({ status }))
      : OUTSTANDING_VOUCHER.flatMap((status) => [
          { holder: me, status },
          { issuer: me, status },
        ]);
  const receivableQueries: object[] = scope.reader
    ? OUTSTANDING_RECEIVABLE.map((status) => ({ status }))
    : [
        ...OUTSTANDING_RECEIVABLE.map((status) => ({ debtor: me, status })),
        ...OWED_TO_CREDITOR.map((status) => ({ creditor: me, status })),
        ...OWED_TO_ASSIGNEE.map((status) => ({ assignee: me, status })),
      ];
  const financingQueries: object[] = scope.reader
    ? OUTSTANDING_FINANCING.map((status) => ({ status }))
    : OUTSTANDING_FINANCING.flatMap((status) => [
        { applicant: me, status },
        { bank: me, status },
      ]);
  const [vouchers, receivables, financings] = await Promise.all([
    wanted('vouchers') ? all<Voucher>('voucher:List', voucherQueries) : [],
    wanted('receivables') ? all<Receivable>('receivable:List', receivableQueries) : [],
    wanted('financings') ? all<Financing>('financing:List', financingQueries) : [],
  ]);
  const outstanding = new Set<string>(OUTSTANDING_VOUCHER);
  return {
    vouchers: byId(vouchers).filter((v) => outstanding.has(v.status)),
    receivables: byId(receivables),
    financings: byId(financings),
  };
}
