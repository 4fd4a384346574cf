/**
 * Stable error codes (DESIGN.md section 5). The chaincode throws messages that
 * start with `[CODE]`; the gateway maps the code to an HTTP status.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_STATE',
  'DOUBLE_FINANCING',
  'ALREADY_EXISTS',
  'BUSINESS_RULE',
  'FROZEN',
  'LEDGER_UNAVAILABLE',
  'COMMIT_TIMEOUT',
  // Raised by the gateway only, never by the chaincode (which reads no clock):
  // the peers refused a proposal's timestamp (peer.authentication.timewindow).
  'CLOCK_SKEW',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`[${code}] ${detail}`, options);
    this.code = code;
    this.detail = detail;
  }
}

const CODE_PREFIX = /^\s*\[([A-Z_]+)\]\s*/;

/** Reads `[CODE] detail` back out of a message (chaincode error text, gRPC details). */
export function parseCodedMessage(message: string): { code: ErrorCode; detail: string } | undefined {
  const m = CODE_PREFIX.exec(message);
  if (!m) return undefined;
  const code = m[1] as ErrorCode;
  if (!(ERROR_CODES as readonly string[]).includes(code)) return undefined;
  return { code, detail: message.slice(m[0].length) };
}

export const fail = (code: ErrorCode, detail: string): never => {
  throw new DomainError(code, detail);
};

/** Asserts a condition; on failure throws a DomainError with the given code. */
export function ensure(condition: unknown, code: ErrorCode, detail: string): asserts condition {
  if (!condition) throw new DomainError(code, detail);
}
