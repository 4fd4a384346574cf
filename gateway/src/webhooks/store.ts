import { createHash } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import type { Attempt, Delivery, Endpoint, FiredNotification, Message } from './types';

/**
 * The webhook outbox: one LevelDB in `<dataDir>/webhooks` (folder mode 0700:
 * it holds the endpoints' signing secrets). LevelDB, not the credentials'
 * rewrite-the-whole-file JSON, because the outbox grows with every event;
 * the durability rule is the same: every change is one atomic batch written
 * with `sync: true`, so a crash leaves the state before it or after it.
 * The one exception is the cursor moving past events that made no
 * delivery (`advance`), which the next write carries (below).
 *
 *   e!<endpointId>                -> Endpoint
 *   m!<messageId>                 -> Message (exact body bytes, signed per attempt)
 *   d!<deliveryId>                -> Delivery
 *   q!<endpointId>!<seq>          -> deliveryId   pending, in send order
 *   l!<endpointId>!<seq>          -> deliveryId   every delivery, for listing
 *   a!<deliveryId>!<n>            -> Attempt
 *   n!<notificationId>            -> FiredNotification
 *   c!cursor                      -> the ledger event cursor the outbox is fed up to
 *   c!seq, c!scanFrom             -> counters
 *
 * The rows an event creates and the cursor past it go in one batch, as
 * fabric-samples' off_chain_data keeps its store and checkpoint together: a
 * crash before the batch replays the event, after it the event is in the
 * outbox; never both lost and advanced. One writer: the store serialises
 * its own writes.
 *
 * The cursor past events that make no delivery (most of them: no endpoint
 * wants them) is kept in memory and written with the store's next write of
 * any kind, or within CURSOR_FLUSH_MS, not once per event: one LevelDB
 * write per transaction on the chain was about 5% of the REST gateway's
 * CPU on Fabric (docs/BENCHMARKS.md). Losing it (a crash) replays those
 * events, which again make no delivery: everything that could make one of
 * them match (an endpoint added, changed, disabled or deleted) is a write,
 * every write carries the cursor, and the feed judges with a changed
 * endpoint only once the change is written (a new one at once: it can only
 * add matches), so the events it replays are judged against the same
 * endpoints as before.
 */

/** How long after the feed moves the cursor past unwanted events a timer writes it, behind any write under way, ms. */
export const CURSOR_FLUSH_MS = 250;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
type Op = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export const deliveryIdOf = (endpointId: string, messageId: string): string =>
  `DLV-${createHash('sha256').update(`${endpointId}\n${messageId}`).digest('hex').slice(0, 20).toUpperCase()}`;

/** An endpoint registered under an Idempotency-Key its member used for another, not deleted. */
export class RepeatedRegistration extends Error {
  constructor(
    readonly earlier: Endpoint,
    readonly requestId: string,
  ) {
    super(`Idempotency-Key ${requestId} already registered endpoint ${earlier.id}; its secret is not shown again`);
    this.name = 'RepeatedRegistration';
  }
}

