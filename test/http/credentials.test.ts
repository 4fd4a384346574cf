import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { expect } from 'chai';
import { randomInt, webcrypto } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import { csrFor, makeIdentity } from '../support/certs';
import { CORE, expectProblem, freshInvoice, isoDate, startGateway, type TestGateway } from './harness';
import { SseClient } from './sse-client';

x509.cryptoProvider.set(webcrypto as never);

/*
 * Members who can sign in (issue 11, item 1), over HTTP. On the embedded
 * ledger the whole story runs: the operator registers a member, the member
 * sends a CSR and gets a certificate and a token, signs in, registers a
 * receivable; its token revoked, the next call is 401. Through the Fabric
 * connector there is no embedded CA: the same calls are asserted to answer
 * 409 INVALID_STATE naming the org's own CA, while who may ask (403) and
 * what a CSR must be (400) are checked the same on every connector.
 */
const ON_FABRIC = process.env.SCF_TEST_LEDGER === 'fabric' || process.env.SCF_TEST_LEDGER === 'fabric-emulated';
const CONNECTOR = process.env.SCF_TEST_LEDGER ?? 'embedded';

const newMemberId = () => withCheckChar(`9133010020${String(randomInt(1e7)).padStart(7, '0')}`);

/**
 * A client identity from the Platform org's own CA, as an org enrols one: on
 * the real test network that is cryptogen's CA in the run folder
 * (SCF_NETWORK_DIR), on the emulator the CA its MSP trusts.
 */
async function enrolWithOrgCa(commonName: string): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const runDir = process.env.SCF_NETWORK_DIR;
  if (CONNECTOR !== 'fabric' || runDir === undefined) return makeIdentity('PlatformMSP', commonName);
  const caDir = join(runDir, 'crypto', 'peerOrganizations', 'platform.scf', 'ca');
  const certFile = (await readdir(caDir)).find((f) => f.endsWith('-cert.pem'));
  if (!certFile) throw new Error(`no CA certificate in ${caDir}`);
  const caCert = new x509.X509Certificate(await readFile(join(caDir, certFile), 'utf8'));
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(await readFile(join(caDir, 'priv_sk'), 'utf8')), alg, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `01${randomInt(1e9).toString(16)}`,
    subject: `CN=${commonName}@platform.scf, OU=client, L=Shanghai, C=CN`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: alg,
    publicKey: keys.publicKey as never,
    signingKey: caKey as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificatePem: cert.toString('pem'), privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** The same request with one bit of its signature flipped: well-formed, but its signature does not verify. */
function tampered(pem: string): string {
  const der = Buffer.from(x509.PemConverter.decodeFirst(pem));
  der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01;
  return x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
}

