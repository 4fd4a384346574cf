import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { readSecretFile, ReplacedNotSyncedError, writeSecretFile } from './secret-file';
import { hashToken, newToken, type Principal, type TokenDirectory } from './tokens';

/**
 * Issued credentials (DESIGN.md section 8): the certificate bound on chain
 * and the hash of the API token that acts as it. Kept in
 * `<dataDir>/credentials.json` (mode 0600), rewritten whole on every change
 * by write-then-rename with fsync, so a crash leaves the old file or the new
 * one, never half of one. A token itself is never stored: it is shown once,
 * when issued or rotated, and found again by its SHA-256.
 *
 * The store decides nothing about who may do what: the use case checks the
 * caller and the state first (services/credentials.ts).
 */

export const CREDENTIAL_FILE = 'credentials.json';

/** Who issued, rotated or revoked: the caller's member and identity as bound on the ledger. */
const Actor = z.object({ memberId: z.string(), identityId: z.string() });
export type CredentialActor = z.infer<typeof Actor>;

const StoredCredential = z.object({
  id: z.string(),
  memberId: z.string(),
  mspId: z.string(),
  identityId: z.string(),
  userRole: z.string(),
  label: z.string(),
  /** PEM: public, needed to act as the identity (the chaincode's creator). */
  certificate: z.string(),
  /** Lowercase hex SHA-256 of the token in force. */
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  createdBy: Actor,
  /** The Idempotency-Key the credential was issued under, if any. */
  requestId: z.string().optional(),
  rotatedAt: z.string().optional(),
  rotatedBy: Actor.optional(),
  /** The Idempotency-Key of the last rotation, if it had one. */
  rotationRequestId: z.string().optional(),
  revokedAt: z.string().optional(),
  revokedBy: Actor.optional(),
  /** Recorded to the minute: a call refreshes it when the stored value is a minute old. */
  lastUsedAt: z.string().optional(),
});
export type StoredCredential = z.infer<typeof StoredCredential>;

const CredentialFile = z.object({ version: z.literal(1), credentials: z.array(StoredCredential) });

/** What may be shown about a credential: everything but the token's hash. */
export type CredentialMetadata = Omit<StoredCredential, 'tokenHash' | 'requestId' | 'rotationRequestId'>;

export function metadataOf(c: StoredCredential): CredentialMetadata {
  const { tokenHash: _hash, requestId: _key, rotationRequestId: _rotationKey, ...shown } = c;
  return shown;
}

/**
 * A change the credential's state refuses, judged when the change's turn
 * comes (after the changes queued before it): REVOKED, the credential is
 * revoked; REPEATED, its Idempotency-Key was used already (a token is never
 * shown twice).
 */
export class CredentialConflict extends Error {
  constructor(
    readonly reason: 'REVOKED' | 'REPEATED',
    message: string,
  ) {
    super(message);
    this.name = 'CredentialConflict';
  }
}

export interface NewCredential {
  id: string;
  memberId: string;
  mspId: string;
  identityId: string;
  userRole: string;
  label: string;
  certificate: string;
  createdBy: CredentialActor;
  requestId?: string | undefined;
}

/** `CRD-` and 16 upper-case hex digits. */
export function newCredentialId(): string {
  return `CRD-${randomBytes(8).toString('hex').toUpperCase()}`;
}

const LAST_USED_RESOLUTION_MS = 60_000;

export class CredentialStore implements TokenDirectory {
  private credentials: StoredCredential[];
  private byHash = new Map<string, StoredCredential>();
  /** Writes run one after another; the in-memory state changes only once a write is durable. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    loaded: StoredCredential[],
    private readonly now: () => Date,
  ) {
    this.credentials = loaded;
    this.index();
  }

  /** Loads `<dataDir>/credentials.json`, or starts empty when there is none. */
  static async open(dataDir: string, options: { now?: () => Date } = {}): Promise<CredentialStore> {
    const path = join(dataDir, CREDENTIAL_FILE);
    const text = await readSecretFile(path);
    const loaded = text === undefined ? [] : CredentialFile.parse(JSON.parse(text)).credentials;
    return new CredentialStore(path, loaded, options.now ?? (() => new Date()));
  }

  /** The principal of a token in force; a revoked or rotated-away token finds nothing. */
  resolve(token: string): Principal | undefined {
    const found = this.byHash.get(hashToken(token));
    if (!found || found.revokedAt !== undefined) return undefined;
    this.touch(found);
    return { label: found.id, identity: { mspId: found.mspId, certificate: found.certificate } };
  }

  get(id: string): StoredCredential | undefined {
    return this.credentials.find((c) => c.id === id);
  }

  /** A member's credentials, oldest first. */
  list(memberId: string): StoredCredential[] {
    return this.credentials.filter((c) => c.memberId === memberId);
  }

  findByRequest(memberId: string, requestId: string): StoredCredential | undefined {
    return issuedUnder(this.credentials, memberId, requestId);
  }

