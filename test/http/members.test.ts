import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import { createOrgCa } from '../../gateway/src/ledger/embedded/pki';
import { expectProblem, member, startGateway, type TestGateway, uniqueKey } from './harness';

let serial = 0;
/** A fresh, valid member id for each registration. */
const newMemberId = () => withCheckChar(`9133010010${String(Date.now() % 1e6).padStart(6, '0')}${serial++ % 10}`);

describe('HTTP: members and identities', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  const register = (id: string, extra: object = {}, label: Parameters<TestGateway['auth']>[0] = 'operator-admin') =>
    gw.http
      .post('/members')
      .set('Authorization', gw.auth(label))
      .send({ id, name: 'Hangzhou Test Supplier', mspId: 'PlatformMSP', roles: ['SUPPLIER'], ...extra });

  describe('POST /members', () => {
    it('registers a member (201) as the operator', async () => {
      const id = newMemberId();
      const res = await register(id, { dualControlThreshold: '5000000' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ id, status: 'ACTIVE', mspId: 'PlatformMSP', dualControlThreshold: '5000000' });
      expect(res.headers['transaction-id']).to.equal(res.body.createdTxId);
      const read = await gw.http.get(`/members/${id}`).set('Authorization', gw.auth('auditor'));
      expect(read.body).to.deep.equal(res.body);
    });

    it('answers a replay with the same Idempotency-Key with the same response and no new transaction', async () => {
      const id = newMemberId();
      const key = uniqueKey('reg');
      const first = await register(id).set('Idempotency-Key', key);
      expect(first.status).to.equal(201);
      const height = await gw.ledger.height();
      const again = await register(id).set('Idempotency-Key', key);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
      expect(again.headers['idempotent-replayed']).to.equal('true');
    });

    it('refuses a member who is not the operator with 403 and writes nothing', async () => {
      const height = await gw.ledger.height();
      expectProblem(await register(newMemberId(), {}, 'supplier1'), 403, 'FORBIDDEN');
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('refuses a taken id with 409 ALREADY_EXISTS', async () => {
      expectProblem(await register(member('supplier2')), 409, 'ALREADY_EXISTS');
    });

    const malformed: Array<[string, object, string]> = [
      ['a wrong check character', { id: '91310000100000001B' }, 'body.id'],
      ['a lower-case code', { id: '91310000100000001a' }, 'body.id'],
      ['no roles', { roles: [] }, 'body.roles'],
      ['an unknown role', { roles: ['KING'] }, 'body.roles.0'],
      ['a repeated role', { roles: ['BANK', 'BANK'] }, 'body.roles'],
      ['a threshold with decimals', { dualControlThreshold: '10.50' }, 'body.dualControlThreshold'],
      ['a threshold as a number', { dualControlThreshold: 1000 }, 'body.dualControlThreshold'],
      ['an unknown field', { colour: 'blue' }, 'body'],
      ['an empty name', { name: '   ' }, 'body.name'],
    ];
    for (const [what, patch, path] of malformed) {
      it(`rejects ${what} with 400 naming ${path}, and writes nothing`, async () => {
        const height = await gw.ledger.height();
        const res = await register(newMemberId(), patch);
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors.map((e: { path: string }) => e.path)).to.include(path);
        expect(await gw.ledger.height()).to.equal(height);
      });
    }

    it('names the check character the code should end with', async () => {
      const res = await register(newMemberId(), { id: '91310000100000001B' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).to.deep.include({ path: 'body.id', message: 'the check character of the unified social credit code is wrong: expected A, not B' });
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.post('/members').send({}), 401, 'UNAUTHENTICATED');
    });
  });

  describe('GET /members', () => {
    type MemberPage = { records: Array<{ id: string; name: string; roles: string[]; status: string }>; bookmark: string };
    const list = (query: string, label: Parameters<TestGateway['auth']>[0] = 'operator-admin') => gw.http.get(`/members${query}`).set('Authorization', gw.auth(label));
    const everything = async (query: string, label: Parameters<TestGateway['auth']>[0] = 'operator-admin'): Promise<MemberPage['records']> => {
      const out: MemberPage['records'] = [];
      let bookmark = '';
      do {
        const res = await list(`${query}${query ? '&' : '?'}pageSize=3${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`, label);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        const page = res.body as MemberPage;
        expect(page.records.length).to.be.at.most(3);
        out.push(...page.records);
        bookmark = page.bookmark;
      } while (bookmark);
      return out;
    };

    it('lists the members to the operator and the auditor, in id order, page by page, a registered one included', async () => {
      const id = newMemberId();
      expect((await register(id)).status).to.equal(201);
      const ids = (await everything('')).map((m) => m.id);
      expect(ids).to.deep.equal([...ids].sort());
      expect(ids).to.include.members([id, member('bank'), member('operator'), member('warehouse')]);
      expect((await everything('', 'auditor')).map((m) => m.id)).to.deep.equal(ids);
    });

    it('narrows to one role or status', async () => {
      const banks = await everything('?role=BANK', 'auditor');
      expect(banks.map((m) => m.id)).to.include(member('bank'));
      expect(banks.every((m) => m.roles.includes('BANK'))).to.equal(true);
      const id = newMemberId();
      expect((await register(id)).status).to.equal(201);
      expect((await gw.http.post(`/members/${id}/suspend`).set('Authorization', gw.auth('operator-admin')).send({})).status).to.equal(200);
      const suspended = await everything('?status=SUSPENDED&role=SUPPLIER');
      expect(suspended.map((m) => m.id)).to.include(id);
      expect(suspended.every((m) => m.status === 'SUSPENDED' && m.roles.includes('SUPPLIER'))).to.equal(true);
    });

    it('is 403 for every other member, 400 for a bad filter, page size or bookmark, and writes nothing', async () => {
      const height = await gw.ledger.height();
      for (const label of ['supplier1', 'core-maker', 'bank-checker', 'warehouse'] as const) {
        const res = await list('', label);
        expectProblem(res, 403, 'FORBIDDEN');
        expect(res.body.detail).to.contain('by its id');
      }
      for (const query of ['?role=ADMIN', '?status=GONE', '?pageSize=0', '?pageSize=201', '?pageSize=ten', '?name=x', '?bookmark=not-ours']) {
        expectProblem(await list(query), 400, 'VALIDATION_FAILED');
      }
      expectProblem(await gw.http.get('/members'), 401, 'UNAUTHENTICATED');
      expect(await gw.ledger.height()).to.equal(height);
    });
  });

  describe('GET /members/:id', () => {
    it('reads a member for any bound caller', async () => {
      const res = await gw.http.get(`/members/${member('bank')}`).set('Authorization', gw.auth('supplier3'));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: member('bank'), mspId: 'BankMSP' });
      expect(res.body.roles).to.deep.equal(['BANK']);
    });

    it("shows a member's dual-control threshold to itself, the operator and auditors, not to a counterparty", async () => {
      const read = async (label: Parameters<TestGateway['auth']>[0]) => (await gw.http.get(`/members/${member('bank')}`).set('Authorization', gw.auth(label))).body;
      for (const label of ['bank-maker', 'operator-admin', 'auditor'] as const) expect(await read(label), label).to.have.property('dualControlThreshold');
      for (const label of ['supplier3', 'core-maker'] as const) {
        const seen = await read(label);
        expect(seen, label).to.include({ id: member('bank'), status: 'ACTIVE' });
        expect(seen, label).not.to.have.any.keys('dualControlThreshold', 'statusReason');
      }
    });

    it('answers 404 for a valid but unregistered id', async () => {
      expectProblem(await gw.http.get(`/members/${withCheckChar('91500000999999999')}`).set('Authorization', gw.auth('auditor')), 404, 'NOT_FOUND');
    });

    it('answers 400 for an id that is not a unified social credit code', async () => {
      expectProblem(await gw.http.get('/members/ACME').set('Authorization', gw.auth('auditor')), 400, 'VALIDATION_FAILED');
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.get(`/members/${member('bank')}`), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST /members/:id/suspend and /reinstate', () => {
    let id: string;
    before(async () => {
      id = newMemberId();
      expect((await register(id)).status).to.equal(201);
    });

    it('suspends (200) and then refuses to suspend again with 409 INVALID_STATE', async () => {
      const res = await gw.http.post(`/members/${id}/suspend`).set('Authorization', gw.auth('operator-admin')).send({ reason: 'court order 2024-17' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id, status: 'SUSPENDED' });
      expectProblem(await gw.http.post(`/members/${id}/suspend`).set('Authorization', gw.auth('operator-admin')).send({}), 409, 'INVALID_STATE');
    });

    it('reinstates (200) and then refuses to reinstate an active member with 409', async () => {
      const res = await gw.http.post(`/members/${id}/reinstate`).set('Authorization', gw.auth('operator-admin'));
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('ACTIVE');
      expectProblem(await gw.http.post(`/members/${id}/reinstate`).set('Authorization', gw.auth('operator-admin')).send({}), 409, 'INVALID_STATE');
    });

    it('refuses a non-operator with 403 and an unknown member with 404', async () => {
      expectProblem(await gw.http.post(`/members/${id}/suspend`).set('Authorization', gw.auth('bank-checker')).send({}), 403, 'FORBIDDEN');
      expectProblem(
        await gw.http.post(`/members/${withCheckChar('91500000999999998')}/suspend`).set('Authorization', gw.auth('operator-admin')).send({}),
        404,
        'NOT_FOUND',
      );
    });

    it('refuses the operator suspending itself with 403', async () => {
      expectProblem(await gw.http.post(`/members/${member('operator')}/suspend`).set('Authorization', gw.auth('operator-admin')).send({}), 403, 'FORBIDDEN');
    });

    it('rejects a reason with control characters with 400 and changes nothing', async () => {
      const height = await gw.ledger.height();
      const res = await gw.http.post(`/members/${id}/suspend`).set('Authorization', gw.auth('operator-admin')).send({ reason: 'a\u0007b' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(await gw.ledger.height()).to.equal(height);
      expect((await gw.http.get(`/members/${id}`).set('Authorization', gw.auth('auditor'))).body.status).to.equal('ACTIVE');
    });
  });

  describe('POST /members/:id/amend', () => {
    const amend = (id: string, body: object, label: Parameters<TestGateway['auth']>[0] = 'operator-admin') =>
      gw.http.post(`/members/${id}/amend`).set('Authorization', gw.auth(label)).send(body);

    it('renames a member and moves one with no identity to another MSP (200), and refuses moving one with identities (422)', async () => {
      const id = newMemberId();
      expect((await register(id, { mspId: 'CoreMSP' })).status).to.equal(201);
      const res = await amend(id, { name: 'Hangzhou Renamed Supplier', mspId: 'PlatformMSP', reason: 'wrong MSP at registration' });
      expect(res.status).to.equal(200);
      expect(res.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      expect(res.body).to.include({ id, name: 'Hangzhou Renamed Supplier', mspId: 'PlatformMSP', status: 'ACTIVE' });
      expectProblem(await amend(member('supplier1'), { mspId: 'CoreMSP' }), 422, 'BUSINESS_RULE');
    });

    it('is 403 to anyone but the operator, 404 for an unregistered member, 400 for a body that changes nothing or is malformed', async () => {
      const id = newMemberId();
      expect((await register(id)).status).to.equal(201);
      expectProblem(await amend(id, { name: 'Mine' }, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await amend(id, { name: 'Mine' }, 'auditor'), 403, 'FORBIDDEN');
      expectProblem(await amend(newMemberId(), { name: 'Nobody' }), 404, 'NOT_FOUND');
      expectProblem(await amend(id, {}), 400, 'VALIDATION_FAILED');
      expectProblem(await amend(id, { name: 'Hangzhou Test Supplier' }), 400, 'VALIDATION_FAILED');
      expectProblem(await amend(id, { name: 'x', roles: ['BANK'] }), 400, 'VALIDATION_FAILED');
      const read = await gw.http.get(`/members/${id}`).set('Authorization', gw.auth('auditor'));
      expect(read.body).to.include({ name: 'Hangzhou Test Supplier', mspId: 'PlatformMSP' });
    });
  });

  describe('GET /members/:id/identities', () => {
    const identities = (memberId: string, label: Parameters<TestGateway['auth']>[0] = 'operator-admin', query = '') =>
      gw.http.get(`/members/${memberId}/identities${query}`).set('Authorization', gw.auth(label));
    const teller = (n: number) => `x509::/CN=teller-${n}/O=platform::/CN=ca.platform`;

    it('lists who can sign for a member, page by page, to the operator, auditors and its ADMIN; an unbound identity drops out', async () => {
      const id = newMemberId();
      expect((await register(id)).status).to.equal(201);
      for (const [n, userRole] of [[1, 'MAKER'], [2, 'CHECKER'], [3, 'ADMIN']] as const) {
        const bound = await gw.http
          .post(`/members/${id}/identities`)
          .set('Authorization', gw.auth('operator-admin'))
          .send({ mspId: 'PlatformMSP', identityId: teller(n), userRole });
        expect(bound.status).to.equal(201);
      }
      const first = await identities(id, 'auditor', '?pageSize=2');
      expect(first.status).to.equal(200);
      expect(first.body.records).to.have.length(2);
      const rest = await identities(id, 'auditor', `?pageSize=2&bookmark=${encodeURIComponent(first.body.bookmark)}`);
      const all = [...first.body.records, ...rest.body.records] as Array<{ identityId: string; userRole: string; memberId: string }>;
      expect(Object.fromEntries(all.map((b) => [b.identityId, b.userRole]))).to.deep.equal({ [teller(1)]: 'MAKER', [teller(2)]: 'CHECKER', [teller(3)]: 'ADMIN' });
      expect(all.every((b) => b.memberId === id)).to.equal(true);
      const unbound = await gw.http
        .post(`/members/${id}/identities/unbind`)
        .set('Authorization', gw.auth('operator-admin'))
        .send({ mspId: 'PlatformMSP', identityId: teller(2), reason: 'left' });
      expect(unbound.status).to.equal(200);
      const after = await identities(id);
      expect(after.body.records.map((b: { identityId: string }) => b.identityId).sort()).to.deep.equal([teller(1), teller(3)]);
      expect(after.body.bookmark).to.equal('');
    });

    it("shows a member's ADMIN its own member's identities, its own among them", async () => {
      const me = await gw.http.get('/me').set('Authorization', gw.auth('supplier1'));
      const res = await identities(member('supplier1'), 'supplier1');
      expect(res.status).to.equal(200);
      expect(res.body.records.map((b: { identityId: string }) => b.identityId)).to.include(me.body.identity.identityId);
    });

    it('is 403 to a MAKER and to other members, 404 for an unregistered member, 400 for a bad id or page size', async () => {
      expectProblem(await identities(member('core'), 'core-maker'), 403, 'FORBIDDEN');
      expectProblem(await identities(member('supplier2'), 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await identities(member('supplier1'), 'bank-checker'), 403, 'FORBIDDEN');
      expectProblem(await identities(newMemberId()), 404, 'NOT_FOUND');
      expectProblem(await identities('not-a-code'), 400, 'VALIDATION_FAILED');
      expectProblem(await identities(member('supplier1'), 'operator-admin', '?pageSize=0'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /members/:id/identities', () => {
    const bind = (memberId: string, body: object, label: Parameters<TestGateway['auth']>[0] = 'operator-admin') =>
      gw.http.post(`/members/${memberId}/identities`).set('Authorization', gw.auth(label)).send(body);

    it('binds a certificate (201) under the id the chaincode will see for it', async () => {
      const ca = await createOrgCa('BankMSP');
      const identity = await ca.sign('bank-teller');
      const res = await bind(member('bank'), { mspId: 'BankMSP', certificate: identity.certificate, userRole: 'MAKER' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ memberId: member('bank'), mspId: 'BankMSP', userRole: 'MAKER' });
      expect(res.body.identityId).to.match(/^x509::\/CN=bank-teller@bank\.scf\.local\/OU=client\/O=bank\.scf\.local\/C=CN::\/CN=ca\.bank\.scf\.local\//);
      expectProblem(await bind(member('bank'), { mspId: 'BankMSP', certificate: identity.certificate, userRole: 'MAKER' }), 409, 'ALREADY_EXISTS');
    });

    it('binds by identity id (201)', async () => {
      const res = await bind(member('core'), { mspId: 'CoreMSP', identityId: 'x509::/CN=treasurer/O=core::/CN=ca.core', userRole: 'CHECKER' });
      expect(res.status).to.equal(201);
      expect(res.body.identityId).to.equal('x509::/CN=treasurer/O=core::/CN=ca.core');
    });

    it('refuses an identity of another organisation than the member with 422 BUSINESS_RULE', async () => {
      expectProblem(await bind(member('core'), { mspId: 'BankMSP', identityId: 'x509::/CN=mole/O=bank::/CN=ca.bank', userRole: 'MAKER' }), 422, 'BUSINESS_RULE');
    });

    it('refuses a non-operator (403) and an unknown member (404)', async () => {
      expectProblem(await bind(member('core'), { mspId: 'CoreMSP', identityId: 'x509::/CN=x/O=y::/CN=z', userRole: 'MAKER' }, 'core-checker'), 403, 'FORBIDDEN');
      expectProblem(await bind(withCheckChar('91500000999999997'), { mspId: 'CoreMSP', identityId: 'x509::/CN=x/O=y::/CN=z', userRole: 'MAKER' }), 404, 'NOT_FOUND');
    });

    const malformed: Array<[string, object]> = [
      ['both a certificate and an id', { mspId: 'BankMSP', certificate: 'x', identityId: 'x509::/CN=a::/CN=b', userRole: 'MAKER' }],
      ['neither a certificate nor an id', { mspId: 'BankMSP', userRole: 'MAKER' }],
      ['a certificate that is not PEM', { mspId: 'BankMSP', certificate: 'hello', userRole: 'MAKER' }],
      ['an unknown user role', { mspId: 'BankMSP', identityId: 'x509::/CN=a::/CN=b', userRole: 'BOSS' }],
    ];
    for (const [what, body] of malformed) {
      it(`rejects ${what} with 400 and writes nothing`, async () => {
        const height = await gw.ledger.height();
        expectProblem(await bind(member('bank'), body), 400, 'VALIDATION_FAILED');
        expect(await gw.ledger.height()).to.equal(height);
      });
    }

    describe('POST /members/:id/identities/unbind', () => {
      const unbind = (memberId: string, body: object, label: Parameters<TestGateway['auth']>[0] = 'operator-admin') =>
        gw.http.post(`/members/${memberId}/identities/unbind`).set('Authorization', gw.auth(label)).send(body);

      it('unbinds (200, the binding as it was and why it ended); a second time is 404', async () => {
        const identityId = `x509::/CN=leaver-${Date.now()}/O=core::/CN=ca.core`;
        expect((await bind(member('core'), { mspId: 'CoreMSP', identityId, userRole: 'MAKER' })).status).to.equal(201);
        const res = await unbind(member('core'), { mspId: 'CoreMSP', identityId, reason: 'left the company' });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.include({ memberId: member('core'), identityId, userRole: 'MAKER', reason: 'left the company' });
        expect(res.body.unboundTxId).to.equal(res.headers['transaction-id']);
        expectProblem(await unbind(member('core'), { mspId: 'CoreMSP', identityId }), 404, 'NOT_FOUND');
        // Bound again afterwards, as anything binds a new identity.
        expect((await bind(member('core'), { mspId: 'CoreMSP', identityId, userRole: 'MAKER' })).status).to.equal(201);
      });

      it('refuses a MAKER (403), oneself (422), and a malformed body (400), writing nothing', async () => {
        const identityId = `x509::/CN=stays-${Date.now()}/O=core::/CN=ca.core`;
        await bind(member('core'), { mspId: 'CoreMSP', identityId, userRole: 'MAKER' });
        const height = await gw.ledger.height();
        expectProblem(await unbind(member('core'), { mspId: 'CoreMSP', identityId }, 'core-maker'), 403, 'FORBIDDEN');
        const me = (await gw.http.get('/me').set('Authorization', gw.auth('operator-admin'))).body.identity;
        expectProblem(await unbind(member('operator'), { mspId: me.mspId, identityId: me.identityId }), 422, 'BUSINESS_RULE');
        expectProblem(await unbind(member('core'), { mspId: 'CoreMSP' }), 400, 'VALIDATION_FAILED');
        expectProblem(await unbind(member('core'), { mspId: 'CoreMSP', identityId, extra: 1 }), 400, 'VALIDATION_FAILED');
        expect(await gw.ledger.height()).to.equal(height);
      });
    });
  });
});
