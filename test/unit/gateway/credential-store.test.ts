import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BEARER_TOKEN,
  CREDENTIAL_FILE,
  CredentialStore,
  hashToken,
  metadataOf,
  newCredentialId,
  StaticTokenDirectory,
  TokenDirectories,
} from '../../../gateway/src/credentials';

const BY = { memberId: '91310000100000001A', identityId: 'x509::/CN=operator-admin::/CN=ca' };

function fields(overrides: Partial<{ id: string; memberId: string; requestId: string }> = {}) {
  return {
    id: overrides.id ?? newCredentialId(),
    memberId: overrides.memberId ?? '91320500100000003E',
    mspId: 'PlatformMSP',
    identityId: 'x509::/CN=CRD-1::/CN=ca',
    userRole: 'ADMIN',
    label: 'erp-client',
    certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    createdBy: BY,
    requestId: overrides.requestId,
  };
}

describe('credential store', () => {
  let dir: string;
  // resolve() records lastUsedAt with a write in the background; every store a
  // test opened is flushed before its folder goes, or the write races the rm.
  let opened: CredentialStore[];
  const openStore = async (...args: Parameters<typeof CredentialStore.open>) => {
    const store = await CredentialStore.open(...args);
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-credentials-'));
    opened = [];
  });
  afterEach(async () => {
    await Promise.all(opened.map((store) => store.flush()));
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps only the hash of a token on disk, in a file only its owner can read', async () => {
    const store = await openStore(dir);
    const { token, credential } = await store.issue(fields());
    expect(token).to.match(BEARER_TOKEN).and.match(/^scf_[A-Za-z0-9_-]{43}$/);
    const text = await readFile(join(dir, CREDENTIAL_FILE), 'utf8');
    expect(text).not.to.contain(token);
    expect(text).not.to.contain(token.slice(4));
    expect(text).to.contain(hashToken(token));
    expect(credential.tokenHash).to.equal(hashToken(token));
    expect((await stat(join(dir, CREDENTIAL_FILE))).mode & 0o777).to.equal(0o600);
  });

  it('resolves a token to the credential identity, and again after a restart', async () => {
    const store = await openStore(dir);
    const { token, credential } = await store.issue(fields());
    expect(store.resolve(token)).to.deep.equal({ label: credential.id, identity: { mspId: 'PlatformMSP', certificate: credential.certificate } });
    const reopened = await openStore(dir);
    expect(reopened.resolve(token)?.label).to.equal(credential.id);
    expect(reopened.resolve(`${token}x`)).to.equal(undefined);
    expect(reopened.resolve('')).to.equal(undefined);
  });

  it('rotates: a new token works at once, the old one never again, also after a restart', async () => {
    const store = await openStore(dir);
    const first = await store.issue(fields());
    const second = await store.rotate(first.credential.id, BY);
    expect(second.token).not.to.equal(first.token);
    expect(store.resolve(first.token)).to.equal(undefined);
    expect(store.resolve(second.token)?.label).to.equal(first.credential.id);
    expect(second.credential).to.include({ id: first.credential.id, createdAt: first.credential.createdAt });
    expect(second.credential.rotatedBy).to.deep.equal(BY);
    const reopened = await openStore(dir);
    expect(reopened.resolve(first.token)).to.equal(undefined);
    expect(reopened.resolve(second.token)?.label).to.equal(first.credential.id);
    expect(await readFile(join(dir, CREDENTIAL_FILE), 'utf8')).not.to.contain(second.token);
  });

  it('revokes: the token fails as soon as revoke resolves, and stays revoked after a restart', async () => {
    const store = await openStore(dir);
    const { token, credential } = await store.issue(fields());
    const revoked = await store.revoke(credential.id, BY);
    expect(revoked.revokedAt).to.be.a('string');
    expect(revoked.revokedBy).to.deep.equal(BY);
    expect(store.resolve(token)).to.equal(undefined);
    expect((await openStore(dir)).resolve(token)).to.equal(undefined);
    await store.revoke(credential.id, BY).then(
      () => expect.fail('revoked twice'),
      (err: Error) => expect(err.message).to.contain('already revoked'),
    );
    await store.rotate(credential.id, BY).then(
      () => expect.fail('rotated a revoked credential'),
      (err: Error) => expect(err.message).to.contain('revoked'),
    );
  });

  it("lists a member's credentials as metadata, without the token's hash", async () => {
    const store = await openStore(dir);
    const a = await store.issue(fields());
    await store.issue(fields({ memberId: '91320500100000004H' }));
    const listed = store.list('91320500100000003E').map(metadataOf);
    expect(listed.map((c) => c.id)).to.deep.equal([a.credential.id]);
    expect(listed[0]).not.to.have.property('tokenHash');
    expect(JSON.stringify(listed)).not.to.contain(a.credential.tokenHash);
  });

  it('records when a token was last used, to the minute', async () => {
    let now = Date.parse('2026-12-04T10:00:00.000Z');
    const store = await openStore(dir, { now: () => new Date(now) });
    const { token, credential } = await store.issue(fields());
    store.resolve(token);
    await store.flush();
    expect(store.get(credential.id)?.lastUsedAt).to.equal('2026-12-04T10:00:00.000Z');
    now += 30_000;
    store.resolve(token);
    now += 40_000;
    store.resolve(token);
    await store.flush();
    expect((await openStore(dir)).get(credential.id)?.lastUsedAt).to.equal('2026-12-04T10:01:10.000Z');
  });

  it('finds a credential by the Idempotency-Key it was issued under, per issuing member', async () => {
    const store = await openStore(dir);
    const { credential } = await store.issue(fields({ requestId: 'key-1' }));
    expect(store.findByRequest(BY.memberId, 'key-1')?.id).to.equal(credential.id);
    expect(store.findByRequest('91320500100000004H', 'key-1')).to.equal(undefined);
    expect(metadataOf(credential)).not.to.have.property('requestId');
  });

  it('serialises concurrent changes: none is lost', async () => {
    const store = await openStore(dir);
    const issued = await Promise.all(Array.from({ length: 12 }, () => store.issue(fields())));
    const reopened = await openStore(dir);
    expect(reopened.list('91320500100000003E')).to.have.length(12);
    for (const i of issued) expect(reopened.resolve(i.token)?.label).to.equal(i.credential.id);
  });

  it('serves what the file says when it was replaced but its folder could not be synced: memory and a restart agree', async () => {
    // The folder's open fails, after the rename (too many open files).
    // The module object secret-file.ts calls into (an import would copy it).
    const fsp = createRequire(__filename)('node:fs/promises') as { open: (...args: unknown[]) => Promise<unknown> };
    const realOpen = fsp.open;
    const store = await openStore(dir);
    const revokedOne = await store.issue(fields());
    const rotatedOne = await store.issue(fields());
    fsp.open = (path: unknown, ...rest: unknown[]) => (path === dir ? Promise.reject(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' })) : realOpen(path, ...rest));
    const failures: string[] = [];
    try {
      await store.revoke(revokedOne.credential.id, BY).catch((err: Error) => failures.push(err.name));
      await store.rotate(rotatedOne.credential.id, BY).catch((err: Error) => failures.push(err.name));
    } finally {
      fsp.open = realOpen;
    }
    expect(failures, 'the callers are told').to.deep.equal(['ReplacedNotSyncedError', 'ReplacedNotSyncedError']);
    const again = await openStore(dir);
    for (const token of [revokedOne.token, rotatedOne.token]) expect({ now: store.resolve(token)?.label, afterRestart: again.resolve(token)?.label }).to.deep.equal({ now: undefined, afterRestart: undefined });
    expect(store.get(revokedOne.credential.id)?.revokedAt).to.be.a('string');
  });

  it('refuses in turn what an earlier queued change made impossible: a second revoke, a rotation of a revoked one, a repeated key', async () => {
    const store = await openStore(dir);
    const { credential } = await store.issue(fields());
    const reasons = (await Promise.allSettled([store.revoke(credential.id, BY), store.revoke(credential.id, BY), store.rotate(credential.id, BY)])).map((r) =>
      r.status === 'fulfilled' ? 'done' : (r.reason as { reason?: string }).reason,
    );
    expect(reasons).to.deep.equal(['done', 'REVOKED', 'REVOKED']);
    const keyed = await Promise.allSettled([store.issue(fields({ requestId: 'k-1' })), store.issue(fields({ requestId: 'k-1' }))]);
    expect(keyed.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected']);
    const other = (await store.issue(fields())).credential.id;
    await store.rotate(other, BY, 'rot-1');
    const repeated = await store.rotate(other, BY, 'rot-1').catch((err: { reason?: string }) => err.reason);
    expect(repeated).to.equal('REPEATED');
    expect(store.list('91320500100000003E')).to.have.length(3);
  });

  it('asks directories in order', () => {
    const identity = { mspId: 'PlatformMSP', certificate: 'c', privateKey: 'k' };
    const demo = new StaticTokenDirectory([{ token: 'demo-token-000001', principal: { label: 'demo', identity } }]);
    const other = new StaticTokenDirectory([{ token: 'other-token-00001', principal: { label: 'other', identity } }]);
    const both = new TokenDirectories(demo, other);
    expect(both.resolve('demo-token-000001')?.label).to.equal('demo');
    expect(both.resolve('other-token-00001')?.label).to.equal('other');
    expect(both.resolve('nobody-token-0001')).to.equal(undefined);
  });
});
