import { Context, Info, Transaction } from 'fabric-contract-api';
import type { FingerprintClaim } from '../domain/types';
import { FingerprintSpec } from '../ledger/specs';
import { ScfContract } from './base';
import { CheckFingerprintsCommand } from './schemas';

@Info({ title: 'fingerprint', description: 'The anti-double-financing registry of document fingerprints' })
export class FingerprintContract extends ScfContract {
  constructor() {
    super('fingerprint');
  }

  /** Says, for each fingerprint, whether a live asset holds it and which. */
  @Transaction(false)
  async Check(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, CheckFingerprintsCommand, async ({ store }, cmd) => {
      const out = [];
      for (const doc of cmd.fingerprints) {
        const claim = await store.get<FingerprintClaim>(FingerprintSpec.type, [doc.kind, doc.fingerprint]);
        out.push(
          claim && claim.status === 'CLAIMED'
            ? { kind: doc.kind, fingerprint: doc.fingerprint, claimed: true, assetType: claim.assetType, assetId: claim.assetId }
            : { kind: doc.kind, fingerprint: doc.fingerprint, claimed: false },
        );
      }
      return out;
    });
  }
}
