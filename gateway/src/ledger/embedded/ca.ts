import { join } from 'node:path';
import { z } from 'zod';
import { readSecretFile, writeSecretFile } from '../../credentials';
import { createOrgCa, loadOrgCa, type OrgCa } from './pki';

/**
 * The embedded network's certificate authorities: one per MSP, kept with
 * their private keys in `<dataDir>/ca.json` (mode 0600), so certificates for
 * members' CSRs come from the same CA as the demo identities. The demo
 * set-up writes the file on a fresh data folder; an MSP without a CA there
 * (a data folder from before this file existed, or a member of a new MSP)
 * gets one when it is first needed. The embedded ledger trusts every
 * certificate its gateway submits with, so a second CA for an MSP changes
 * nothing on chain.
 */

export const CA_FILE = 'ca.json';

const StoredCa = z.object({ mspId: z.string(), certificate: z.string(), privateKey: z.string() });
const CaFile = z.object({ version: z.literal(1), cas: z.array(StoredCa) });

export class EmbeddedCa {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly cas: Map<string, OrgCa>,
  ) {}

  static async open(dataDir: string): Promise<EmbeddedCa> {
    const path = join(dataDir, CA_FILE);
    const cas = new Map<string, OrgCa>();
    const text = await readSecretFile(path);
    if (text !== undefined) {
      for (const stored of CaFile.parse(JSON.parse(text)).cas) cas.set(stored.mspId, await loadOrgCa(stored));
    }
    return new EmbeddedCa(path, cas);
  }

  /** Writes the CAs of a fresh data folder (the demo identities' CAs). */
  static async save(dataDir: string, cas: readonly OrgCa[]): Promise<void> {
    await writeCas(join(dataDir, CA_FILE), cas);
  }

  /**
   * A certificate of `mspId`'s CA for a public key whose private key the
   * requester keeps (SPKI PEM of a verified CSR), named `commonName`.
   */
  issue(mspId: string, publicKeyPem: string, commonName: string): Promise<string> {
    const run = this.queue.catch(() => undefined).then(async () => {
      const ca = this.cas.get(mspId) ?? (await this.create(mspId));
      return ca.issue(publicKeyPem, commonName);
    });
    this.queue = run;
    return run;
  }

  private async create(mspId: string): Promise<OrgCa> {
    const ca = await createOrgCa(mspId);
    await writeCas(this.path, [...this.cas.values(), ca]);
    this.cas.set(mspId, ca);
    return ca;
  }
}

function writeCas(path: string, cas: readonly OrgCa[]): Promise<void> {
  const stored = cas.map((c) => ({ mspId: c.mspId, certificate: c.certificate, privateKey: c.privateKey }));
  return writeSecretFile(path, JSON.stringify({ version: 1, cas: stored }, null, 2));
}
