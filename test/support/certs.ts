import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * Real X.509 identities for tests: an ECDSA P-256 CA per MSP (created once
 * and cached) that signs leaf certificates shaped like Fabric's (subject
 * OU=<ou>, CN=<commonName>; issuer O=<mspId>, CN=ca.<mspId>).
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TestIdentity {
  readonly mspId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

interface Ca {
  readonly certificate: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly name: x509.JsonName;
}

const cas = new Map<string, Promise<Ca>>();
let serial = 1;

const nextSerial = (): string => (serial++).toString(16).padStart(2, '0');

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 365 * DAY_MS) };
}

async function createCa(mspId: string): Promise<Ca> {
  const keys = await generateKeys();
  const name: x509.JsonName = [{ O: [mspId] }, { CN: [`ca.${mspId}`] }];
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    keys,
    signingAlgorithm: SIGNING,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys, name };
}

/** The CA of an MSP, created on first use. */
export function getCa(mspId: string): Promise<Ca> {
  let ca = cas.get(mspId);
  if (!ca) {
    ca = createCa(mspId);
    cas.set(mspId, ca);
  }
  return ca;
}

/** A fresh key pair and certificate for `commonName`, signed by the MSP's CA. */
export async function makeIdentity(mspId: string, commonName: string, ou = 'client'): Promise<TestIdentity> {
  const ca = await getCa(mspId);
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: [{ OU: [ou] }, { CN: [commonName] }],
    issuer: ca.name,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGNING,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    mspId,
    certificatePem: certificate.toString('pem'),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}

/** A key pair the test (the member) keeps, and a PKCS#10 request signed with it. */
export async function csrFor(cn = 'erp-client'): Promise<{ pem: string; publicKey: x509.PublicKey }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${cn}, O=Test Member`, keys, signingAlgorithm: SIGNING });
  return { pem: csr.toString('pem'), publicKey: csr.publicKey };
}
