import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import type { LedgerIdentity } from '../ledger';

/*
 * A tiny PKI for the embedded ledger: one ECDSA P-256 CA per organisation
 * and client certificates it signs, shaped like cryptogen's (CN, OU=client,
 * O=<org>), so the identities behave exactly like Fabric ones in the
 * chaincode (ClientIdentity parses them the same way).
 */

// x509's typings name DOM's Crypto types, which this Node-only build does not load.
x509.cryptoProvider.set(webcrypto as never);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface OrgCa {
  mspId: string;
  certificate: string;
  /** PEM PKCS#8: kept with the data folder's CA file (mode 0600) so the CA can sign again after a restart. */
  privateKey: string;
  /** A new key pair and a certificate for it: the demo identities, whose keys the gateway holds. */
  sign(commonName: string): Promise<LedgerIdentity>;
  /** A certificate for a public key the requester keeps the private key of (a verified CSR's key, SPKI PEM). */
  issue(publicKeyPem: string, commonName: string): Promise<string>;
}

const serial = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

const orgDomain = (mspId: string) => `${mspId.replace(/MSP$/, '').toLowerCase()}.scf.local`;

export async function createOrgCa(mspId: string, now = new Date()): Promise<OrgCa> {
  const domain = orgDomain(mspId);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']));
  const caName = `CN=ca.${domain}, O=${domain}, C=CN`;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore: now,
    notAfter: new Date(now.getTime() + TEN_YEARS_MS),
    signingAlgorithm: ALG,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return orgCa(mspId, caCert, keys.privateKey, await pkcs8Pem(keys.privateKey));
}

/** A CA stored before (certificate and PKCS#8 key, PEM). */
export async function loadOrgCa(stored: { mspId: string; certificate: string; privateKey: string }): Promise<OrgCa> {
  const caCert = new x509.X509Certificate(stored.certificate);
  const der = x509.PemConverter.decodeFirst(stored.privateKey);
  const key = await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
  return orgCa(stored.mspId, caCert, key, stored.privateKey);
}

function orgCa(mspId: string, caCert: x509.X509Certificate, caKey: webcrypto.CryptoKey, caKeyPem: string): OrgCa {
  const domain = orgDomain(mspId);
  // Shaped like cryptogen's client certificates (CN, OU=client, O=<org>).
  const certify = async (publicKey: x509.PublicKeyType, commonName: string, now: Date): Promise<string> => {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${commonName}@${domain}, OU=client, O=${domain}, C=CN`,
      issuer: caCert.subject,
      notBefore: now,
      notAfter: new Date(now.getTime() + TEN_YEARS_MS),
      signingAlgorithm: ALG,
      publicKey: publicKey as never,
      signingKey: caKey as never,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      ],
    });
    return cert.toString('pem') + '\n';
  };
  return {
    mspId,
    certificate: caCert.toString('pem') + '\n',
    privateKey: caKeyPem,
    async sign(commonName: string): Promise<LedgerIdentity> {
      const subjectKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']));
      const certificate = await certify(subjectKeys.publicKey, commonName, caCert.notBefore);
      return { mspId, certificate, privateKey: await pkcs8Pem(subjectKeys.privateKey) };
    },
    async issue(publicKeyPem: string, commonName: string): Promise<string> {
      return certify(new x509.PublicKey(publicKeyPem), commonName, new Date());
    },
  };
}
