import { DomainError } from './errors';
import { newMeta, touch } from './meta';
import {
  FINGERPRINT_ASSET_TYPES,
  FINGERPRINT_KINDS,
  type FingerprintAssetType,
  type FingerprintClaim,
  type FingerprintKind,
  type TxInfo,
} from './types';
import { assertOneOf, assertPattern, assertString, invalid } from './validation';

/** Lowercase hex SHA-256. */
export const FINGERPRINT_RE = /^[0-9a-f]{64}$/;

export function assertFingerprint(value: unknown, field: string): string {
  return assertPattern(value, FINGERPRINT_RE, field, 'a lowercase hex SHA-256 (64 characters 0-9a-f)');
}

export interface FingerprintRef {
  kind: FingerprintKind;
  fingerprint: string;
}

export interface AssetRef {
  assetType: FingerprintAssetType;
  assetId: string;
}

function assertAsset(asset: AssetRef): AssetRef {
  const assetType = assertOneOf(asset.assetType, FINGERPRINT_ASSET_TYPES, 'assetType');
  const assetId = assertString(asset.assetId, 'assetId');
  if (assetId.length === 0) throw invalid('assetId', 'must not be empty');
  return { assetType, assetId };
}

/**
 * Claims (kind, fingerprint) for an asset. `existing` is the record at key
 * FP[kind, fingerprint], read by key in the same transaction as the write.
 * - none, or RELEASED: a new claim (a released record keeps its created* fields).
 * - CLAIMED by this same asset: returned unchanged (nothing to write).
 * - CLAIMED by another asset: DOUBLE_FINANCING naming kind, fingerprint and the holder.
 */
export function claimFingerprint(
  existing: FingerprintClaim | undefined,
  ref: FingerprintRef,
  asset: AssetRef,
  tx: TxInfo,
): FingerprintClaim {
  const kind = assertOneOf(ref.kind, FINGERPRINT_KINDS, 'kind');
  const fingerprint = assertFingerprint(ref.fingerprint, 'fingerprint');
  const { assetType, assetId } = assertAsset(asset);
  if (existing && (existing.kind !== kind || existing.fingerprint !== fingerprint)) {
    throw invalid('fingerprint', `record ${existing.kind}/${existing.fingerprint} does not match ${kind}/${fingerprint}`);
  }
  if (existing?.status === 'CLAIMED') {
    if (existing.assetType === assetType && existing.assetId === assetId) return existing;
    throw new DomainError(
      'DOUBLE_FINANCING',
      kind === 'INVOICE_NUMBER'
        ? `an invoice with this seller, code and number (INVOICE_NUMBER fingerprint ${fingerprint}) is already claimed by ${existing.assetType} ${existing.assetId}: a variant with another amount or issue date is the same invoice`
        : `${kind} fingerprint ${fingerprint} is already claimed by ${existing.assetType} ${existing.assetId}`,
    );
  }
  const fields = { docType: 'fingerprint' as const, kind, fingerprint, assetType, assetId, status: 'CLAIMED' as const };
  return existing ? { ...touch(existing, tx), ...fields } : { ...fields, ...newMeta(tx) };
}

/**
 * CLAIMED -> RELEASED, so the document can back another asset. When `owner`
 * is given, the claim must be held by that asset (a rejected receivable must
 * never free a fingerprint someone else holds): BUSINESS_RULE otherwise.
 */
export function releaseFingerprint(claim: FingerprintClaim, tx: TxInfo, owner?: AssetRef): FingerprintClaim {
  if (claim.status !== 'CLAIMED') {
    throw new DomainError('INVALID_STATE', `${claim.kind} fingerprint ${claim.fingerprint} is ${claim.status}: cannot RELEASE`);
  }
  if (owner && (owner.assetType !== claim.assetType || owner.assetId !== claim.assetId)) {
    throw new DomainError(
      'BUSINESS_RULE',
      `${claim.kind} fingerprint ${claim.fingerprint} is held by ${claim.assetType} ${claim.assetId}, not ${owner.assetType} ${owner.assetId}`,
    );
  }
  return { ...touch(claim, tx), status: 'RELEASED' };
}

/** One row of the `fingerprint:Check` answer. */
export interface FingerprintCheck {
  kind: FingerprintKind;
  fingerprint: string;
  claimed: boolean;
  assetType?: FingerprintAssetType;
  assetId?: string;
}

export function describeClaim(ref: FingerprintRef, existing: FingerprintClaim | undefined): FingerprintCheck {
  const kind = assertOneOf(ref.kind, FINGERPRINT_KINDS, 'kind');
  const fingerprint = assertFingerprint(ref.fingerprint, 'fingerprint');
  if (existing?.status !== 'CLAIMED') return { kind, fingerprint, claimed: false };
  return { kind, fingerprint, claimed: true, assetType: existing.assetType, assetId: existing.assetId };
}
