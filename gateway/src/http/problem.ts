import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../../chaincode/src/domain/errors';
import { LedgerError } from '../ledger/ledger';

/** DESIGN.md section 5: the one table from error code to HTTP status. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  DOUBLE_FINANCING: 409,
  ALREADY_EXISTS: 409,
  BUSINESS_RULE: 422,
  FROZEN: 423,
  LEDGER_UNAVAILABLE: 503,
  COMMIT_TIMEOUT: 504,
  CLOCK_SKEW: 503,
};

const TITLES: Readonly<Record<ErrorCode | 'INTERNAL', string>> = {
  VALIDATION_FAILED: 'Request is malformed',
  UNAUTHENTICATED: 'Missing or unknown credential',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  INVALID_STATE: 'Not allowed in the current state',
  DOUBLE_FINANCING: 'Already claimed or encumbered',
  ALREADY_EXISTS: 'Already exists',
  BUSINESS_RULE: 'Business rule violated',
  FROZEN: 'Frozen',
  LEDGER_UNAVAILABLE: 'Ledger unavailable',
  COMMIT_TIMEOUT: 'Commit outcome unknown',
  CLOCK_SKEW: "The gateway's clock and the peers' disagree",
  INTERNAL: 'Internal error',
};

export interface FieldIssue {
  path: string;
  message: string;
}

/** A request that failed its schema; carries every issue, not just the first. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(
    readonly issues: FieldIssue[],
    /** HTTP status when not 400 (415 for a body that is not JSON). */
    readonly status?: number,
  ) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ErrorCode | 'INTERNAL';
  detail: string;
  txId?: string;
  errors?: FieldIssue[];
}

export const problemType = (code: string): string => `urn:scf-ledger:problem:${code.toLowerCase().replace(/_/g, '-')}`;

export function problem(code: ErrorCode | 'INTERNAL', detail: string, extra: Partial<ProblemBody> = {}): ProblemBody {
  const status = code === 'INTERNAL' ? 500 : HTTP_STATUS[code];
  return { type: problemType(code), title: TITLES[code], status, code, detail, ...extra };
}

function toProblem(err: unknown): ProblemBody {
  if (err instanceof RequestValidationError) {
    const body = problem('VALIDATION_FAILED', err.message, { errors: err.issues });
    return err.status === undefined ? body : { ...body, status: err.status };
  }
  if (err instanceof LedgerError) return problem(err.code, err.detail, err.txId === undefined ? {} : { txId: err.txId });
  // body-parser errors carry `type` and `status`.
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return problem('VALIDATION_FAILED', 'the body is not JSON, or is a bare value such as null or 5: send a JSON object');
  if (e.type === 'entity.too.large') return { ...problem('VALIDATION_FAILED', 'the body is too large'), status: 413 };
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return { ...problem('VALIDATION_FAILED', e.message ?? 'unsupported encoding'), status: 415 };
  }
  // Any other Express / router / body-parser client error (a malformed
  // percent-encoding in the path is a 400 from the router): keep its 4xx
  // status; the message is shown only when the error marks it safe (`expose`).
  const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 500) {
    const exposed = (err as { expose?: unknown }).expose === true && typeof e.message === 'string';
    return { ...problem('VALIDATION_FAILED', exposed ? (e.message as string) : 'the request is malformed'), status: s };
  }
  return problem('INTERNAL', 'the gateway failed to handle the request');
}

export function sendProblem(res: Parameters<RequestHandler>[1], body: ProblemBody): void {
  if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  if (body.status === 503) res.setHeader('Retry-After', '1');
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/** The one error middleware: every failure leaves as problem+json. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const body = toProblem(err);
    if (body.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else if (!(err instanceof LedgerError) && !(err instanceof RequestValidationError)) {
      // A client error raised by Express itself (bad URI, body too large, JSON
      // that does not parse): worth a warning, not an alert. Without the body
      // body-parser keeps on the error: a request's fields (an invoice's,
      // which reach no block) are not copied into the log.
      logger.warn({ err: withoutBody(err), method: req.method, url: req.originalUrl }, 'request rejected');
    }
    sendProblem(res, body);
  };
}

/** An error as logged: body-parser's `body` (the raw request) left out. */
function withoutBody(err: unknown): unknown {
  if (!(err instanceof Error) || !('body' in err)) return err;
  const { body: _body, ...rest } = err;
  return Object.assign(Object.create(Object.getPrototypeOf(err) as object) as Error, rest, { message: err.message, stack: err.stack });
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, problem('NOT_FOUND', `no route ${req.method} ${req.path}`));
};
