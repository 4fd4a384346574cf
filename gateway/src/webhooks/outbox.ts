import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type Ledger, LedgerError, type LedgerEvent } from '../ledger/ledger';
import { mentionsMember } from '../visibility';
import type { LiveNotification, NotificationHub } from './hub';
import { send, signedHeaders, type SendResult } from './sender';
import { WebhookStore } from './store';
import type { Attempt, Delivery, Endpoint, FiredNotification, Message } from './types';

export interface WebhookSettings {
  /** Deliver to loopback and private addresses (SCF_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Consecutive failed attempts after which an endpoint is disabled (SCF_WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Delay before retry n, ms; the last repeats (SCF_WEBHOOK_RETRY_SCHEDULE_MS). */
  retryScheduleMs: readonly number[];
  /** One attempt's limit, ms (SCF_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowPrivate: false,
  maxAttempts: 8,
  retryScheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
  timeoutMs: 15_000,
};

/** ±20 % around the scheduled delay (Svix's JITTER_DELTA), so endpoints that failed together do not retry together. */
export const JITTER = 0.2;

export function retryDelayMs(schedule: readonly number[], failures: number, random: () => number): number {
  const base = schedule[Math.min(failures - 1, schedule.length - 1)] ?? 0;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

export const WEBHOOK_ENDPOINT_DISABLED = 'WebhookEndpointDisabled';

const hashId = (prefix: string, text: string, length = 32) => `${prefix}${createHash('sha256').update(text).digest('hex').slice(0, length)}`;

/** The webhook-id of a ledger event: its transaction (one chaincode event per transaction), the same from any gateway, on every retry. */
export const messageIdOfEvent = (e: LedgerEvent): string => `evt_${e.txId}`;

export function wants(endpoint: Endpoint, type: string): boolean {
  return endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type);
}

/** The event was committed after the endpoint was registered (in a block at or past the height it saw then). */
export function committedSince(endpoint: Endpoint, e: LedgerEvent): boolean {
  return endpoint.fromBlock === undefined || e.blockNumber >= endpoint.fromBlock;
}

export interface OutboxOptions extends WebhookSettings {
  dataDir: string;
  logger?: Logger | undefined;
  hub: NotificationHub;
  random?: () => number;
  /** How often due retries are looked for, ms (default: the shortest delay of the schedule, 50-1000). */
  tickMs?: number;
}

/**
 * The webhook outbox: fed from the ledger's event stream by a persisted
 * cursor and from notifications, drained by one sender per endpoint.
 *
 * Guarantee: every event an endpoint may see, committed after it was
 * registered, is delivered at least once, in commit order per endpoint, with
 * the same `webhook-id` on every attempt, across restarts of the gateway (an
 * attempt cut short by a crash is sent again). Deliveries to one endpoint
 * go one at a time, in queue order: after a failure the endpoint waits out
 * its backoff and the same delivery is tried first again, so a receiver
 * that is down gets everything, in order, when it is back. After
 * `maxAttempts` failed attempts in a row (or a 410) the endpoint is
 * DISABLED: the failing delivery is FAILED, the rest stay queued until the
 * endpoint is enabled again, and the member is told (GET /webhooks, a
 * WebhookEndpointDisabled notification to its other endpoints and its event
 * streams).
 */
export class WebhookOutbox {
  private readonly abort = new AbortController();
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private feeding: Promise<void> | undefined;
  private readonly random: () => number;
  private readonly log: Logger | undefined;
  private readonly folder: string;

  private constructor(
    readonly store: WebhookStore,
    private readonly ledger: Ledger,
    readonly settings: WebhookSettings,
    private readonly hub: NotificationHub,
    options: OutboxOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.log = options.logger;
    this.folder = join(options.dataDir, 'webhooks');
    this.tickMs = options.tickMs ?? Math.max(50, Math.min(1000, ...settings.retryScheduleMs));
  }

  private readonly tickMs: number;
  /** The highest block the feed has judged an event of (-1: none yet), for `register`. */
  private judgedThrough = -1;
  /** Called with every event the feed reads, in order (the reminders note what changed). */
  private readonly listeners: Array<(e: LedgerEvent) => void> = [];

