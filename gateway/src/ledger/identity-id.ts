import { ClientIdentity } from 'fabric-shim';
import { LedgerError } from './ledger';

/**
 * The id the chaincode sees for a certificate: exactly what fabric-shim's
 * `ClientIdentity.getID()` returns (`x509::<subject DN>::<issuer DN>`), got by
 * running fabric-shim itself on a minimal stub rather than re-deriving the
 * DN formatting. Used to bind identities by certificate.
 */
export function identityIdOf(mspId: string, certificatePem: string): string {
  const stub = {
    getChannelID: () => 'scf',
    getTxID: () => 'identity-id',
    getCreator: () => ({ mspid: mspId, idBytes: Buffer.from(certificatePem, 'utf8') }),
  };
  try {
    return new ClientIdentity(stub as never).getID();
  } catch (err) {
    throw new LedgerError('VALIDATION_FAILED', 'certificate is not a PEM X.509 certificate', { cause: err });
  }
}
