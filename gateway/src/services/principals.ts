import { timingSafeEqual } from 'node:crypto';
import type { LedgerIdentity } from '../ledger/ledger';

/** Who is calling: the Fabric identity the gateway signs with for this bearer token. */
export interface Principal {
  /** Human label (`supplier1`, `bank-checker`), for logs and the demo token list. */
  readonly label: string;
  readonly identity: LedgerIdentity;
}

export interface TokenDirectory {
  resolve(token: string): Principal | undefined;
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
