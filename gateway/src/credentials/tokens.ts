import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Bearer tokens and who they stand for. This module imports nothing else
 * from the gateway: the HTTP layer (authentication), the use cases
 * (issuing credentials) and the ledger connectors (the Fabric profile's and
 * the embedded ledger's demo tokens) all depend on it, never the reverse.
 */

/** What a bearer token may look like (RFC 6750 b64token); profiles are checked against it too. */
export const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * The X.509 identity a token acts as; the ledger's `LedgerIdentity` has this
 * shape. `privateKey` is absent for an identity whose key its member keeps
 * (a certificate issued for the member's CSR): only a connector that signs
 * nothing in the gateway, the embedded ledger, can act as it.
 */
export interface TokenIdentity {
  readonly mspId: string;
  /** PEM certificate. */
  readonly certificate: string;
  /** PEM PKCS#8 private key, when the gateway holds it. */
  readonly privateKey?: string | undefined;
}

/** Who is calling: the identity the gateway acts as for this bearer token. */
export interface Principal {
  /** Human label (`supplier1`, `bank-checker`, a credential's id), for logs and the demo token list. */
  readonly label: string;
  readonly identity: TokenIdentity;
}

export interface TokenDirectory {
  resolve(token: string): Principal | undefined;
}

/** Prefix of issued tokens: recognisable in a leaked-secret scan, and inside the BEARER_TOKEN alphabet. */
export const TOKEN_PREFIX = 'scf_';

/** A new API token: 256 random bits, base64url, prefixed. */
export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * What is kept of a token: the lowercase hex SHA-256 of its UTF-8 bytes. A
 * token has 256 bits of entropy, so a fast hash is enough (no salt or
 * stretching needed, unlike a password), and a lookup by hash takes the same
 * time whichever token is asked.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Token lookup that compares in constant time, so response timing does not leak tokens. */
export class StaticTokenDirectory implements TokenDirectory {
  private readonly entries: ReadonlyArray<{ token: Buffer; principal: Principal }>;

  constructor(entries: ReadonlyArray<{ token: string; principal: Principal }>) {
    this.entries = entries.map((e) => ({ token: Buffer.from(e.token, 'utf8'), principal: e.principal }));
  }

  resolve(token: string): Principal | undefined {
    const given = Buffer.from(token, 'utf8');
    let found: Principal | undefined;
    for (const e of this.entries) {
      if (e.token.length === given.length && timingSafeEqual(e.token, given)) found = e.principal;
    }
    return found;
  }
}

/** Several directories asked in order (the demo identities, then issued credentials). */
export class TokenDirectories implements TokenDirectory {
  private readonly directories: readonly TokenDirectory[];

  constructor(...directories: TokenDirectory[]) {
    this.directories = directories;
  }

  resolve(token: string): Principal | undefined {
    for (const d of this.directories) {
      const found = d.resolve(token);
      if (found) return found;
    }
    return undefined;
  }
}

/**
 * A directory whose entries can be replaced while the gateway runs (the Fabric
 * profile re-read on SIGHUP): calls in flight keep the principal they
 * resolved; the next call sees the new entries.
 */
export class ReplaceableTokenDirectory implements TokenDirectory {
  constructor(private current: TokenDirectory) {}

  replace(next: TokenDirectory): void {
    this.current = next;
  }

  resolve(token: string): Principal | undefined {
    return this.current.resolve(token);
  }
}
