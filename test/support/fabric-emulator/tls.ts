import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/*
 * TLS material for the emulated peers: one self-signed ECDSA P-256 CA per
 * organisation and a server certificate per peer, as a Fabric TLS CA issues
 * them. A peer with a host alias gets a certificate for that DNS name only,
 * so a client reaches it only when it overrides the TLS target name (the
 * profile's `hostAlias`), exactly as with a real peer behind 127.0.0.1.
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface TlsServerMaterial {
  /** PEM of the CA that issued the server certificate: the profile's `tlsCaCert`. */
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

let serial = 1;
const nextSerial = (): string => (serial++).toString(16).padStart(2, '0');

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 30 * DAY_MS) };
}

async function keys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

/**
 * A TLS CA named after `org` and a server certificate it issued, valid for
 * `dnsName` when given, else for 127.0.0.1 and localhost.
 */
export async function makeTlsServer(org: string, dnsName: string | undefined): Promise<TlsServerMaterial> {
  const caKeys = await keys();
  const caName: x509.JsonName = [{ O: [org] }, { CN: [`tlsca.${org}`] }];
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: caName,
    keys: caKeys,
    signingAlgorithm: SIGNING,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await keys();
  const names: x509.JsonGeneralNames =
    dnsName === undefined
      ? [
          { type: 'ip', value: '127.0.0.1' },
          { type: 'dns', value: 'localhost' },
        ]
      : [{ type: 'dns', value: dnsName }];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: [{ O: [org] }, { CN: [dnsName ?? '127.0.0.1'] }],
    issuer: caName,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
  return { caCertPem: ca.toString('pem'), certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}
