import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { addDays, daysBetween, todayOf } from '../../../chaincode/src/domain/dates';
import type { Financing } from '../../../chaincode/src/domain/financing';
import type { Receivable, Voucher } from '../../../chaincode/src/domain/types';
import { lineageIds } from '../../../chaincode/src/domain/vouchers';
import type { CallerIdentity } from '../ledger/ledger';
import { outstandingOf } from '../reports/compute';
import { loadPortfolio, mapBounded, READ_CONCURRENCY, OUTSTANDING_FINANCING, OUTSTANDING_RECEIVABLE, OUTSTANDING_VOUCHER, type Portfolio } from '../reports/portfolio';
import { LedgerError } from '../ledger/ledger';
import type { CallContext, LedgerCalls } from '../services/calls';
import type { WebhookOutbox } from './outbox';
import type { FiredNotification } from './types';

/*
 * Maturity reminders and overdue escalation (issue 17, item 2).
 *
 * Milestones, counted from a voucher's maturity date or a receivable's or
 * financing's due date, on the ledger's calendar (its clock, the sandbox
 * clock's on the embedded ledger, UTC dates as the chaincode counts them):
 * 3 and 1 days before (MaturityReminder), 1, 30, 60 and 90 days after
 * (OverdueEscalation). Each goes to the holder (creditor, applicant), the
 * issuer (debtor) and any financing bank of the asset.
 *
 * Exactly once per (asset, milestone):
 * - The notification's id is derived from asset type, asset id, due date and
 *   milestone only (`ntf_` + SHA-256), so it is the same whichever gateway
 *   emits it and however often: it is the `webhook-id` of every delivery
 *   and the id on the event stream; a receiver that keeps ids it has seen
 *   (as Standard Webhooks asks) processes it once.
 * - A gateway records each notification it emitted, in the same LevelDB
 *   batch that queues its deliveries: after a restart it never emits it
 *   again; a crash before that batch emits it on the next scan, with the
 *   same id.
 * - Several gateways on one ledger each keep their own endpoints (their own
 *   data folders), so each endpoint is fed by one gateway: exactly one
 *   delivery per endpoint (retries carry the same id). Event streams get it
 *   from the gateway they are connected to.
 * Reminders before the due date are not sent late: one not sent by the day
 * of the next (the due date, for the last) is recorded as skipped.
 * Escalations are sent even late, each once, in order (a voucher: within
 * MAX_LOOKBACK_DAYS). An asset paid stops being looked at.
 */

export const MATURITY_REMINDER = 'MaturityReminder';
export const OVERDUE_ESCALATION = 'OverdueEscalation';

export const MILESTONES = [
  { name: 'DUE_IN_3_DAYS', offset: -3, type: MATURITY_REMINDER },
  { name: 'DUE_IN_1_DAY', offset: -1, type: MATURITY_REMINDER },
  { name: 'OVERDUE_1_DAY', offset: 1, type: OVERDUE_ESCALATION },
  { name: 'OVERDUE_30_DAYS', offset: 30, type: OVERDUE_ESCALATION },
  { name: 'OVERDUE_60_DAYS', offset: 60, type: OVERDUE_ESCALATION },
  { name: 'OVERDUE_90_DAYS', offset: 90, type: OVERDUE_ESCALATION },
] as const;

export type AssetType = 'VOUCHER' | 'RECEIVABLE' | 'FINANCING';

/**
 * How far back a scan looks for vouchers after a long gap (a gateway down,
 * a sandbox clock moved years at once): nine years, so that the range to 3
 * days ahead stays within the maturity index's 120 months a call. A voucher
 * that fell due before that, unseen since, gets no late escalation.
 */
export const MAX_LOOKBACK_DAYS = 9 * 365;

export interface DueAsset {
  assetType: AssetType;
  assetId: string;
  dueDate: string;
  amount: string;
  currency: string;
  recipients: string[];
}