  /**
   * Records a new credential and returns its token: the only time the token
   * exists outside the caller. REPEATED if its Idempotency-Key issued one
   * already (checked again here, in turn: two requests may race).
   */
  async issue(input: NewCredential): Promise<{ credential: StoredCredential; token: string }> {
    const token = newToken();
    const { requestId, ...fields } = input;
    const credential: StoredCredential = {
      ...fields,
      ...(requestId === undefined ? {} : { requestId }),
      tokenHash: hashToken(token),
      createdAt: this.now().toISOString(),
    };
    await this.change((all) => {
      const earlier = requestId === undefined ? undefined : issuedUnder(all, input.createdBy.memberId, requestId);
      if (earlier) throw new CredentialConflict('REPEATED', `Idempotency-Key ${requestId} already issued credential ${earlier.id}; its token was shown once: rotate it if it was lost`);
      return [...all, credential];
    });
    return { credential, token };
  }

  /**
   * A new token for the credential; the old one stops working once this
   * resolves. REVOKED for a revoked credential; REPEATED when `requestId`
   * is the key of its last rotation (a retry: the token it made is not
   * shown again, and rotating once more would end it).
   */
  async rotate(id: string, by: CredentialActor, requestId?: string): Promise<{ credential: StoredCredential; token: string }> {
    const token = newToken();
    const credential = await this.update(id, (c) => {
      if (c.revokedAt !== undefined) throw new CredentialConflict('REVOKED', `credential ${id} was revoked at ${c.revokedAt}: cannot rotate it`);
      if (requestId !== undefined && c.rotationRequestId === requestId) {
        throw new CredentialConflict('REPEATED', `Idempotency-Key ${requestId} already rotated credential ${id} at ${c.rotatedAt}; its token was shown once: rotate again with a new key if it was lost`);
      }
      const { rotationRequestId: _last, ...rest } = c;
      return { ...rest, tokenHash: hashToken(token), rotatedAt: this.now().toISOString(), rotatedBy: by, ...(requestId === undefined ? {} : { rotationRequestId: requestId }) };
    });
    return { credential, token };
  }

  /** Revokes the credential; its token stops working once this resolves. REVOKED if it is already. */
  revoke(id: string, by: CredentialActor): Promise<StoredCredential> {
    return this.update(id, (c) => {
      if (c.revokedAt !== undefined) throw new CredentialConflict('REVOKED', `credential ${id} is already revoked (at ${c.revokedAt})`);
      return { ...c, revokedAt: this.now().toISOString(), revokedBy: by };
    });
  }

  /** Waits for pending writes (lastUsedAt included). */
  async flush(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  private update(id: string, change: (c: StoredCredential) => StoredCredential): Promise<StoredCredential> {
    let updated: StoredCredential | undefined;
    return this.change((all) =>
      all.map((c) => {
        if (c.id !== id) return c;
        updated = change(c);
        return updated;
      }),
    ).then(() => {
      if (!updated) throw new Error(`no credential ${id}`);
      return updated;
    });
  }

  /**
   * Computes the next list from the current one, writes it durably, then
   * serves it. Once the file is replaced it is what a restart reads, so it
   * is served even when its folder could not be synced (the caller still
   * gets that error): memory never says other than the file.
   */
  private change(next: (all: StoredCredential[]) => StoredCredential[]): Promise<void> {
    const run = this.queue.catch(() => undefined).then(async () => {
      const all = next(this.credentials);
      const serve = () => {
        this.credentials = all;
        this.index();
      };
      try {
        await this.write(all);
      } catch (err) {
        if (err instanceof ReplacedNotSyncedError) serve();
        throw err;
      }
      serve();
    });
    this.queue = run;
    return run;
  }

  private index(): void {
    this.byHash = new Map(this.credentials.map((c) => [c.tokenHash, c]));
  }

  /** lastUsedAt, written at most once a minute per credential; best effort (a failed write is retried by the next call). */
  private touch(c: StoredCredential): void {
    const now = this.now();
    if (c.lastUsedAt !== undefined && now.getTime() - Date.parse(c.lastUsedAt) < LAST_USED_RESOLUTION_MS) return;
    const at = now.toISOString();
    c.lastUsedAt = at; // in memory at once, so concurrent calls do not queue a write each
    void this.change((all) => all.map((x) => (x.id === c.id ? { ...x, lastUsedAt: at } : x))).catch(() => {
      delete c.lastUsedAt;
    });
  }

  private write(all: StoredCredential[]): Promise<void> {
    return writeSecretFile(this.path, JSON.stringify({ version: 1, credentials: all }, null, 2));
  }

}

/** The credential a member issued under an Idempotency-Key, if any. */
function issuedUnder(all: readonly StoredCredential[], memberId: string, requestId: string): StoredCredential | undefined {
  return all.find((c) => c.createdBy.memberId === memberId && c.requestId === requestId);
}