  static async open(ledger: Ledger, options: OutboxOptions): Promise<WebhookOutbox> {
    const folder = join(options.dataDir, 'webhooks');
    const store = await WebhookStore.open(folder);
    try {
      await assertSameLedger(await store.cursor(), ledger, folder);
    } catch (err) {
      await store.close();
      throw err;
    }
    const { dataDir: _d, logger: _l, hub, random: _r, tickMs: _t, ...settings } = options;
    return new WebhookOutbox(store, ledger, settings, hub, options);
  }

  start(): void {
    this.feeding = this.feed();
    this.timer = setInterval(() => this.kick(), this.tickMs);
    this.timer.unref();
    this.kick();
  }

  async close(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    await this.feeding;
    await Promise.allSettled([...this.running.values()]);
    await this.store.close();
  }

  // ---- feeding ----

  /** Calls `listener` with every ledger event the feed reads, in order, as it reads it. */
  onEvent(listener: (e: LedgerEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Whether the feed has read the events of the blocks below `height`,
   * waiting up to `timeoutMs` for it. False also when the last of them holds
   * no event the feed could read (only invalid transactions): the caller
   * cannot tell, and must not count on the feed having seen them.
   */
  async readBelow(height: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.judgedThrough < height - 1) {
      if (Date.now() >= deadline || this.abort.signal.aborted) return false;
      await new Promise((r) => setTimeout(r, 10).unref());
    }
    return true;
  }

  private async feed(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const cursor = await this.store.cursor();
        for await (const e of this.ledger.events(cursor, { signal })) {
          await this.takeEvent(e);
        }
      } catch (err) {
        if (signal.aborted) return;
        // Its cursor is not on the ledger (found only now when the ledger could not be read at open):
        // nothing is skipped, and nothing is fed, until the folder is dealt with.
        const elsewhere = err instanceof LedgerError && err.code === 'NOT_FOUND';
        if (elsewhere) {
          this.log?.error({ err }, `webhook outbox: ${anotherLedger(this.folder, err.detail)}; retrying in 30 s`);
        } else {
          this.log?.warn({ err }, 'webhook outbox: reading the ledger events failed; retrying in 1 s');
        }
        await delay(elsewhere ? 30_000 : 1000, undefined, { signal, ref: false }).catch(() => undefined);
      }
    }
  }

  private async takeEvent(e: LedgerEvent): Promise<void> {
    for (const listener of this.listeners) listener(e);
    this.judgedThrough = Math.max(this.judgedThrough, e.blockNumber);
    const targets = this.store
      .endpoints()
      .filter((ep) => committedSince(ep, e) && wants(ep, e.name) && (ep.seesAll || mentionsMember(e.payload, ep.memberId)))
      .map((ep) => ep.id);
    // Most events: no endpoint wants them, and no message is built.
    if (targets.length === 0) {
      this.store.advance(e.cursor);
      return;
    }
    const message: Message = {
      id: messageIdOfEvent(e),
      type: e.name,
      createdAt: new Date().toISOString(),
      body: '',
    };
    message.body = JSON.stringify({
      type: e.name,
      timestamp: message.createdAt,
      data: { cursor: e.cursor, txId: e.txId, blockNumber: e.blockNumber, txIndex: e.txIndex, name: e.name, payload: e.payload },
    });
    const created = await this.store.enqueue(message, targets, { cursor: e.cursor });
    if (created.length > 0) this.kick();
  }

  /**
   * A notification for `recipients` (member ids): queued for their endpoints
   * that want its type (with `fired`, its record, in the same batch) and
   * shown on their open event streams.
   */
  async notify(n: LiveNotification, fired?: FiredNotification, exceptEndpoint?: string): Promise<void> {
    const message: Message = { id: n.id, type: n.type, createdAt: n.timestamp, body: JSON.stringify({ type: n.type, timestamp: n.timestamp, data: n.data }) };
    const targets = this.store
      .endpoints()
      .filter((ep) => ep.id !== exceptEndpoint && n.recipients.includes(ep.memberId) && wants(ep, n.type))
      .map((ep) => ep.id);
    await this.store.enqueue(message, targets, fired ? { fired } : {});
    this.hub.publish(n);
    this.kick();
  }

  // ---- sending ----