export const notificationIdOf = (assetType: string, assetId: string, dueDate: string, milestone: string): string =>
  `ntf_${createHash('sha256').update(`${assetType}|${assetId}|${dueDate}|${milestone}`).digest('hex').slice(0, 32)}`;

/**
 * The milestones reached on `today` for a due date: each to send, or to
 * record as skipped. A reminder is sent until the day of the next one (the
 * last: until the due date); later it is skipped, so one reached late with
 * the next (an asset confirmed a day before it is due, a gateway down) is
 * not sent beside it.
 */
export function reachedMilestones(dueDate: string, today: string): Array<{ name: string; type: string; offset: number; skipped: boolean }> {
  const reminders: readonly number[] = MILESTONES.filter((m) => m.offset < 0).map((m) => m.offset);
  const supersededOn = (offset: number) => addDays(dueDate, reminders[reminders.indexOf(offset) + 1] ?? 0);
  return MILESTONES.filter((m) => addDays(dueDate, m.offset) <= today).map((m) => ({ ...m, skipped: m.offset < 0 && today >= supersededOn(m.offset) }));
}

const uniq = (xs: Array<string | undefined>): string[] => [...new Set(xs.filter((x): x is string => x !== undefined))];

export function dueAssets(vouchers: Voucher[], receivables: Receivable[], financings: Financing[]): DueAsset[] {
  const bankOf = new Map(financings.map((f) => [f.id, f.bank]));
  return [
    ...vouchers.map((v) => ({
      assetType: 'VOUCHER' as const,
      assetId: v.id,
      dueDate: v.maturityDate,
      amount: v.amount,
      currency: v.currency,
      recipients: uniq([v.holder, v.issuer, v.financingId === undefined ? undefined : bankOf.get(v.financingId)]),
    })),
    // What is owed on the receivable directly: a part its vouchers cover is
    // reminded of as those vouchers.
    ...receivables
      .map((r) => ({ r, owed: outstandingOf(r) }))
      .filter(({ owed }) => owed !== '0')
      .map(({ r, owed }) => ({
        assetType: 'RECEIVABLE' as const,
        assetId: r.id,
        dueDate: r.dueDate,
        amount: owed,
        currency: r.currency,
        recipients: uniq([r.creditor, r.debtor, r.assignee, r.financingId === undefined ? undefined : bankOf.get(r.financingId)]),
      })),
    ...financings.map((f) => ({
      assetType: 'FINANCING' as const,
      assetId: f.id,
      dueDate: f.dueDate,
      amount: f.advanceAmount ?? f.requestedAmount,
      currency: f.currency,
      recipients: uniq([f.applicant, f.bank]),
    })),
  ];
}

export interface ReminderOptions {
  calls: LedgerCalls;
  /** An AUDITOR's or OPERATOR's identity: reminders look at every asset. */
  reader: CallerIdentity;
  outbox: WebhookOutbox;
  /** The ledger's time now. */
  now: () => Date;
  /** The ledger's height: with the day, all a scan's answer depends on. */
  height: () => Promise<number>;
  intervalMs: number;
  logger?: Logger | undefined;
}

/** How long a scan waits for the event feed to reach the ledger's height before it reads everything instead. */
export const FEED_WAIT_MS = 2000;

/**
 * The most assets a later scan of the day reads one by one; past it, the
 * scan reads everything, as the first of the day does. Paged lists (200 a
 * call, through the maturity index for vouchers) then cost less than as many
 * reads by id: after a batch of thousands of transactions, say.
 */
export const MAX_READS_BY_ID = 1000;

/** Ids of the assets an event names (its payload's `ids`), which reminders look at. */
export function assetIdsOf(payload: unknown): string[] {
  const ids = (payload as { ids?: Record<string, unknown> } | null)?.ids;
  if (ids === undefined || ids === null || typeof ids !== 'object') return [];
  return Object.values(ids)
    .flat()
    .filter((v): v is string => typeof v === 'string' && /^(VCH|RCV|FIN)-/.test(v));
}

