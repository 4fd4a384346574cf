import { createServer, maxHeaderSize, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { problem, type ProblemBody } from './problem';

/*
 * The HTTP server around the express app. Two things express cannot do:
 * answer the requests Node's own parser refuses before express sees them
 * (headers too large, malformed HTTP, a request too slow) as problem+json
 * like every other error, and fail to listen with an error that says which
 * address and why.
 */

/** What Node would answer to a request its parser refused, as problem+json (Node's own statuses). */
export function clientErrorProblem(err: Error & { code?: string }): ProblemBody {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        ...problem('VALIDATION_FAILED', `the request's header fields are too large: at most ${maxHeaderSize} bytes in all (a bearer token is a few dozen characters)`),
        status: 431,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { ...problem('VALIDATION_FAILED', 'the chunk extensions of the request body are too large'), status: 413 };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { ...problem('VALIDATION_FAILED', 'the request did not arrive in time'), status: 408 };
    default:
      return problem('VALIDATION_FAILED', `the request is not valid HTTP/1.1${err.code ? ` (${err.code})` : ''}`);
  }
}

/**
 * Node answers a request its parser refuses with a bare status line and no
 * body (431 for a 100 KB bearer token). This answers it as problem+json,
 * then closes the connection, as Node does.
 */
export function answerClientErrors(server: Server, logger?: Logger): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    // A response already under way on this socket, or a socket already gone: nothing can be said.
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const body = clientErrorProblem(err);
    logger?.warn({ err: { code: err.code, message: err.message }, status: body.status }, 'request refused by the HTTP parser');
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status] ?? ''}\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
}

/** The gateway could not listen: names the address, the variables that set it and the cause. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`cannot listen on ${host}:${port} (PORT=${port}, HOST=${host}): ${describeListenFailure(code, cause)}`, { cause });
  }
}

function describeListenFailure(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'the port is already in use by another process (another gateway?); stop it or choose another PORT';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (ports below 1024 need privileges); choose another PORT';
    case 'EADDRNOTAVAIL':
      return 'this machine has no such address; choose another HOST';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'HOST does not resolve to an address';
    default:
      return cause instanceof Error ? cause.message : String(cause);
  }
}

/**
 * Takes host:port before the gateway opens its ledger, so that a port in use
 * fails the start before anything is created: resolves once listening (every
 * request answered 503 until `serve` hands it to the app), rejects with a
 * ListenError when the address cannot be had (nothing is left listening).
 */
export function listen(options: { port: number; host: string; logger?: Logger }): Promise<Server> {
  const server = createServer((_req, res) => {
    res.setHeader('Retry-After', '1');
    res.setHeader('Connection', 'close');
    res.statusCode = 503;
    res.setHeader('Content-Type', 'application/problem+json');
    res.end(JSON.stringify(problem('LEDGER_UNAVAILABLE', 'the gateway is starting')));
  });
  answerClientErrors(server, options.logger);
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      server.close();
      reject(new ListenError(options.host, options.port, err.code, err));
    };
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve(server);
    });
  });
}

/** From now on `app` answers every request of `server`. */
export function serve(server: Server, app: Express): void {
  server.removeAllListeners('request');
  server.on('request', app);
}
