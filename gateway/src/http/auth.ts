import type { Request, RequestHandler } from 'express';
import { BEARER_TOKEN, type Principal, type TokenDirectory } from '../credentials';
import { LedgerError } from '../ledger/ledger';
import { RequestValidationError } from './problem';

const BEARER = new RegExp(`^Bearer\\s+(${BEARER_TOKEN.source.slice(1, -1)})\\s*$`, 'i');
// The chaincode's requestId alphabet (chaincode/src/contracts/base.ts).
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** `Authorization: Bearer <token>` → the caller's principal; UNAUTHENTICATED otherwise. */
export function principalFrom(directory: TokenDirectory, req: Request): Principal {
  // No header, an empty one, `Bearer ` without a token or another scheme: the
  // caller is told how to send a credential. Only a well-formed token that
  // maps to no identity is called unknown.
  const m = BEARER.exec(req.get('authorization') ?? '');
  if (!m) throw new LedgerError('UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  const principal = directory.resolve(m[1] as string);
  if (!principal) throw new LedgerError('UNAUTHENTICATED', 'unknown bearer token');
  return principal;
}

/** The caller's principal in res.locals (for routes outside the API's route table: /events). */
export function authenticate(directory: TokenDirectory): RequestHandler {
  return (req, res, next) => {
    res.locals.principal = principalFrom(directory, req);
    next();
  };
}

/** `Idempotency-Key` → the chaincode's requestId (exactly-once per member); VALIDATION_FAILED when malformed. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !REQUEST_ID.test(key)) {
    throw new RequestValidationError([
      { path: 'header.Idempotency-Key', message: '1-128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit' },
    ]);
  }
  return key;
}

export function principalOf(locals: Record<string, unknown>): Principal {
  const p = locals.principal as Principal | undefined;
  if (!p) throw new LedgerError('UNAUTHENTICATED', 'no caller');
  return p;
}
