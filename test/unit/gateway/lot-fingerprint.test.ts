import { expect } from 'chai';
import { lotFingerprint } from '../../../chaincode/src/domain/warehouse';
import { fingerprint } from '../../../chaincode/src/domain/canonical';

/**
 * The chaincode claims a warehouse receipt's lot under a fingerprint it
 * computes itself; a bank checking the lot through POST /fingerprints/check
 * hashes it in the gateway. Both must give the same bytes.
 */
describe('lot fingerprints', () => {
  it('are the same whether the chaincode or the gateway computes them, whatever the lot id casing and spacing', () => {
    const warehouse = '91370200MA00WH001X';
    for (const lotId of ['QD-2026-0042', ' qd-2026-0042 ', 'Lot/7.a_1']) {
      const fromGateway = fingerprint({ kind: 'LOT', warehouseId: warehouse, lotId }).fingerprint;
      expect(fromGateway).to.equal(lotFingerprint(warehouse, lotId));
    }
    expect(lotFingerprint(warehouse, 'A')).to.not.equal(lotFingerprint(warehouse, 'B'));
  });
});