export class WebhookStore {
  private readonly endpointsById = new Map<string, Endpoint>();
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** The cursor past events that made nothing, not yet in LevelDB. */
  private unwrittenCursor: string | undefined;
  private flushTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly db: ClassicLevel<string, string>) {}

  static async open(dir: string): Promise<WebhookStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const store = new WebhookStore(db);
    for (const v of await db.values({ gte: 'e!', lt: 'e"' }).all()) {
      const e = JSON.parse(v) as Endpoint;
      store.endpointsById.set(e.id, e);
    }
    store.seq = Number((await db.get('c!seq')) ?? '0');
    return store;
  }

  /** Writes the cursor still in memory (synced), then closes. */
  close(): Promise<void> {
    return this.serial(async () => {
      clearTimeout(this.flushTimer);
      await this.write([], true);
      await this.db.close();
    });
  }

  /** Every endpoint but the deleted ones, oldest first. */
  endpoints(): Endpoint[] {
    return [...this.endpointsById.values()].filter((e) => e.status !== 'DELETED').sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  endpoint(id: string): Endpoint | undefined {
    return this.endpointsById.get(id);
  }

  /**
   * Adds a new endpoint. The feed sees it at once, not once it is on disk:
   * an event the feed reads meanwhile (committed after the height the
   * endpoint was registered at) is judged with it, and its delivery is
   * written after the endpoint, since writes go in order. Adding only adds
   * targets, so nothing judged meanwhile misses one. If the write fails the
   * endpoint is gone again (a delivery already queued for it then names an
   * endpoint that does not exist, and is never sent).
   */
  addEndpoint(e: Endpoint): Promise<void> {
    if (this.endpointsById.has(e.id)) return Promise.reject(new Error(`webhook endpoint ${e.id} exists`));
    // Checked here, where the endpoint appears at once: two registrations
    // with one Idempotency-Key racing cannot both pass.
    const earlier = e.requestId === undefined ? undefined : this.endpoints().find((x) => x.memberId === e.memberId && x.requestId === e.requestId);
    if (earlier) return Promise.reject(new RepeatedRegistration(earlier, e.requestId as string));
    this.endpointsById.set(e.id, e);
    return this.serial(() => this.write([{ type: 'put', key: `e!${e.id}`, value: JSON.stringify(e) }], true)).catch((err: unknown) => {
      this.endpointsById.delete(e.id);
      throw err;
    });
  }

  /**
   * Changes an endpoint: `change` gets it as it is once every write queued
   * before has been made, and returns its new state, or throws to refuse
   * (nothing written). The feed sees the change once it is on disk, so the
   * endpoints in memory are always those on disk, and every cursor a write
   * carries was judged against the endpoints that write leaves: a crash
   * replays events against the same ones. A change takes targets away (a
   * delete) or keeps them (an enable), never adds one; an event judged
   * meanwhile with the endpoint as it was is queued behind this write, and a
   * deleted endpoint's queue is never sent.
   */
  changeEndpoint(id: string, change: (current: Endpoint) => Endpoint, requeueInPlace?: (current: Endpoint) => string | undefined): Promise<Endpoint> {
    return this.serial(async () => {
      const current = this.endpointsById.get(id);
      if (!current) throw new Error(`no webhook endpoint ${id} in the outbox`);
      const next = change(current);
      const ops: Op[] = [{ type: 'put', key: `e!${id}`, value: JSON.stringify(next) }];
      // A FAILED delivery queued again under its own seq: ahead of every later one, in the same batch.
      const again = requeueInPlace?.(current);
      const failed = again === undefined ? undefined : await this.delivery(again);
      if (failed && failed.endpointId === id && failed.status === 'FAILED') {
        const { failedAt: _f, ...rest } = failed;
        const pending: Delivery = { ...rest, status: 'PENDING', updatedAt: new Date().toISOString() };
        ops.push({ type: 'put', key: `d!${failed.id}`, value: JSON.stringify(pending) }, { type: 'put', key: `q!${id}!${pad(failed.seq, 16)}`, value: failed.id });
      }
      await this.write(ops, true);
      this.endpointsById.set(id, next);
      return next;
    });
  }

  /** How far the feed has read: the cursor in memory if it is ahead of the one on disk. */
  async cursor(): Promise<string | undefined> {
    return this.unwrittenCursor ?? this.db.get('c!cursor');
  }

  /**
   * Moves the cursor past an event that makes no delivery. Written with the
   * next write, or by a timer within CURSOR_FLUSH_MS (see the class comment).
   */
  advance(cursor: string): void {
    // Not queued behind the writes in flight: a batch under way wrote the
    // cursor it started with, and `write` keeps a newer one for later.
    this.unwrittenCursor = cursor;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.serial(() => this.write([], false)).catch(() => undefined); // a failed flush is retried by the next write
    }, CURSOR_FLUSH_MS).unref();
  }

  async counter(name: string): Promise<string | undefined> {
    return this.db.get(`c!${name}`);
  }

  setCounter(name: string, value: string): Promise<void> {
    return this.serial(() => this.write([{ type: 'put', key: `c!${name}`, value }], true));
  }

  async fired(notificationId: string): Promise<FiredNotification | undefined> {
    const raw = await this.db.get(`n!${notificationId}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as FiredNotification);
  }

  /**
   * Puts `message` in the queue of each endpoint, in one atomic batch with the
   * cursor past it and/or the record of a fired notification. An (endpoint,
   * message) pair already queued once is not queued again. Returns the new
   * deliveries.
   */
  enqueue(message: Message, endpointIds: readonly string[], extra: { cursor?: string; fired?: FiredNotification } = {}): Promise<Delivery[]> {
    return this.serial(async () => {
      const ops: Op[] = [];
      const created: Delivery[] = [];
      let seq = this.seq;
      for (const endpointId of endpointIds) {
        const id = deliveryIdOf(endpointId, message.id);
        if ((await this.db.get(`d!${id}`)) !== undefined) continue;
        seq += 1;
        const d: Delivery = {
          id,
          endpointId,
          messageId: message.id,
          type: message.type,
          status: 'PENDING',
          seq,
          attempts: 0,
          createdAt: message.createdAt,
          updatedAt: message.createdAt,
          redeliveries: 0,
        };
        created.push(d);
        ops.push(
          { type: 'put', key: `d!${id}`, value: JSON.stringify(d) },
          { type: 'put', key: `q!${endpointId}!${pad(seq, 16)}`, value: id },
          { type: 'put', key: `l!${endpointId}!${pad(seq, 16)}`, value: id },
        );
      }
      if (created.length > 0) ops.push({ type: 'put', key: `m!${message.id}`, value: JSON.stringify(message) }, { type: 'put', key: 'c!seq', value: String(seq) });
      if (extra.fired) ops.push({ type: 'put', key: `n!${extra.fired.id}`, value: JSON.stringify(extra.fired) });
      if (ops.length > 0) {
        // The event's own cursor, newer than any in memory, goes with its
        // rows; only once they are written does the feed read on from it.
        await this.write(ops, true, extra.cursor);
      } else if (extra.cursor !== undefined) {
        // An event already queued (read again after a crash) moves only the
        // cursor, as an event no endpoint wants does.
        this.advance(extra.cursor);
      }
      this.seq = seq;
      return created;
    });
  }

  /** The first pending delivery of an endpoint, with its message. */
  async head(endpointId: string): Promise<{ delivery: Delivery; message: Message } | undefined> {
    const rows = await this.db.values({ gte: `q!${endpointId}!`, lt: `q!${endpointId}"`, limit: 1 }).all();
    const id = rows[0];
    if (id === undefined) return undefined;
    const delivery = await this.delivery(id);
    const raw = delivery && (await this.db.get(`m!${delivery.messageId}`));
    if (!delivery || raw === undefined) throw new Error(`webhook outbox is inconsistent: queued delivery ${id} or its message is missing`);
    return { delivery, message: JSON.parse(raw) as Message };
  }

  async pendingCount(endpointId: string): Promise<number> {
    return (await this.db.keys({ gte: `q!${endpointId}!`, lt: `q!${endpointId}"` }).all()).length;
  }

  async delivery(id: string): Promise<Delivery | undefined> {
    const raw = await this.db.get(`d!${id}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as Delivery);
  }

  async message(id: string): Promise<Message | undefined> {
    const raw = await this.db.get(`m!${id}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as Message);
  }

  /** An endpoint's deliveries, newest first. */
  async deliveries(endpointId: string, limit: number): Promise<Delivery[]> {
    const ids = await this.db.values({ gte: `l!${endpointId}!`, lt: `l!${endpointId}"`, reverse: true, limit }).all();
    const out: Delivery[] = [];
    for (const id of new Set(ids)) {
      const d = await this.delivery(id);
      if (d) out.push(d);
    }
    return out;
  }

  async attempts(deliveryId: string): Promise<Attempt[]> {
    const rows = await this.db.values({ gte: `a!${deliveryId}!`, lt: `a!${deliveryId}"` }).all();
    return rows.map((r) => JSON.parse(r) as Attempt);
  }

  /**
   * Records an attempt and the delivery's new state in one batch, with
   * `change` applied to the endpoint as it is then (not as the sender saw it
   * when the attempt began: a DELETE may have come while it was sent). A
   * deleted endpoint stays deleted and unchanged. `outcome` is applied to
   * the delivery as it is then too: if it was queued again while this
   * attempt was under way (POST …/redeliver), it stays PENDING at its new
   * place, so it is sent once more, as asked; otherwise a delivery that is
   * no longer PENDING leaves the queue. (Writing back the delivery as the
   * sender read it left the new queue entry behind a record that no longer
   * named it: the entry was never removed, and the sender sent it for ever.)
   * Returns the endpoint as written, undefined if it was deleted.
   */
  recordAttempt(attempt: Attempt, sent: Delivery, outcome: (current: Delivery) => Delivery, change: (current: Endpoint) => Endpoint): Promise<Endpoint | undefined> {
    return this.serial(async () => {
      const current = this.endpointsById.get(sent.endpointId);
      const next = current && current.status !== 'DELETED' ? change(current) : undefined;
      const now = (await this.delivery(sent.id)) ?? sent;
      const queuedAgain = now.seq !== sent.seq;
      const delivery: Delivery = queuedAgain ? { ...outcome(now), status: 'PENDING', seq: now.seq } : outcome(now);
      const ops: Op[] = [
        { type: 'put', key: `a!${sent.id}!${pad(attempt.n, 6)}`, value: JSON.stringify(attempt) },
        { type: 'put', key: `d!${sent.id}`, value: JSON.stringify(delivery) },
      ];
      if (next) ops.push({ type: 'put', key: `e!${next.id}`, value: JSON.stringify(next) });
      if (delivery.status !== 'PENDING') ops.push({ type: 'del', key: `q!${sent.endpointId}!${pad(sent.seq, 16)}` });
      await this.write(ops, true);
      if (next) this.endpointsById.set(next.id, next);
      return next;
    });
  }

  /**
   * Queues a delivery again, at the end of its endpoint's queue, as it is
   * when its turn comes: one waiting in the queue (or being sent) is moved
   * to the end, never queued twice. Undefined if there is no such delivery.
   */
  requeue(id: string, now: string): Promise<Delivery | undefined> {
    return this.serial(async () => {
      const delivery = await this.delivery(id);
      if (!delivery) return undefined;
      const seq = this.seq + 1;
      const next: Delivery = { ...delivery, status: 'PENDING', seq, updatedAt: now, redeliveries: delivery.redeliveries + 1 };
      const ops: Op[] = [
        { type: 'del', key: `q!${delivery.endpointId}!${pad(delivery.seq, 16)}` },
        { type: 'put', key: `d!${delivery.id}`, value: JSON.stringify(next) },
        { type: 'put', key: `q!${delivery.endpointId}!${pad(seq, 16)}`, value: delivery.id },
        { type: 'put', key: `l!${delivery.endpointId}!${pad(seq, 16)}`, value: delivery.id },
        { type: 'put', key: 'c!seq', value: String(seq) },
      ];
      await this.write(ops, true);
      this.seq = seq;
      return next;
    });
  }

  /**
   * One atomic batch of `ops` and a cursor: `cursor` if given (an event's,
   * newer than the one in memory), else the one still in memory, if any.
   * Nothing to write: no batch. Call inside `serial`.
   */
  private async write(ops: Op[], sync: boolean, cursor?: string): Promise<void> {
    const inMemory = this.unwrittenCursor;
    const written = cursor ?? inMemory;
    const all: Op[] = written === undefined ? ops : [...ops, { type: 'put', key: 'c!cursor', value: written }];
    if (all.length === 0) return;
    await this.db.batch(all, { sync });
    // Only what this batch covered is cleared: `advance` may have moved the
    // cursor on while it was written, and the newer one waits for the next.
    if (this.unwrittenCursor === inMemory) this.unwrittenCursor = undefined;
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(run);
    this.queue = next;
    return next;
  }
}