export class ReminderScanner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private closed = false;
  /** The ledger day and height of the last scan that completed. */
  private lastScan: { today: string; height: number } | undefined;
  /** The ledger day of the last scan that read every outstanding asset. */
  private lastFullDay: string | undefined;
  /** Assets named by events the feed read since the last scan began. */
  private changed = new Set<string>();
  /** MAX_READS_BY_ID; tests lower it. */
  maxReadsById = MAX_READS_BY_ID;

  constructor(private readonly o: ReminderOptions) {
    o.outbox.onEvent((e) => {
      for (const id of assetIdsOf(e.payload)) this.changed.add(id);
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.trigger(), this.o.intervalMs);
    this.timer.unref();
    void this.trigger();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Scans now (or once more right after the scan under way); resolves with what that scan emitted. */
  trigger(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      let emitted = 0;
      do {
        this.again = false;
        if (this.closed) break;
        try {
          emitted += await this.scan();
        } catch (err) {
          this.o.logger?.warn({ err }, 'maturity reminders: scan failed; the next one retries');
        }
      } while (this.again);
      return emitted;
    })().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /**
   * One pass: every milestone reached and not yet emitted is emitted.
   *
   * Which milestones an asset has reached depends on the ledger's day and
   * the asset alone. So the first scan of a ledger day reads every
   * outstanding asset (vouchers through the maturity index); later scans
   * that day read only the assets named by the events committed since (the
   * webhook feed reads every event, and tells), so a scan under steady
   * traffic costs what the traffic touched, not what the ledger holds. When
   * the feed has not read up to the ledger's height within FEED_WAIT_MS (it
   * is catching up, or the last block holds no event it can read), or the
   * events named more than MAX_READS_BY_ID assets, the scan reads
   * everything, as the first of the day does. Reads by id go
   * READ_CONCURRENCY at a time.
   */
  private async scan(): Promise<number> {
    const { outbox, calls } = this.o;
    const ledgerNow = this.o.now();
    const today = todayOf(ledgerNow.toISOString());
    // Nothing committed and the same day: the milestones reached are those
    // the last scan handled, so the assets are not read again (an idle
    // ledger costs no scan a minute however many unpaid assets it holds).
    const height = await this.o.height();
    if (this.lastScan?.today === today && this.lastScan.height === height && this.changed.size === 0) return 0;
    const ctx: CallContext = { principal: { label: 'reminders', identity: this.o.reader } };
    // The first scan of the day does not wait for the feed; a later one counts what it named once caught up.
    const full = this.lastFullDay !== today || !(await outbox.readBelow(height, FEED_WAIT_MS)) || this.changed.size > this.maxReadsById;
    // What the feed notes from here on is for the next scan.
    const changed = this.changed;
    this.changed = new Set();
    // Vouchers through the maturity index, from 91 days before the last
    // scanned day (a jump of the clock, or a gateway down for days, still
    // finds what became due meanwhile), but at most MAX_LOOKBACK_DAYS back:
    // the index answers at most 120 months a call.
    const scanned = await outbox.store.counter('reminderDay');
    const lastDay = scanned !== undefined && scanned < today ? scanned : today;
    const from = [addDays(lastDay, -91), addDays(today, -MAX_LOOKBACK_DAYS)].sort().at(-1) as string;
    const maturing = { from, to: addDays(today, 3) };
    const portfolio = full
      ? await loadPortfolio(calls, ctx, { reader: true, memberId: '' }, { maturing })
      : await this.changedAssets(ctx, [...changed], maturing);
    let emitted = 0;
    for (const asset of dueAssets(portfolio.vouchers, portfolio.receivables, portfolio.financings)) {
      for (const m of reachedMilestones(asset.dueDate, today)) {
        const id = notificationIdOf(asset.assetType, asset.assetId, asset.dueDate, m.name);
        if (await outbox.store.fired(id)) continue;
        // A piece split or partly passed on after a milestone: whoever was
        // told of it for the piece it came from (the issuer, say) is not told
        // again of the same debt; the new holder is.
        const told = asset.assetType === 'VOUCHER' ? await this.toldForAncestors(asset, m.name) : new Set<string>();
        const recipients = asset.recipients.filter((r) => !told.has(r));
        const fired: FiredNotification = {
          id,
          type: m.type,
          assetType: asset.assetType,
          assetId: asset.assetId,
          milestone: m.name,
          dueDate: asset.dueDate,
          firedAt: new Date().toISOString(),
          ledgerDate: today,
          ...(m.skipped || recipients.length === 0 ? { skipped: true } : { recipients }),
        };
        if (fired.skipped) {
          await outbox.store.enqueue({ id, type: m.type, body: '', createdAt: fired.firedAt }, [], { fired });
          continue;
        }
        await outbox.notify(
          {
            id,
            type: m.type,
            recipients,
            timestamp: fired.firedAt,
            data: {
              milestone: m.name,
              asset: { type: asset.assetType, id: asset.assetId },
              dueDate: asset.dueDate,
              amount: asset.amount,
              currency: asset.currency,
              // As counted on the day it is sent (later than the milestone's if it is late).
              ...(m.offset < 0 ? { daysToDue: daysBetween(today, asset.dueDate) } : { daysOverdue: daysBetween(asset.dueDate, today) }),
              ledgerDate: today,
              recipients,
            },
          },
          fired,
        );
        emitted += 1;
      }
    }
    if (scanned !== today) await outbox.store.setCounter('reminderDay', today);
    this.lastScan = { today, height };
    if (full) this.lastFullDay = today;
    return emitted;
  }

  /**
   * The assets among `ids` a full scan would read, as they are now: vouchers
   * outstanding and maturing in the range, receivables outstanding, and the
   * financings among them or named by them, when disbursed.
   */
  private async changedAssets(ctx: CallContext, ids: string[], maturing: { from: string; to: string }): Promise<Portfolio> {
    const read = async <T>(name: string, id: string): Promise<T | undefined> => {
      try {
        return await this.o.calls.read<T>(ctx, name, { id });
      } catch (err) {
        if (err instanceof LedgerError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    };
    const named = (prefix: string) => ids.filter((id) => id.startsWith(prefix));
    const outstanding = <T extends { status: string }>(statuses: readonly string[]) => (r: T | undefined): r is T => r !== undefined && statuses.includes(r.status);
    const readAll = <T>(name: string, of: string[]) => mapBounded(of, READ_CONCURRENCY, (id) => read<T>(name, id));
    const vouchers = (await readAll<Voucher>('voucher:Get', named('VCH-')))
      .filter(outstanding<Voucher>(OUTSTANDING_VOUCHER))
      .filter((v) => v.maturityDate >= maturing.from && v.maturityDate <= maturing.to);
    const receivables = (await readAll<Receivable>('receivable:Get', named('RCV-'))).filter(outstanding<Receivable>(OUTSTANDING_RECEIVABLE));
    const financingIds = new Set([...named('FIN-'), ...[...vouchers, ...receivables].flatMap((a) => (a.financingId === undefined ? [] : [a.financingId]))]);
    // Disbursed ones only, as a full scan reads: a financing is reminded of, and its bank told, while DISBURSED.
    const financings = (await readAll<Financing>('financing:Get', [...financingIds])).filter(outstanding<Financing>(OUTSTANDING_FINANCING));
    return { vouchers, receivables, financings };
  }

  /** Who was sent `milestone` for the pieces a voucher piece came from (same due date). */
  private async toldForAncestors(piece: DueAsset, milestone: string): Promise<Set<string>> {
    const told = new Set<string>();
    for (const ancestor of lineageIds(piece.assetId).slice(1)) {
      const fired = await this.o.outbox.store.fired(notificationIdOf('VOUCHER', ancestor, piece.dueDate, milestone));
      for (const r of fired?.recipients ?? []) told.add(r);
    }
    return told;
  }
}
