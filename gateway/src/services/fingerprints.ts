import type { FingerprintKind } from '../../../chaincode/src/domain/types';
import { LedgerError } from '../ledger/ledger';
import type { CallContext, LedgerCalls } from './calls';
import { type CanonicalDocument, CanonicalFormError, fingerprint, type Fingerprinted } from '../../../chaincode/src/domain/canonical';

export interface FingerprintCheck {
  kind: FingerprintKind;
  fingerprint: string;
  claimed: boolean;
  assetType?: string;
  assetId?: string;
}

export class FingerprintService {
  constructor(private readonly calls: LedgerCalls) {}

  /** Canonicalises and hashes; touches no ledger. */
  compute(documents: CanonicalDocument[]): { documents: Fingerprinted[] } {
    return {
      documents: documents.map((d, i) => {
        try {
          return fingerprint(d);
        } catch (err) {
          if (err instanceof CanonicalFormError) throw new LedgerError('VALIDATION_FAILED', `documents.${i}: ${err.message}`);
          throw err;
        }
      }),
    };
  }

  check(ctx: CallContext, fingerprints: Array<{ kind: FingerprintKind; fingerprint: string }>): Promise<FingerprintCheck[]> {
    return this.calls.read(ctx, 'fingerprint:Check', { fingerprints });
  }
}
