import { expect } from 'chai';
import { claimFingerprint, describeClaim, FINGERPRINT_RE, releaseFingerprint } from '../../../chaincode/src/domain/fingerprints';
import type { FingerprintClaim } from '../../../chaincode/src/domain/types';
import { deepFreeze, expectDomainError, expectJsonClean, fp, TX, txAt } from './fixtures';

const LATER = txAt('2025-04-01', 'tx-later');
const INVOICE = { kind: 'INVOICE' as const, fingerprint: fp(0xabc) };
const RCV1 = { assetType: 'RECEIVABLE' as const, assetId: 'RCV-1' };
const RCV2 = { assetType: 'RECEIVABLE' as const, assetId: 'RCV-2' };

describe('domain/fingerprints', () => {
  it('recognises lowercase hex SHA-256 only', () => {
    expect(FINGERPRINT_RE.test('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).to.equal(true);
    expect(FINGERPRINT_RE.test('E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855')).to.equal(false);
    expect(FINGERPRINT_RE.test('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85')).to.equal(false);
    expect(FINGERPRINT_RE.test('g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).to.equal(false);
  });

  describe('claimFingerprint', () => {
    it('claims an unclaimed fingerprint for the asset', () => {
      const c = claimFingerprint(undefined, INVOICE, RCV1, TX);
      expect(c).to.deep.equal({
        docType: 'fingerprint',
        kind: 'INVOICE',
        fingerprint: fp(0xabc),
        assetType: 'RECEIVABLE',
        assetId: 'RCV-1',
        status: 'CLAIMED',
        createdAt: TX.now,
        updatedAt: TX.now,
        createdTxId: TX.txId,
        updatedTxId: TX.txId,
      });
      expectJsonClean(c);
    });

    it('refuses a fingerprint another live asset holds, naming kind, fingerprint and holder', () => {
      const held = deepFreeze(claimFingerprint(undefined, INVOICE, RCV1, TX));
      const err = expectDomainError(() => claimFingerprint(held, INVOICE, RCV2, LATER), 'DOUBLE_FINANCING');
      expect(err.detail).to.equal(`INVOICE fingerprint ${fp(0xabc)} is already claimed by RECEIVABLE RCV-1`);
    });

    it('refuses a lot held by another warehouse receipt', () => {
      const lot = { kind: 'LOT' as const, fingerprint: fp(0x107) };
      const held = claimFingerprint(undefined, lot, { assetType: 'WAREHOUSE_RECEIPT', assetId: 'WRC-1' }, TX);
      expectDomainError(
        () => claimFingerprint(held, lot, { assetType: 'WAREHOUSE_RECEIPT', assetId: 'WRC-2' }, LATER),
        'DOUBLE_FINANCING',
        'LOT fingerprint',
      );
    });

    it('returns the claim unchanged when the same asset claims it again', () => {
      const held = deepFreeze(claimFingerprint(undefined, INVOICE, RCV1, TX));
      expect(claimFingerprint(held, INVOICE, RCV1, LATER)).to.equal(held);
    });

    it('lets another asset claim a released fingerprint, keeping the record creation', () => {
      const released = deepFreeze(releaseFingerprint(claimFingerprint(undefined, INVOICE, RCV1, TX), LATER));
      const again = claimFingerprint(released, INVOICE, RCV2, txAt('2025-05-01', 'tx-again'));
      expect(again).to.include({ status: 'CLAIMED', assetId: 'RCV-2', createdTxId: TX.txId, updatedTxId: 'tx-again' });
    });

    const invalid: [string, () => unknown, string][] = [
      ['an unknown kind', () => claimFingerprint(undefined, { kind: 'PASSPORT' as never, fingerprint: fp(1) }, RCV1, TX), 'kind'],
      ['an upper-case fingerprint', () => claimFingerprint(undefined, { kind: 'INVOICE', fingerprint: 'A'.repeat(64) }, RCV1, TX), 'fingerprint'],
      ['an unknown asset type', () => claimFingerprint(undefined, INVOICE, { assetType: 'VOUCHER' as never, assetId: 'VCH-1' }, TX), 'assetType'],
      ['an empty asset id', () => claimFingerprint(undefined, INVOICE, { assetType: 'RECEIVABLE', assetId: '' }, TX), 'assetId'],
      [
        'an existing record of another key',
        () => claimFingerprint(claimFingerprint(undefined, { kind: 'CONTRACT', fingerprint: fp(0xabc) }, RCV1, TX), INVOICE, RCV2, TX),
        'does not match',
      ],
    ];
    for (const [what, fn, field] of invalid) {
      it(`rejects ${what}`, () => {
        expectDomainError(fn, 'VALIDATION_FAILED', field);
      });
    }
  });

  describe('releaseFingerprint', () => {
    let held: FingerprintClaim;
    before(() => {
      held = deepFreeze(claimFingerprint(undefined, INVOICE, RCV1, TX));
    });

    it('releases a claim', () => {
      const r = releaseFingerprint(held, LATER, RCV1);
      expect(r).to.include({ status: 'RELEASED', assetId: 'RCV-1', updatedTxId: LATER.txId, createdTxId: TX.txId });
      expect(held.status).to.equal('CLAIMED');
    });

    it('refuses to release twice', () => {
      const r = releaseFingerprint(held, LATER);
      expectDomainError(() => releaseFingerprint(r, LATER), 'INVALID_STATE', 'RELEASED');
    });

    it('refuses to release a claim held by another asset', () => {
      expectDomainError(() => releaseFingerprint(held, LATER, RCV2), 'BUSINESS_RULE', 'RCV-1');
    });
  });

  describe('describeClaim', () => {
    it('reports unclaimed, claimed and released fingerprints', () => {
      const held = claimFingerprint(undefined, INVOICE, RCV1, TX);
      expect(describeClaim(INVOICE, undefined)).to.deep.equal({ ...INVOICE, claimed: false });
      expect(describeClaim(INVOICE, held)).to.deep.equal({ ...INVOICE, claimed: true, assetType: 'RECEIVABLE', assetId: 'RCV-1' });
      expect(describeClaim(INVOICE, releaseFingerprint(held, LATER))).to.deep.equal({ ...INVOICE, claimed: false });
    });
    it('rejects a malformed fingerprint', () => {
      expectDomainError(() => describeClaim({ kind: 'INVOICE', fingerprint: 'xyz' }, undefined), 'VALIDATION_FAILED', 'fingerprint');
    });
  });
});
