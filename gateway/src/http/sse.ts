import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { EVENTS } from '../../../chaincode/src/domain/events';
import { LedgerError } from '../ledger/ledger';
import type { LedgerInfoService } from '../services';
import type { MemberService } from '../services/members';
import type { NotificationHub } from '../webhooks/hub';
import { mentionsMember, SEE_ALL } from '../visibility';
import type { TokenDirectory } from '../credentials';
import { principalFrom, principalOf } from './auth';
import { RequestValidationError } from './problem';

export { mentionsMember } from '../visibility';

export interface SseOptions {
  heartbeatMs: number;
  /** Aborts when the gateway shuts down: every stream ends. */
  shutdown: AbortSignal;
  logger: Logger;
  /** Live notifications (reminders, escalations, a webhook endpoint disabled) for the stream's member. */
  notifications?: NotificationHub | undefined;
  /** Where the stream's token is looked up again before each frame and heartbeat. */
  directory: TokenDirectory;
}

const CURSOR = /^[\x21-\x7e]{1,256}$/;

/**
 * Whether a member or identity event is about `memberId` (its `ids.memberId`):
 * only those can change where the caller stands, so a stream replaying a
 * long history reads the ledger again for its own member's events alone.
 */
function concernsMember(payload: unknown, memberId: string): boolean {
  const ids = (payload as { ids?: { memberId?: unknown } } | null)?.ids;
  return ids?.memberId === memberId;
}

/** Events after which a stream reads its caller's binding again (it may be gone, or its member's standing changed). */
const STANDING_EVENTS: ReadonlySet<string> = new Set([
  EVENTS.IdentityUnbound,
  EVENTS.IdentityBound,
  EVENTS.MemberSuspended,
  EVENTS.MemberReinstated,
  EVENTS.MemberAmended,
]);

/** Where to resume, and the field it came from (for a problem's `errors[]`). */
function resumeCursor(req: Request): { cursor: string; path: string } | undefined {
  // EventSource sends Last-Event-ID on reconnect; `?lastEventId=` lets a first
  // connection start after a known position.
  const header = req.get('last-event-id');
  const query = typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined;
  const resume = header !== undefined && header !== '' ? { cursor: header, path: 'header.Last-Event-ID' } : query === undefined ? undefined : { cursor: query, path: 'query.lastEventId' };
  if (resume !== undefined && !CURSOR.test(resume.cursor)) {
    throw new RequestValidationError([{ path: resume.path, message: 'not an event cursor (the id of an event frame)' }]);
  }
  return resume;
}

const frame = (id: string, event: string, data: unknown) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Writes `chunk`; when the socket buffer is full, waits for 'drain' (or the
 * end of the stream) before returning, so a client that stops reading holds
 * at most one frame in the gateway, not the whole history.
 */
export async function writeWithBackpressure(res: Response, chunk: string, signal: AbortSignal): Promise<void> {
  if (res.write(chunk) || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * GET /events: committed chaincode events as Server-Sent Events. `id:` is the
 * ledger cursor, so a client that reconnects with Last-Event-ID continues
 * exactly after the last event it saw: no loss, no duplicates. Comments keep
 * idle connections open through proxies.
 *
 * Visibility (DESIGN §4): AUDITOR and OPERATOR members see every event;
 * anyone else only events whose payload names their member id somewhere.
 * Filtered events are skipped silently; the ledger cursor still moves past
 * them, so Last-Event-ID resume neither loses nor repeats visible events.
 * Decision: no id-only frame for a hidden event (it would reveal how much
 * the caller does not see).
 */
export function eventsHandler(info: LedgerInfoService, members: MemberService, options: SseOptions): RequestHandler {
  return async (req: Request, res: Response) => {
    const principal = principalOf(res.locals);
    // The token is looked up again before every frame and heartbeat: once it
    // is revoked or rotated away (or its identity leaves the profile) the
    // stream sends nothing more and ends, as every other call is 401 then.
    const inForce = () => {
      try {
        return principalFrom(options.directory, req).identity.certificate === principal.identity.certificate;
      } catch {
        return false;
      }
    };
    const resume = resumeCursor(req);
    const cursor = resume?.cursor;
    // A cursor of another chain is refused (404) now: once the stream is open
    // the client could only reconnect with it again and again. One this
    // ledger cannot read is the field's problem (400 with errors[]).
    if (resume !== undefined) {
      await info.checkResume(resume.cursor).catch((err: unknown) => {
        if (err instanceof LedgerError && err.code === 'VALIDATION_FAILED') throw new RequestValidationError([{ path: resume.path, message: err.detail }]);
        throw err;
      });
    }
    // Member and roles are read through the ledger at stream open, and again
    // whenever the stream passes an event that may change them (below).
    const { member } = await members.whoAmI({ principal });
    let seesAll = member.roles.some((r) => SEE_ALL.has(r));
    const visible = (payload: unknown) => seesAll || mentionsMember(payload, member.id);
    /**
     * Whether the caller still acts for its member, read again from the
     * ledger: an identity unbound (the remedy for a person who left, a key
     * that leaked) is refused everywhere from that transaction on, on an
     * open stream too, not only on the next connection.
     */
    const stillBound = async () => {
      try {
        const now = await members.whoAmI({ principal });
        seesAll = now.member.id === member.id && now.member.roles.some((r) => SEE_ALL.has(r));
        return now.member.id === member.id;
      } catch {
        return false;
      }
    };
    const stop = new AbortController();
    // Opening the stream validates the cursor before any byte is sent.
    const events = info.events(cursor, AbortSignal.any([stop.signal, options.shutdown]));

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');

    // A heartbeat is skipped while the client is not reading anyway.
    const heartbeat = setInterval(() => {
      if (!inForce()) stop.abort();
      else if (!res.writableNeedDrain) res.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    // Notifications carry no `id:` line: Last-Event-ID stays the ledger's
    // cursor. They are live only (a stream closed meanwhile does not get
    // them again); their `id` field is the one their webhooks carry.
    const unsubscribe = options.notifications?.subscribe((n) => {
      if (!n.recipients.includes(member.id) || stop.signal.aborted || res.writableNeedDrain) return;
      if (!inForce()) return stop.abort();
      res.write(`event: ${n.type}\ndata: ${JSON.stringify({ id: n.id, type: n.type, timestamp: n.timestamp, data: n.data })}\n\n`);
    });
    const end = () => stop.abort();
    res.on('close', end);
    options.shutdown.addEventListener('abort', end, { once: true });
    try {
      for await (const e of events) {
        if (STANDING_EVENTS.has(e.name) && concernsMember(e.payload, member.id) && !(await stillBound())) break;
        if (!visible(e.payload)) continue;
        if (!inForce()) break;
        const data = { txId: e.txId, blockNumber: e.blockNumber, txIndex: e.txIndex, name: e.name, payload: e.payload };
        await writeWithBackpressure(res, frame(e.cursor, e.name, data), stop.signal);
        if (stop.signal.aborted) break;
      }
    } catch (err) {
      if (!stop.signal.aborted) options.logger.warn({ err }, 'event stream failed');
    } finally {
      clearInterval(heartbeat);
      unsubscribe?.();
      res.off('close', end);
      options.shutdown.removeEventListener('abort', end);
      res.end();
    }
  };
}
