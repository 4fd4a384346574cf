import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

// x509's typings name DOM's Crypto types, which this Node-only build does not load.
x509.cryptoProvider.set(webcrypto as never);

/** A PKCS#10 request that parsed and whose self-signature verifies with the key it carries. */
export interface VerifiedCsr {
  /** The subject's public key, SubjectPublicKeyInfo PEM. */
  publicKeyPem: string;
  /** The subject the requester asked for (informative: the CA names the certificate itself). */
  subject: string;
}

/** Why a CSR was refused; the use case answers 400 VALIDATION_FAILED with it. */
export class CsrError extends Error {
  override readonly name = 'CsrError';
}

/** Curves Fabric's MSPs accept for ECDSA identities. */
const CURVES = new Set(['P-256', 'P-384']);

/**
 * Parses a PEM PKCS#10 certificate signing request and checks its
 * self-signature (proof that the requester holds the private key of the
 * public key it sends). Only ECDSA P-256 / P-384 keys, as Fabric's MSPs use.
 */
export async function verifyCsr(pem: string): Promise<VerifiedCsr> {
  const text = pem.trim();
  if (!/^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n[\s\S]+\r?\n-----END (NEW )?CERTIFICATE REQUEST-----$/.test(text)) {
    throw new CsrError('csr must be one PEM block: -----BEGIN CERTIFICATE REQUEST----- … -----END CERTIFICATE REQUEST-----');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(text.replace(/(BEGIN|END) NEW CERTIFICATE REQUEST/g, '$1 CERTIFICATE REQUEST'));
  } catch (err) {
    throw new CsrError(`csr is not a PKCS#10 certificate request: ${(err as Error).message}`, { cause: err });
  }
  const algorithm = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (algorithm.name !== 'ECDSA' || !CURVES.has(algorithm.namedCurve ?? '')) {
    throw new CsrError(`csr key must be ECDSA on P-256 or P-384, not ${algorithm.name ?? 'unknown'}${algorithm.namedCurve ? ` ${algorithm.namedCurve}` : ''}`);
  }
  let verified: boolean;
  try {
    verified = await csr.verify();
  } catch (err) {
    throw new CsrError(`csr signature cannot be checked: ${(err as Error).message}`, { cause: err });
  }
  if (!verified) throw new CsrError('csr signature does not verify with the public key it carries: it was not signed by that key');
  return { publicKeyPem: csr.publicKey.toString('pem'), subject: csr.subject };
}
