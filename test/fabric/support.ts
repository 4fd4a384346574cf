import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setUpDemoWhenReady } from '../../gateway/src/demo/setup';
import { FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger';
import { type FabricProfile, loadFabricProfile } from '../../gateway/src/ledger/fabric/profile';
import type { LedgerIdentity } from '../../gateway/src/ledger/ledger';
import type { CanonicalDocument, InvoiceDoc } from '../../chaincode/src/domain/canonical';
import type { Layout } from '../../network/src/layout';
import { profilePath, resolveLayout } from '../../network/src/network';

/**
 * The real-network suites run against the network test/fabric/run.ts brought
 * up (SCF_NETWORK_DIR names its run folder). Run alone, without that network,
 * they fail at once saying so: they never pass without real peers.
 */
export interface RealNetwork {
  layout: Layout;
  profile: FabricProfile;
  ledger: FabricLedger;
  as(label: string): LedgerIdentity;
  close(): Promise<void>;
}

export async function connectToTestNetwork(): Promise<RealNetwork> {
  const runDir = process.env.SCF_NETWORK_DIR;
  if (!runDir) throw new Error('SCF_NETWORK_DIR is not set: run these suites with `npm run test:fabric`, which brings the network up');
  const layout = resolveLayout({ runDir });
  if (!existsSync(profilePath(layout))) throw new Error(`no gateway profile in ${runDir}: is the network up?`);
  const profile = loadFabricProfile(profilePath(layout));
  const ledger = new FabricLedger(profile);
  const identities = new Map(profile.identities.map((i) => [i.label, i.identity]));
  await setUpDemoWhenReady(ledger, identities);
  return {
    layout,
    profile,
    ledger,
    as(label) {
      const identity = identities.get(label);
      if (!identity) throw new Error(`no identity ${label} in the profile`);
      return identity;
    },
    close: () => ledger.close(),
  };
}

/** A proposal's transient map carrying documents' canonical fields under `documents`, as the gateway sends them. */
export const documentsTransient = (...documents: CanonicalDocument[]): { transient: Record<string, Uint8Array> } => ({
  transient: { documents: Buffer.from(JSON.stringify(documents), 'utf8') },
});

/**
 * The canonical fields of a fresh invoice (the chaincode computes its fingerprint from them), billed for
 * more than any receivable a test registers on it (a receivable is at most its invoices' total).
 */
export const freshInvoice = (): InvoiceDoc => ({
  kind: 'INVOICE',
  sellerTaxId: '91320500100000003E',
  invoiceCode: '',
  invoiceNumber: `F${randomBytes(10).toString('hex').toUpperCase()}`,
  amount: '1000000000000',
  issueDate: '2026-01-02',
});

export function isoDate(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}
