import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type Principal, StaticTokenDirectory } from '../../credentials';
import type { LedgerIdentity } from '../ledger';
import { EmbeddedCa } from './ca';
import { createOrgCa } from './pki';

/**
 * The embedded ledger's identities: generated on first start, kept in
 * `<dataDir>/identities.json` (mode 0600: it holds private keys and tokens),
 * reused on every later start.
 */

const StoredIdentity = z.object({
  label: z.string(),
  mspId: z.string(),
  token: z.string(),
  certificate: z.string(),
  privateKey: z.string(),
});
const IdentityFile = z.object({
  version: z.literal(1),
  cas: z.array(z.object({ mspId: z.string(), certificate: z.string() })),
  identities: z.array(StoredIdentity),
});
export type StoredIdentity = z.infer<typeof StoredIdentity>;

export interface IdentitySet {
  identities: StoredIdentity[];
  /** True when this start generated them (first start): the caller prints the tokens. */
  created: boolean;
}

export const IDENTITY_FILE = 'identities.json';

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Loads the identity file, or generates it for `wanted` (label, mspId) when there is none. */
export async function loadOrCreateIdentities(
  dataDir: string,
  wanted: ReadonlyArray<{ label: string; mspId: string }>,
): Promise<IdentitySet> {
  const path = join(dataDir, IDENTITY_FILE);
  const existing = await readIfPresent(path);
  if (existing !== undefined) {
    return { identities: IdentityFile.parse(JSON.parse(existing)).identities, created: false };
  }
  const cas = new Map<string, Awaited<ReturnType<typeof createOrgCa>>>();
  for (const mspId of new Set(wanted.map((w) => w.mspId))) cas.set(mspId, await createOrgCa(mspId));
  const identities: StoredIdentity[] = [];
  for (const w of wanted) {
    const issued = await (cas.get(w.mspId) as Awaited<ReturnType<typeof createOrgCa>>).sign(w.label);
    identities.push({ label: w.label, token: randomBytes(24).toString('base64url'), ...issued });
  }
  const file = { version: 1 as const, cas: [...cas.values()].map((c) => ({ mspId: c.mspId, certificate: c.certificate })), identities };
  await mkdir(dataDir, { recursive: true });
  // The CAs with their keys, so that certificates for members' CSRs come from them too.
  await EmbeddedCa.save(dataDir, [...cas.values()]);
  // Write-then-rename: a crash never leaves a half-written file behind.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(file, null, 2), { mode: 0o600 });
  await rename(tmp, path);
  return { identities, created: true };
}

export function toLedgerIdentity(s: StoredIdentity): LedgerIdentity {
  return { mspId: s.mspId, certificate: s.certificate, privateKey: s.privateKey };
}

export function directoryOf(identities: readonly StoredIdentity[]): StaticTokenDirectory {
  return new StaticTokenDirectory(
    identities.map((s) => ({ token: s.token, principal: { label: s.label, identity: toLedgerIdentity(s) } satisfies Principal })),
  );
}
