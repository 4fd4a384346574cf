import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { CsrError, verifyCsr } from '../../../gateway/src/credentials';
import { CA_FILE, EmbeddedCa } from '../../../gateway/src/ledger/embedded/ca';
import { loadOrCreateIdentities } from '../../../gateway/src/ledger/embedded/identity-store';

x509.cryptoProvider.set(webcrypto as never);

async function csr(algorithm: object, signing: object): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(algorithm as never, true, ['sign', 'verify']);
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=member', keys: keys as never, signingAlgorithm: signing as never })).toString('pem');
}

describe('embedded CA and CSRs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-ca-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('certifies a CSR key with the CA that issued the demo identities, also after a restart', async () => {
    const set = await loadOrCreateIdentities(dir, [{ label: 'supplier1', mspId: 'PlatformMSP' }]);
    expect((await stat(join(dir, CA_FILE))).mode & 0o777).to.equal(0o600);
    const demo = new x509.X509Certificate(set.identities[0]?.certificate ?? '');
    const request = await verifyCsr(await csr({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }));
    const pem = await (await EmbeddedCa.open(dir)).issue('PlatformMSP', request.publicKeyPem, 'CRD-0000000000000001');
    const cert = new x509.X509Certificate(pem);
    expect(cert.issuer).to.equal(demo.issuer);
    expect(cert.subject).to.contain('CN=CRD-0000000000000001@platform.scf.local').and.contain('OU=client');
    const caCert = JSON.parse(await readFile(join(dir, CA_FILE), 'utf8')).cas[0].certificate as string;
    expect(await cert.verify({ publicKey: new x509.X509Certificate(caCert).publicKey, signatureOnly: true })).to.equal(true);
    expect(cert.publicKey.toString('pem')).to.equal(request.publicKeyPem);
  });

  it('creates a CA for an MSP it has none for, and keeps it', async () => {
    const request = await verifyCsr(await csr({ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }));
    const first = new x509.X509Certificate(await (await EmbeddedCa.open(dir)).issue('NewOrgMSP', request.publicKeyPem, 'a'));
    const second = new x509.X509Certificate(await (await EmbeddedCa.open(dir)).issue('NewOrgMSP', request.publicKeyPem, 'b'));
    expect(first.issuer).to.equal('CN=ca.neworg.scf.local, O=neworg.scf.local, C=CN');
    expect(second.issuer).to.equal(first.issuer);
    expect(second.serialNumber).not.to.equal(first.serialNumber);
  });

  it('refuses a CSR for a key Fabric does not take, and one that is not PEM', async () => {
    const rsa = await csr({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' });
    for (const [pem, says] of [
      [rsa, 'ECDSA on P-256 or P-384'],
      ['MIIB', 'one PEM block'],
      ['-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAA=\n-----END CERTIFICATE REQUEST-----', 'not a PKCS#10'],
    ] as const) {
      const err = await verifyCsr(pem).then(
        () => expect.fail('accepted'),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(CsrError);
      expect((err as Error).message).to.contain(says);
    }
  });
});
