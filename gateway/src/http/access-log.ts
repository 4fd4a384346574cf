import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * One JSON line per request, when it has been answered (or the client went
 * away first):
 *
 *   {"level":30, ..., "req":{"method":"POST","url":"/vouchers/V1/transfer","remoteAddress":"127.0.0.1"},
 *    "res":{"statusCode":200}, "responseTime":12, "member":"supplier1", "msg":"request completed"}
 *
 * At info for answers below 500, at error with "request errored" for 5xx,
 * at warn with "request aborted" when the client went away unanswered, and at
 * info with "stream closed" when it closed an event stream it had been sent. The shape is
 * pino-http's default (req, res, responseTime, the same messages), which this
 * replaces: pino-http made a child logger and serialised every header of
 * every request even when the level discarded the line, about a tenth of the
 * gateway's CPU per request in the benchmark (docs/BENCHMARKS.md, fourth
 * round). Here a request costs one listener, and nothing when
 * info is off. Headers are not logged: they carry the bearer token, and
 * nothing an operator needs from an access line.
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (!logger.isLevelEnabled('info')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    let logged = false;
    const done = (): void => {
      if (logged) return;
      logged = true;
      const answered = res.writableFinished;
      const line = {
        req: { method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
        res: { statusCode: answered ? res.statusCode : undefined },
        responseTime: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        member: (res.locals.principal as { label?: string } | undefined)?.label,
      };
      // An event stream has no end of its own: a client closing it (an EventSource
      // leaving, a reconnect) is how it ends, not an abandoned request.
      if (!answered && res.headersSent && String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
        logger.info({ ...line, res: { statusCode: res.statusCode } }, 'stream closed');
      } else if (!answered) logger.warn(line, 'request aborted');
      else if (res.statusCode < 500) logger.info(line, 'request completed');
      else logger.error(line, 'request errored');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
