import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { t } from './i18n';

/*
 * A key pair for a new credential, made in this browser: the gateway is sent
 * only a certificate signing request (PKCS#10, the key's proof of
 * possession), never the private key. The private key is shown to the user
 * once, with the token, and kept nowhere.
 */

x509.cryptoProvider.set(crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface NewKey {
  csr: string;
  privateKeyPem: string;
}

const pem = (label: string, der: ArrayBuffer): string => {
  const base64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${(base64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
};

/** An ECDSA P-256 key pair and a CSR signed with it (the CA names the certificate itself). */
export async function newKeyAndCsr(): Promise<NewKey> {
  // WebCrypto exists only in a secure context: https, or the machine itself.
  if (!globalThis.isSecureContext || !crypto.subtle) throw new Error(t('error.secureContext'));
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=scf-console', keys, signingAlgorithm: ALGORITHM });
  return { csr: csr.toString('pem'), privateKeyPem: pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}
