import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { LedgerError } from '../ledger/ledger';
import type { LedgerInfoService } from '../services';
import { principalOf } from './auth';

export interface SseOptions {
  heartbeatMs: number;
  /** Aborts when the gateway shuts down: every stream ends. */
  shutdown: AbortSignal;
  logger: Logger;
}

const CURSOR = /^[\x21-\x7e]{1,256}$/;

function resumeCursor(req: Request): string | undefined {
  // EventSource sends Last-Event-ID on reconnect; `?lastEventId=` lets a first
  // connection start after a known position.
  const header = req.get('last-event-id');
  const query = typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined;
  const cursor = header !== undefined && header !== '' ? header : query;
  if (cursor !== undefined && !CURSOR.test(cursor)) throw new LedgerError('VALIDATION_FAILED', 'Last-Event-ID is not an event cursor');
  return cursor;
}

const frame = (id: string, event: string, data: unknown) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * GET /events: committed chaincode events as Server-Sent Events. `id:` is the
 * ledger cursor, so a client that reconnects with Last-Event-ID continues
 * exactly after the last event it saw: no loss, no duplicates. Comments keep
 * idle connections open through proxies.
 *
 * Decision: like a Fabric channel member, any authenticated caller sees every
 * event of the channel; payloads carry ids and changed fields, not documents.
 */
export function eventsHandler(info: LedgerInfoService, options: SseOptions): RequestHandler {
  return async (req: Request, res: Response) => {
    principalOf(res.locals);
    const cursor = resumeCursor(req);
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

    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs);
    const end = () => stop.abort();
    res.on('close', end);
    options.shutdown.addEventListener('abort', end, { once: true });
    try {
      for await (const e of events) {
        res.write(frame(e.cursor, e.name, { txId: e.txId, blockNumber: e.blockNumber, txIndex: e.txIndex, name: e.name, payload: e.payload }));
      }
    } catch (err) {
      if (!stop.signal.aborted) options.logger.warn({ err }, 'event stream failed');
    } finally {
      clearInterval(heartbeat);
      res.off('close', end);
      options.shutdown.removeEventListener('abort', end);
      res.end();
    }
  };
}