  /** Starts a sender for each active endpoint that is due and not already sending. */
  kick(): void {
    if (this.abort.signal.aborted) return;
    const now = Date.now();
    for (const ep of this.store.endpoints()) {
      if (ep.status !== 'ACTIVE' || ep.nextAttemptAt > now || this.running.has(ep.id)) continue;
      const run = this.drain(ep.id)
        .catch((err: unknown) => this.log?.error({ err, endpoint: ep.id }, 'webhook sender failed'))
        .finally(() => this.running.delete(ep.id));
      this.running.set(ep.id, run);
    }
  }

  private async drain(endpointId: string): Promise<void> {
    for (;;) {
      if (this.abort.signal.aborted) return;
      const ep = this.store.endpoint(endpointId);
      if (!ep || ep.status !== 'ACTIVE' || ep.nextAttemptAt > Date.now()) return;
      const head = await this.store.head(endpointId);
      if (!head) return;
      const ok = await this.attempt(ep, head.delivery, head.message);
      if (!ok) return;
    }
  }

  private async attempt(ep: Endpoint, d: Delivery, m: Message): Promise<boolean> {
    const startedAt = new Date();
    const headers = signedHeaders(ep.secret, m.id, startedAt, m.body);
    const r: SendResult = await send(ep.url, headers, m.body, { timeoutMs: this.settings.timeoutMs, allowPrivate: this.settings.allowPrivate });
    if (this.abort.signal.aborted) return false; // shutting down: the delivery stays pending, sent again on start
    const now = new Date();
    const at = now.toISOString();
    const n = d.attempts + 1;
    const attempt: Attempt = {
      deliveryId: d.id,
      n,
      startedAt: startedAt.toISOString(),
      durationMs: r.durationMs,
      webhookTimestamp: Number(headers['webhook-timestamp']),
      outcome: r.ok ? 'SUCCEEDED' : 'FAILED',
      ...(r.statusCode === undefined ? {} : { statusCode: r.statusCode }),
      ...(r.error === undefined ? {} : { error: r.error }),
      ...(r.responseBody === undefined || r.responseBody === '' ? {} : { responseBody: r.responseBody }),
    };
    const status = r.statusCode === undefined ? {} : { lastStatusCode: r.statusCode };
    if (r.ok) {
      await this.store.recordAttempt(attempt, d, (now) => ({ ...now, ...status, attempts: n, status: 'SUCCEEDED', succeededAt: at, updatedAt: at }), (current) => ({
        ...current,
        consecutiveFailures: 0,
        nextAttemptAt: 0,
        lastSuccessAt: at,
      }));
      return true;
    }
    const failures = ep.consecutiveFailures + 1;
    const disable = r.gone || failures >= this.settings.maxAttempts;
    let delay = retryDelayMs(this.settings.retryScheduleMs, failures, this.random);
    if (r.retryAfterS !== undefined) delay = Math.max(delay, Math.min(r.retryAfterS * 1000, 86_400_000));
    const error = r.error ?? 'failed';
    const reason = r.gone
      ? `the receiver answered 410 Gone at ${at}`
      : `${failures} delivery attempts in a row failed; the last, at ${at}: ${error}`;
    const failed = (now: Delivery): Delivery => ({ ...now, ...status, attempts: n, lastError: error, updatedAt: at, ...(disable ? { status: 'FAILED', failedAt: at } : {}) });
    // One sender per endpoint, and nothing else changes its failures while it
    // is ACTIVE, so `failures` is the count of the endpoint as it is now.
    const recorded = await this.store.recordAttempt(attempt, d, failed, (current) => ({
      ...current,
      consecutiveFailures: failures,
      nextAttemptAt: now.getTime() + delay,
      lastFailureAt: at,
      lastError: error,
      ...(disable ? { status: 'DISABLED', disabledAt: at, disabledReason: reason, disabledDeliveryId: d.id } : {}),
    }));
    if (disable && recorded) {
      this.log?.warn({ endpoint: ep.id, member: ep.memberId, reason }, 'webhook endpoint disabled');
      // To the member's other endpoints: the disabled one is told by being disabled.
      await this.notify(
        {
          id: hashId('ntf_', `${WEBHOOK_ENDPOINT_DISABLED}|${ep.id}|${at}`),
          type: WEBHOOK_ENDPOINT_DISABLED,
          recipients: [ep.memberId],
          timestamp: at,
          data: { endpointId: ep.id, url: ep.url, reason, disabledAt: at, failedDeliveryId: d.id, messageId: m.id },
        },
        undefined,
        ep.id,
      );
    }
    return false;
  }

