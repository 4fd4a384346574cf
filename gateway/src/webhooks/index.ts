import type { Logger } from 'pino';
import type { CallerIdentity, Ledger } from '../ledger/ledger';
import { LedgerCalls } from '../services/calls';
import { NotificationHub } from './hub';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookOutbox, type WebhookSettings } from './outbox';
import { ReminderScanner } from './reminders';

export { NotificationHub, type LiveNotification } from './hub';
export { DEFAULT_WEBHOOK_SETTINGS, WebhookOutbox, type WebhookSettings } from './outbox';
export { ReminderScanner, MATURITY_REMINDER, OVERDUE_ESCALATION, MILESTONES, notificationIdOf } from './reminders';

/** The ledger's time: the sandbox clock's on the embedded ledger, the machine's (which stamps proposals) on Fabric. */
export const ledgerNow = (ledger: Ledger) => (): Date => new Date(ledger.sandboxClock?.state().now ?? Date.now());

export interface NotificationOptions {
  /** The gateway's data folder: the outbox lives in `<dataDir>/webhooks`. */
  dataDir: string;
  webhooks?: Partial<WebhookSettings>;
  reminders: {
    intervalMs: number;
    /** An AUDITOR's or OPERATOR's identity to read every asset with; without one there are no reminders. */
    reader: CallerIdentity | undefined;
  };
  logger?: Logger | undefined;
  /** Dispatcher tick, ms (tests). */
  tickMs?: number;
}

/**
 * The identity reminders read the ledger as: the one labelled `label`
 * (SCF_REMINDER_IDENTITY), else the demo auditor's, else the operator's.
 */
export function readerIdentity(identities: ReadonlyMap<string, CallerIdentity>, label: string | undefined): CallerIdentity | undefined {
  if (label !== undefined) return identities.get(label);
  return identities.get('auditor') ?? identities.get('operator-admin');
}

/** Webhooks, reminders and the live notification hub of one gateway. */
export interface Notifications {
  hub: NotificationHub;
  outbox: WebhookOutbox;
  reminders: ReminderScanner | undefined;
  close(): Promise<void>;
}

/** Opens the outbox and starts feeding, sending and looking for reminders. */
export async function openNotifications(ledger: Ledger, options: NotificationOptions): Promise<Notifications> {
  const hub = new NotificationHub();
  const outbox = await WebhookOutbox.open(ledger, {
    ...DEFAULT_WEBHOOK_SETTINGS,
    ...options.webhooks,
    dataDir: options.dataDir,
    hub,
    logger: options.logger,
    ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
  });
  outbox.start();
  const reader = options.reminders.reader;
  if (!reader) options.logger?.warn({}, 'maturity reminders are off: no AUDITOR or OPERATOR identity to read the ledger with (SCF_REMINDER_IDENTITY)');
  const reminders = reader
    ? new ReminderScanner({
        calls: new LedgerCalls(ledger),
        reader,
        outbox,
        now: ledgerNow(ledger),
        height: () => ledger.height(),
        intervalMs: options.reminders.intervalMs,
        logger: options.logger,
      })
    : undefined;
  reminders?.start();
  return {
    hub,
    outbox,
    reminders,
    async close() {
      await reminders?.close();
      await outbox.close();
    },
  };
}
