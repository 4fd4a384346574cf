import type { RequestHandler } from 'express';
import { LedgerError } from '../ledger/ledger';
import type { Principal, TokenDirectory } from '../services/principals';
import { RequestValidationError } from './problem';

/** What a bearer token may look like (RFC 6750 b64token); profiles are checked against it too. */
export const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;
const BEARER = new RegExp(`^Bearer\\s+(${BEARER_TOKEN.source.slice(1, -1)})\\s*$`, 'i');
// The chaincode's requestId alphabet (chaincode/src/contracts/base.ts).
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** `Authorization: Bearer <token>` → the caller's principal in res.locals. */
export function authenticate(directory: TokenDirectory): RequestHandler {
  return (req, res, next) => {
    // No header, an empty one, `Bearer ` without a token or another scheme: the
    // caller is told how to send a credential. Only a well-formed token that
    // maps to no identity is called unknown.
    const m = BEARER.exec(req.get('authorization') ?? '');
    if (!m) throw new LedgerError('UNAUTHENTICATED', 'send Authorization: Bearer <token>');
    const principal = directory.resolve(m[1] as string);
    if (!principal) throw new LedgerError('UNAUTHENTICATED', 'unknown bearer token');
    res.locals.principal = principal;
    next();
  };
}

/** `Idempotency-Key` → the chaincode's requestId (exactly-once per member). */
export const idempotencyKey: RequestHandler = (req, res, next) => {
  const key = req.get('idempotency-key');
  if (key !== undefined && !REQUEST_ID.test(key)) {
    throw new RequestValidationError([
      { path: 'header.Idempotency-Key', message: '1-128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit' },
    ]);
  }
  res.locals.requestId = key;
  next();
};

export function principalOf(locals: Record<string, unknown>): Principal {
  const p = locals.principal as Principal | undefined;
  if (!p) throw new LedgerError('UNAUTHENTICATED', 'no caller');
  return p;
}
