import type { FingerprintKind } from '../../../chaincode/src/domain/types';
import { LedgerError } from '../ledger/ledger';
import type { CallContext, LedgerCalls } from './calls';
import { type CanonicalDocument, CanonicalFormError, fingerprint, type Fingerprinted, invoiceNumberOf } from '../../../chaincode/src/domain/canonical';

/** A fingerprint computed, and for an invoice also its INVOICE_NUMBER one, which the ledger claims beside it. */
export type Computed = Fingerprinted & { invoiceNumber?: { canonical: string; fingerprint: string } };

export interface FingerprintCheck {
  kind: FingerprintKind;
  fingerprint: string;
  claimed: boolean;
  assetType?: string;
  assetId?: string;
}

export class FingerprintService {
  constructor(private readonly calls: LedgerCalls) {}

  /**
   * Canonicalises and hashes; touches no ledger. An invoice's entry also
   * carries its INVOICE_NUMBER fingerprint: checking both tells a bank of a
   * variant of a claimed invoice (another amount or issue date) too.
   */
  compute(documents: CanonicalDocument[]): { documents: Computed[] } {
    return {
      documents: documents.map((d, i): Computed => {
        try {
          if (d.kind !== 'INVOICE') return fingerprint(d);
          const { canonical, fingerprint: hash } = fingerprint(invoiceNumberOf(d));
          return { ...fingerprint(d), invoiceNumber: { canonical, fingerprint: hash } };
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