describe(`HTTP: credentials, members who can sign in (${CONNECTOR})`, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  const registerMember = async (roles: string[] = ['SUPPLIER']): Promise<string> => {
    const id = newMemberId();
    const res = await gw.http
      .post('/members')
      .set('Authorization', gw.auth('operator-admin'))
      .send({ id, name: 'Suzhou Signing Supplier', mspId: 'PlatformMSP', roles });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return id;
  };
  const issue = (memberId: string, body: object, auth: string) =>
    gw.http.post(`/members/${memberId}/credentials`).set('Authorization', auth).send(body);
  const bearer = (token: string) => `Bearer ${token}`;

  /** Asserts a refused request added no block and no credential. */
  async function writesNothing(memberId: string, request: () => Promise<unknown>): Promise<void> {
    const height = await gw.ledger.height();
    await request();
    expect(await gw.ledger.height()).to.equal(height);
    if (!ON_FABRIC) {
      const listed = await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', gw.auth('operator-admin'));
      expect(listed.body.credentials).to.deep.equal([]);
    }
  }

  if (!ON_FABRIC) {
    it('runs the whole story: registered, CSR in, certificate and token out, sign in, a receivable, revoked, 401', async () => {
      const memberId = await registerMember();
      const { pem, publicKey } = await csrFor();
      const issued = await issue(memberId, { csr: pem, userRole: 'ADMIN', label: 'erp-client' }, gw.auth('operator-admin'));
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      expect(issued.headers['cache-control']).to.equal('no-store');
      expect(issued.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      const { credential, certificate, token } = issued.body;
      expect(token).to.match(/^scf_[A-Za-z0-9_-]{43}$/);
      expect(credential).to.include({ memberId, mspId: 'PlatformMSP', userRole: 'ADMIN', label: 'erp-client' });
      expect(credential.id).to.match(/^CRD-[0-9A-F]{16}$/);
      expect(credential).not.to.have.property('tokenHash');
      // The certificate is for the member's own key, named by the embedded CA of its MSP.
      const cert = new x509.X509Certificate(certificate);
      expect(Buffer.from(cert.publicKey.rawData).equals(Buffer.from(publicKey.rawData))).to.equal(true);
      expect(cert.subject).to.contain(`CN=${credential.id}@platform.scf.local`);
      expect(cert.issuer).to.contain('CN=ca.platform.scf.local');

      // Signs in: the token is the new member, bound on chain with the role asked for.
      const me = await gw.http.get('/me').set('Authorization', bearer(token));
      expect(me.status).to.equal(200);
      expect(me.body.member.id).to.equal(memberId);
      expect(me.body.identity).to.include({ memberId, userRole: 'ADMIN', identityId: credential.identityId, createdBy: '91310000100000001A' });

      // Registers a receivable as itself, on its own invoice, with the new token.
      const rcv = await gw.http
        .post('/receivables')
        .set('Authorization', bearer(token))
        .send({ debtor: CORE(), amount: '1000000', dueDate: isoDate(120), documents: [freshInvoice({ sellerTaxId: memberId })] });
      expect(rcv.status, JSON.stringify(rcv.body)).to.equal(201);
      expect(rcv.body).to.include({ creditor: memberId, debtor: CORE(), createdBy: memberId, status: 'PENDING' });

      // Listed as metadata: no token, no hash; the use is recorded.
      const listed = await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', gw.auth('operator-admin'));
      expect(listed.status).to.equal(200);
      expect(listed.body.credentials).to.have.length(1);
      expect(listed.body.credentials[0]).to.include({ id: credential.id, identityId: credential.identityId });
      expect(listed.body.credentials[0].lastUsedAt).to.be.a('string');
      expect(JSON.stringify(listed.body)).not.to.contain(token.slice(4));

      // Revoked: the very next call is 401.
      const revoked = await gw.http.delete(`/members/${memberId}/credentials/${credential.id}`).set('Authorization', gw.auth('operator-admin'));
      expect(revoked.status).to.equal(200);
      expect(revoked.body.revokedAt).to.be.a('string');
      expect(revoked.body.revokedBy.memberId).to.equal('91310000100000001A');
      expectProblem(await gw.http.get('/me').set('Authorization', bearer(token)), 401, 'UNAUTHENTICATED');
      expectProblem(await gw.http.delete(`/members/${memberId}/credentials/${credential.id}`).set('Authorization', gw.auth('operator-admin')), 409, 'INVALID_STATE');
    });

    it("lets the member's ADMIN issue for its own member, and refuses it for another (403, nothing written)", async () => {
      const memberId = await registerMember();
      const admin = (await issue(memberId, { csr: (await csrFor('admin')).pem, userRole: 'ADMIN' }, gw.auth('operator-admin'))).body;
      const clerk = await issue(memberId, { csr: (await csrFor('clerk')).pem, userRole: 'MAKER' }, bearer(admin.token));
      expect(clerk.status, JSON.stringify(clerk.body)).to.equal(201);
      expect(clerk.body.credential.createdBy.memberId).to.equal(memberId);
      const me = await gw.http.get('/me').set('Authorization', bearer(clerk.body.token));
      expect(me.body.identity).to.include({ memberId, userRole: 'MAKER', createdBy: memberId });
      // The ADMIN's binding is an offer; this identity is new, made from the CSR, and the gateway accepted it as it.
      expect(me.body.identity).not.to.have.property('pendingAcceptance');
      expect(me.body.identity.acceptedAt).to.be.a('string');

      const other = await registerMember();
      const { pem } = await csrFor();
      await writesNothing(other, async () => expectProblem(await issue(other, { csr: pem, userRole: 'MAKER' }, bearer(admin.token)), 403, 'FORBIDDEN'));
      // A MAKER of the member may not issue, even for its own member.
      expectProblem(await issue(memberId, { csr: pem, userRole: 'ADMIN' }, bearer(clerk.body.token)), 403, 'FORBIDDEN');
    });

    it("keeps approvers the operator's: an ADMIN issues no CHECKER or ADMIN (403, nothing written) and rotates only its own token and those it issued", async () => {
      const memberId = await registerMember();
      const operator = gw.auth('operator-admin');
      const admin = (await issue(memberId, { csr: (await csrFor('admin')).pem, userRole: 'ADMIN' }, operator)).body;
      const ids = async () => (await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', operator)).body.credentials.map((c: { id: string }) => c.id);
      const before = await ids();
      for (const userRole of ['CHECKER', 'ADMIN']) {
        const height = await gw.ledger.height();
        const res = await issue(memberId, { csr: (await csrFor()).pem, userRole }, bearer(admin.token));
        expectProblem(res, 403, 'FORBIDDEN');
        expect(res.body.detail).to.contain('the operator binds them');
        expect(await gw.ledger.height()).to.equal(height);
      }
      expect(await ids()).to.deep.equal(before);

      const rotate = (id: string, auth: string) => gw.http.post(`/members/${memberId}/credentials/${id}/rotate`).set('Authorization', auth);
      const checker = (await issue(memberId, { csr: (await csrFor('checker')).pem, userRole: 'CHECKER' }, operator)).body;
      const clerk = (await issue(memberId, { csr: (await csrFor('clerk')).pem, userRole: 'MAKER' }, bearer(admin.token))).body;
      // Its new token would let the ADMIN act as the checker: refused, and the checker's token still works.
      const taken = await rotate(checker.credential.id, bearer(admin.token));
      expectProblem(taken, 403, 'FORBIDDEN');
      expect(taken.body).not.to.have.property('token');
      expect((await gw.http.get('/me').set('Authorization', bearer(checker.token))).status).to.equal(200);
      // Promoted by the operator, the clerk stays the ADMIN's to rotate: dual control counts it as possibly the ADMIN's own.
      const roleOf = async (id: string) =>
        (await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', operator)).body.credentials.find((c: { id: string }) => c.id === id).userRole;
      expect(await roleOf(clerk.credential.id)).to.equal('MAKER');
      await gw.http.post(`/members/${memberId}/identities`).set('Authorization', operator).send({ mspId: 'PlatformMSP', identityId: clerk.credential.identityId, userRole: 'CHECKER' });
      expect(await roleOf(clerk.credential.id), 'the list shows the role bound on chain now').to.equal('CHECKER');
      expect((await rotate(clerk.credential.id, bearer(admin.token))).status).to.equal(200);
      const own = await rotate(admin.credential.id, bearer(admin.token));
      expect(own.status).to.equal(200);
      expect((await rotate(checker.credential.id, operator)).status).to.equal(200);
    });

    it("makes an identity its member's ADMIN binds act as nobody until it accepts (POST …/identities/accept), naming the member", async () => {
      const memberId = await registerMember();
      const operator = gw.auth('operator-admin');
      const admin = (await issue(memberId, { csr: (await csrFor('admin')).pem, userRole: 'ADMIN' }, operator)).body;
      // An identity with a token that is bound to nobody: the operator issued it elsewhere and unbound it.
      const elsewhere = await registerMember();
      const clerk = (await issue(elsewhere, { csr: (await csrFor('clerk')).pem, userRole: 'MAKER' }, operator)).body;
      const identity = { mspId: 'PlatformMSP', identityId: clerk.credential.identityId };
      expect((await gw.http.post(`/members/${elsewhere}/identities/unbind`).set('Authorization', operator).send(identity)).status).to.equal(200);

      const offered = await gw.http.post(`/members/${memberId}/identities`).set('Authorization', bearer(admin.token)).send({ ...identity, userRole: 'MAKER' });
      expect(offered.status, JSON.stringify(offered.body)).to.equal(201);
      expect(offered.body).to.include({ memberId, pendingAcceptance: true });
      const accept = (id: string, body: object = {}) => gw.http.post(`/members/${id}/identities/accept`).set('Authorization', bearer(clerk.token)).send(body);
      const height = await gw.ledger.height();
      const me = await gw.http.get('/me').set('Authorization', bearer(clerk.token));
      expectProblem(me, 403, 'FORBIDDEN');
      expect(me.body.detail).to.contain(`offered to member ${memberId}`).and.contain('/identities/accept');
      const offer = await gw.http.get('/me/offer').set('Authorization', bearer(clerk.token));
      expect(offer.status, JSON.stringify(offer.body)).to.equal(200);
      expect(offer.body.member).to.include({ id: memberId, name: 'Suzhou Signing Supplier', status: 'ACTIVE' });
      expect(offer.body.identity).to.include({ userRole: 'MAKER', pendingAcceptance: true });
      expectProblem(await accept(elsewhere), 404, 'NOT_FOUND');
      expectProblem(await accept(memberId, { memberId }), 400, 'VALIDATION_FAILED');
      expect(await gw.ledger.height()).to.equal(height);

      const accepted = await accept(memberId);
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      expect(accepted.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      expect(accepted.body).to.include({ memberId, userRole: 'MAKER' }).and.not.to.have.property('pendingAcceptance');
      expect((await gw.http.get('/me').set('Authorization', bearer(clerk.token))).body.member.id).to.equal(memberId);
      expectProblem(await gw.http.get('/me/offer').set('Authorization', bearer(clerk.token)), 404, 'NOT_FOUND');
      expectProblem(await accept(memberId), 409, 'INVALID_STATE');
    });

    it("refuses an unbound credential's token everywhere (403), and lists it as unbound", async () => {
      const memberId = await registerMember();
      const operator = gw.auth('operator-admin');
      const admin = (await issue(memberId, { csr: (await csrFor('admin')).pem, userRole: 'ADMIN' }, operator)).body;
      const clerk = (await issue(memberId, { csr: (await csrFor('clerk')).pem, userRole: 'MAKER' }, bearer(admin.token))).body;
      const res = await gw.http.post(`/members/${memberId}/identities/unbind`).set('Authorization', bearer(admin.token)).send({ mspId: 'PlatformMSP', identityId: clerk.credential.identityId });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expectProblem(await gw.http.get('/me').set('Authorization', bearer(clerk.token)), 403, 'FORBIDDEN');
      const listed = (await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', bearer(admin.token))).body.credentials;
      expect(listed.find((c: { id: string }) => c.id === clerk.credential.id)).to.include({ unbound: true, userRole: 'MAKER' });
      expect(listed.find((c: { id: string }) => c.id === admin.credential.id)).not.to.have.property('unbound');
    });

    it('rotates a token: the new one signs in, the old one is 401 at once', async () => {
      const memberId = await registerMember();
      const first = (await issue(memberId, { csr: (await csrFor()).pem, userRole: 'ADMIN' }, gw.auth('operator-admin'))).body;
      const rotated = await gw.http
        .post(`/members/${memberId}/credentials/${first.credential.id}/rotate`)
        .set('Authorization', bearer(first.token));
      expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
      expect(rotated.headers['cache-control']).to.equal('no-store');
      expect(rotated.body.token).not.to.equal(first.token);
      expect(rotated.body.certificate).to.equal(first.certificate);
      expectProblem(await gw.http.get('/me').set('Authorization', bearer(first.token)), 401, 'UNAUTHENTICATED');
      expect((await gw.http.get('/me').set('Authorization', bearer(rotated.body.token))).body.member.id).to.equal(memberId);
    });

    it('answers a repeated Idempotency-Key with 409 naming the credential, issuing nothing more', async () => {
      const memberId = await registerMember();
      const { pem } = await csrFor();
      const key = `crd-${randomInt(1e9)}`;
      const first = await issue(memberId, { csr: pem, userRole: 'MAKER' }, gw.auth('operator-admin')).set('Idempotency-Key', key);
      expect(first.status).to.equal(201);
      const height = await gw.ledger.height();
      const again = await issue(memberId, { csr: pem, userRole: 'MAKER' }, gw.auth('operator-admin')).set('Idempotency-Key', key);
      expectProblem(again, 409, 'ALREADY_EXISTS');
      expect(again.body.detail).to.contain(first.body.credential.id);
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('issues once for two requests racing with one Idempotency-Key: the other is 409, one credential, one binding', async () => {
      const memberId = await registerMember();
      const key = `crd-${randomInt(1e9)}`;
      const send = async () => issue(memberId, { csr: (await csrFor()).pem, userRole: 'MAKER' }, gw.auth('operator-admin')).set('Idempotency-Key', key);
      const height = await gw.ledger.height();
      const answers = await Promise.all([send(), send()]);
      expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 409]);
      expect(answers.find((a) => a.status === 409)?.body.code).to.equal('ALREADY_EXISTS');
      const listed = await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', gw.auth('operator-admin'));
      expect(listed.body.credentials).to.have.length(1);
      expect(await gw.ledger.height(), 'one BindIdentity').to.equal(height + 1);
    });

    it('answers 409, not a failure, to a revoke racing a rotate or a second revoke, and the token ends revoked', async () => {
      const memberId = await registerMember();
      const operator = gw.auth('operator-admin');
      const path = (id: string) => `/members/${memberId}/credentials/${id}`;
      const first = (await issue(memberId, { csr: (await csrFor()).pem, userRole: 'ADMIN' }, operator)).body;
      const [revoked, rotated] = await Promise.all([gw.http.delete(path(first.credential.id)).set('Authorization', operator), gw.http.post(`${path(first.credential.id)}/rotate`).set('Authorization', operator)]);
      expect(revoked.status).to.equal(200);
      expectProblem(rotated, 409, 'INVALID_STATE');
      const second = (await issue(memberId, { csr: (await csrFor()).pem, userRole: 'ADMIN' }, operator)).body;
      const twice = await Promise.all([gw.http.delete(path(second.credential.id)).set('Authorization', operator), gw.http.delete(path(second.credential.id)).set('Authorization', operator)]);
      expect(twice.map((a) => a.status).sort()).to.deep.equal([200, 409]);
      for (const token of [first.token, second.token]) expectProblem(await gw.http.get('/me').set('Authorization', bearer(token)), 401, 'UNAUTHENTICATED');
    });

    it('rotates once for a repeated Idempotency-Key: the retry is 409 and the token of the first rotation keeps working', async () => {
      const memberId = await registerMember();
      const first = (await issue(memberId, { csr: (await csrFor()).pem, userRole: 'ADMIN' }, gw.auth('operator-admin'))).body;
      const rotate = (key: string) => gw.http.post(`/members/${memberId}/credentials/${first.credential.id}/rotate`).set('Authorization', gw.auth('operator-admin')).set('Idempotency-Key', key);
      const rotated = await rotate('rot-1');
      expect(rotated.status).to.equal(200);
      const again = await rotate('rot-1');
      expectProblem(again, 409, 'ALREADY_EXISTS');
      expect(again.body.detail).to.contain(first.credential.id);
      expect(again.body).not.to.have.property('token');
      expect((await gw.http.get('/me').set('Authorization', bearer(rotated.body.token))).status).to.equal(200);
      // A new key rotates again; the key is not shown in the metadata.
      const next = await rotate('rot-2');
      expect(next.status).to.equal(200);
      expectProblem(await gw.http.get('/me').set('Authorization', bearer(rotated.body.token)), 401, 'UNAUTHENTICATED');
      expect(JSON.stringify(next.body.credential)).not.to.contain('rot-2');
    });

    it("lets a suspended member's ADMIN list and revoke its credentials (incident response), but not issue or rotate one", async () => {
      const memberId = await registerMember();
      const operator = gw.auth('operator-admin');
      const admin = (await issue(memberId, { csr: (await csrFor()).pem, userRole: 'ADMIN' }, operator)).body;
      const clerk = (await issue(memberId, { csr: (await csrFor()).pem, userRole: 'MAKER' }, operator)).body;
      expect((await gw.http.post(`/members/${memberId}/suspend`).set('Authorization', operator).send({ reason: 'key leaked' })).status).to.equal(200);
      const own = bearer(admin.token);
      const listed = await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', own);
      expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
      expect(listed.body.credentials.map((c: { id: string }) => c.id)).to.have.members([admin.credential.id, clerk.credential.id]);
      expectProblem(await issue(memberId, { csr: (await csrFor()).pem, userRole: 'MAKER' }, own), 403, 'FORBIDDEN');
      expectProblem(await gw.http.post(`/members/${memberId}/credentials/${admin.credential.id}/rotate`).set('Authorization', own), 403, 'FORBIDDEN');
      const revoked = await gw.http.delete(`/members/${memberId}/credentials/${clerk.credential.id}`).set('Authorization', own);
      expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
      expectProblem(await gw.http.get('/me').set('Authorization', bearer(clerk.token)), 401, 'UNAUTHENTICATED');
      // Another member's ADMIN is no more allowed than before.
      expectProblem(await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', gw.auth('supplier1')), 403, 'FORBIDDEN');
    });

    /**
     * Opens an event stream as a new ADMIN of a new member, has `cut` end its
     * right to it, then writes an event that names the member: the stream ends
     * having sent nothing after the cut.
     */
    async function streamEndsWhen(cut: (memberId: string, issued: { token: string; credential: { id: string; mspId: string; identityId: string } }) => Promise<void>, what: string): Promise<void> {
      const base = await gw.listen();
      const memberId = await registerMember();
      const issued = (await issue(memberId, { csr: (await csrFor()).pem, userRole: 'ADMIN' }, gw.auth('operator-admin'))).body;
      const stream = await SseClient.open(`${base}/events`, { Authorization: bearer(issued.token) });
      try {
        expect(stream.status).to.equal(200);
        await stream.until((s) => s.events.some((e) => e.data.includes(issued.credential.identityId)));
        const seen = stream.events.length;
        await cut(memberId, issued);
        // An event that names the member: the stream would have carried it.
        const later = await issue(memberId, { csr: (await csrFor()).pem, userRole: 'MAKER' }, gw.auth('operator-admin'));
        expect(later.status).to.equal(201);
        await stream.until((s) => s.ended);
        expect(stream.events.length, `nothing sent after the ${what}`).to.equal(seen);
      } finally {
        stream.close();
      }
    }

    it('ends an open event stream when its token is revoked, sending nothing after', async () => {
      await streamEndsWhen(async (memberId, issued) => {
        const revoked = await gw.http.delete(`/members/${memberId}/credentials/${issued.credential.id}`).set('Authorization', gw.auth('operator-admin'));
        expect(revoked.status).to.equal(200);
      }, 'revocation');
    });

    it('ends an open event stream when its identity is unbound (the token still resolves, the binding is gone), sending nothing after', async () => {
      await streamEndsWhen(async (memberId, issued) => {
        const unbound = await gw.http
          .post(`/members/${memberId}/identities/unbind`)
          .set('Authorization', gw.auth('operator-admin'))
          .send({ mspId: issued.credential.mspId, identityId: issued.credential.identityId });
        expect(unbound.status, JSON.stringify(unbound.body)).to.equal(200);
        expectProblem(await gw.http.get('/me').set('Authorization', bearer(issued.token)), 403, 'FORBIDDEN');
      }, 'unbinding');
    });

    it('answers 404 for a member that does not exist and for a credential of another member', async () => {
      const { pem } = await csrFor();
      expectProblem(await issue(newMemberId(), { csr: pem, userRole: 'MAKER' }, gw.auth('operator-admin')), 404, 'NOT_FOUND');
      const a = await registerMember();
      const b = await registerMember();
      const issued = (await issue(a, { csr: pem, userRole: 'MAKER' }, gw.auth('operator-admin'))).body;
      expectProblem(await gw.http.delete(`/members/${b}/credentials/${issued.credential.id}`).set('Authorization', gw.auth('operator-admin')), 404, 'NOT_FOUND');
      expect((await gw.http.get('/me').set('Authorization', bearer(issued.token))).status).to.equal(200);
    });
  } else {
    it("adds an identity enrolled with the org's own CA to the running gateway on SIGHUP (profile re-read), no restart", async () => {
      const memberId = await registerMember();
      const enrolled = await enrolWithOrgCa(`erp-${memberId}`);
      const bound = await gw.http
        .post(`/members/${memberId}/identities`)
        .set('Authorization', gw.auth('operator-admin'))
        .send({ mspId: 'PlatformMSP', certificate: enrolled.certificatePem, userRole: 'ADMIN' });
      expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      const path = gw.ledger.runtime.profilePath as string;
      /** Adds an enrolled identity's certificate, key and token to the gateway's profile (not yet re-read). */
      const addToProfile = async (label: string, identity: { certificatePem: string; privateKeyPem: string }): Promise<string> => {
        const folder = join(dirname(path), 'users', label);
        await mkdir(folder, { recursive: true });
        await writeFile(join(folder, 'cert.pem'), identity.certificatePem);
        await writeFile(join(folder, 'key.pem'), identity.privateKeyPem, { mode: 0o600 });
        const token = `enrolled-${label}-token`;
        const profile = JSON.parse(await readFile(path, 'utf8')) as { identities: object[] };
        profile.identities.push({ label, token, mspId: 'PlatformMSP', certificate: `users/${label}/cert.pem`, privateKey: `users/${label}/key.pem` });
        await writeFile(path, JSON.stringify(profile, null, 2));
        return token;
      };
      const token = await addToProfile(`erp-${memberId}`, enrolled);
      expectProblem(await gw.http.get('/me').set('Authorization', bearer(token)), 401, 'UNAUTHENTICATED');
      expect(gw.ledger.runtime.reload?.()).to.deep.equal({ added: [`erp-${memberId}`], removed: [] });
      const me = await gw.http.get('/me').set('Authorization', bearer(token));
      expect(me.status, JSON.stringify(me.body)).to.equal(200);
      expect(me.body.member.id).to.equal(memberId);
      // And it writes, signed with its own key: its member's ADMIN switches dual control on.
      const write = await gw.http.post(`/members/${memberId}/dual-control`).set('Authorization', bearer(token)).send({ threshold: '100000000' });
      expect(write.status, JSON.stringify(write.body)).to.equal(200);
      expect(write.body).to.include({ id: memberId, dualControlThreshold: '100000000', updatedBy: memberId });

      // That ADMIN binds a clerk the org enrolled: an offer, which the clerk accepts signing with its own key.
      const clerk = await enrolWithOrgCa(`clerk-${memberId}`);
      const offered = await gw.http.post(`/members/${memberId}/identities`).set('Authorization', bearer(token)).send({ mspId: 'PlatformMSP', certificate: clerk.certificatePem, userRole: 'MAKER' });
      expect(offered.status, JSON.stringify(offered.body)).to.equal(201);
      expect(offered.body).to.include({ memberId, pendingAcceptance: true });
      const clerkToken = await addToProfile(`clerk-${memberId}`, clerk);
      expect(gw.ledger.runtime.reload?.()).to.deep.equal({ added: [`clerk-${memberId}`], removed: [] });
      const refused = await gw.http.get('/me').set('Authorization', bearer(clerkToken));
      expectProblem(refused, 403, 'FORBIDDEN');
      expect(refused.body.detail).to.contain(`offered to member ${memberId}`);
      expect((await gw.http.get('/me/offer').set('Authorization', bearer(clerkToken))).body.member.id).to.equal(memberId);
      const accepted = await gw.http.post(`/members/${memberId}/identities/accept`).set('Authorization', bearer(clerkToken));
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      expect(accepted.body).to.include({ memberId, userRole: 'MAKER' }).and.not.to.have.property('pendingAcceptance');
      expect((await gw.http.get('/me').set('Authorization', bearer(clerkToken))).body.member.id).to.equal(memberId);
    });

    it(`refuses to issue on ${CONNECTOR} with 409 INVALID_STATE naming the org's own CA, writing nothing`, async () => {
      const memberId = await registerMember();
      const { pem } = await csrFor();
      const height = await gw.ledger.height();
      const res = await issue(memberId, { csr: pem, userRole: 'ADMIN' }, gw.auth('operator-admin'));
      expectProblem(res, 409, 'INVALID_STATE');
      expect(res.body.detail).to.contain('no embedded CA').and.contain('enrol');
      expect(await gw.ledger.height()).to.equal(height);
      expectProblem(await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', gw.auth('operator-admin')), 409, 'INVALID_STATE');
      expectProblem(
        await gw.http.delete(`/members/${memberId}/credentials/CRD-0000000000000000`).set('Authorization', gw.auth('operator-admin')),
        409,
        'INVALID_STATE',
      );
    });
  }

  it('refuses a caller that is neither the operator nor the member’s ADMIN (403), before looking at the CSR', async () => {
    const memberId = await registerMember();
    const { pem } = await csrFor();
    await writesNothing(memberId, async () => {
      // supplier1 is an ADMIN, of another member; core-maker a MAKER; the auditor never writes.
      for (const who of ['supplier1', 'core-maker', 'auditor'] as const) {
        expectProblem(await issue(memberId, { csr: pem, userRole: 'ADMIN' }, gw.auth(who)), 403, 'FORBIDDEN');
      }
      expectProblem(await issue(memberId, { csr: 'not a CSR', userRole: 'ADMIN' }, gw.auth('core-maker')), 403, 'FORBIDDEN');
      expectProblem(await gw.http.get(`/members/${memberId}/credentials`).set('Authorization', gw.auth('supplier1')), 403, 'FORBIDDEN');
    });
    // A read is refused as a read (it used to speak of binding), naming who may read.
    for (const [who, of] of [['supplier1', memberId], ['core-maker', CORE()]] as const) {
      const refused = await gw.http.get(`/members/${of}/credentials`).set('Authorization', gw.auth(who));
      expectProblem(refused, 403, 'FORBIDDEN');
      expect(refused.body.detail).to.match(new RegExp(`^the credentials of member ${of} are read by its ADMIN identities, the operator and auditors; this identity is (ADMIN|MAKER) of member`));
    }
    expectProblem(await issue(memberId, { csr: pem, userRole: 'ADMIN' }, 'Bearer nobody-knows-this-token'), 401, 'UNAUTHENTICATED');
  });

  it('refuses a malformed CSR with 400, writing nothing', async () => {
    const memberId = await registerMember();
    await writesNothing(memberId, async () => {
      const bodies = [
        { csr: 'not a CSR', userRole: 'ADMIN' },
        { csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', userRole: 'ADMIN' },
        { csr: (await csrFor()).pem, userRole: 'OWNER' },
        { csr: (await csrFor()).pem, userRole: 'ADMIN', extra: true },
      ];
      for (const body of bodies) expectProblem(await issue(memberId, body, gw.auth('operator-admin')), 400, 'VALIDATION_FAILED');
    });
  });

  it('refuses a CSR whose signature does not verify with 400, writing nothing', async () => {
    const memberId = await registerMember();
    const { pem } = await csrFor();
    await writesNothing(memberId, async () => {
      const res = await issue(memberId, { csr: tampered(pem), userRole: 'ADMIN' }, gw.auth('operator-admin'));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.detail).to.contain('signature');
    });
  });
});