  // ---- management (the service checks who may) ----

  async register(input: Omit<Endpoint, 'id' | 'secret' | 'status' | 'createdAt' | 'fromBlock' | 'consecutiveFailures' | 'nextAttemptAt'>): Promise<Endpoint> {
    // Read from the ledger, not from the feed's cursor: the feed may be
    // behind the chain, and what it has yet to read was committed before now.
    // But not before a block the feed has already judged an event of while
    // the height was being asked for (the answer and the events come by
    // different ways): that event was judged without this endpoint. From
    // here to addEndpoint nothing awaits, so every event the feed judges
    // from now on sees the endpoint, and every block from fromBlock on is
    // judged with it.
    const height = await this.ledger.height();
    const fromBlock = Math.max(height, this.judgedThrough + 1);
    const endpoint: Endpoint = {
      ...input,
      id: `WHK-${randomBytes(8).toString('hex').toUpperCase()}`,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      status: 'ACTIVE',
      createdAt: new Date().toISOString(),
      fromBlock,
      consecutiveFailures: 0,
      nextAttemptAt: 0,
    };
    await this.store.addEndpoint(endpoint);
    return endpoint;
  }

  /** Changes an endpoint as it is when the change's turn comes (WebhookStore.changeEndpoint). */
  async change(id: string, change: (current: Endpoint) => Endpoint): Promise<Endpoint> {
    const next = await this.store.changeEndpoint(id, change);
    this.kick();
    return next;
  }

  /**
   * A DISABLED endpoint becomes ACTIVE (`check` refuses any other, as it is
   * when the change's turn comes). The delivery that failed goes back into
   * the queue at its own place, before the ones held behind it, so the
   * receiver gets everything in commit order, as after any other outage.
   */
  async enable(id: string, check: (current: Endpoint) => void): Promise<Endpoint> {
    const next = await this.store.changeEndpoint(
      id,
      (current) => {
        check(current);
        const { disabledAt: _at, disabledReason: _reason, disabledDeliveryId: _failed, ...rest } = current;
        return { ...rest, status: 'ACTIVE', consecutiveFailures: 0, nextAttemptAt: 0, enabledAt: new Date().toISOString() };
      },
      (current) => current.disabledDeliveryId,
    );
    this.kick();
    return next;
  }

  /** Queues a delivery again (WebhookStore.requeue); undefined if there is none. */
  async redeliver(id: string): Promise<Delivery | undefined> {
    const next = await this.store.requeue(id, new Date().toISOString());
    this.kick();
    return next;
  }
}

/** The outbox's folder was fed from another chain than the ledger's (assertSameLedger). */
export class OutboxOfAnotherLedger extends Error {
  override readonly name = 'OutboxOfAnotherLedger';
}

/**
 * The stored cursor names the last event the outbox read. A ledger on which
 * that position is not (Ledger.checkCursor: a network purged and brought up
 * again over the same data folder, a ledger folder deleted beside a kept
 * outbox) is another chain, and reading on from the cursor would skip,
 * silently, every event of this chain up to it. Refused, naming the folder.
 * A ledger that cannot be read now is not judged.
 */
async function assertSameLedger(cursor: string | undefined, ledger: Ledger, folder: string): Promise<void> {
  if (cursor === undefined) return;
  try {
    await ledger.checkCursor(cursor);
  } catch (err) {
    if (!(err instanceof LedgerError) || err.code !== 'NOT_FOUND') return;
    throw new OutboxOfAnotherLedger(anotherLedger(folder, err.detail));
  }
}

function anotherLedger(folder: string, why: string): string {
  return (
    `the webhook outbox in ${folder} follows another ledger: the last event it read, ${why}. ` +
    `Was the network purged and brought up again? Move ${folder} away (it is under SCF_DATA_DIR) to start the outbox afresh; its endpoints must then be registered again`
  );
}
