import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFabricProfile, reloadFabricProfile } from '../../../gateway/src/ledger/fabric/profile';
import { ReplaceableTokenDirectory, StaticTokenDirectory } from '../../../gateway/src/credentials';

const identity = (mspId: string) => ({ mspId, certificate: `cert-${mspId}`, privateKey: `key-${mspId}` });

describe('token directory', () => {
  const dir = new StaticTokenDirectory([
    { token: 'alpha-token-0001', principal: { label: 'a', identity: identity('PlatformMSP') } },
    { token: 'beta-token-00002', principal: { label: 'b', identity: identity('BankMSP') } },
  ]);

  it('maps each token to its own principal', () => {
    expect(dir.resolve('alpha-token-0001')?.label).to.equal('a');
    expect(dir.resolve('beta-token-00002')?.identity.mspId).to.equal('BankMSP');
  });

  it('knows no prefix, suffix or empty token', () => {
    for (const t of ['', 'alpha', 'alpha-token-00011', 'ALPHA-TOKEN-0001']) expect(dir.resolve(t)).to.equal(undefined);
  });
});

describe('fabric connection profile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-profile-'));
    await writeFile(join(dir, 'ca.pem'), 'CA');
    await writeFile(join(dir, 'cert.pem'), 'CERT');
    await writeFile(join(dir, 'key.pem'), 'KEY');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const write = async (profile: object) => {
    const path = join(dir, 'profile.json');
    await writeFile(path, JSON.stringify(profile));
    return path;
  };
  const peers = { PlatformMSP: { endpoint: '127.0.0.1:7051', tlsCaCert: 'ca.pem', hostAlias: 'peer0.platform' } };
  const ident = { label: 'operator-admin', token: 'a-long-enough-token', mspId: 'PlatformMSP', certificate: 'cert.pem', privateKey: 'key.pem' };

  it('reads peers and identities, resolving paths against the profile folder', async () => {
    const p = loadFabricProfile(await write({ peers, identities: [ident] }));
    expect(p.channel).to.equal('scf');
    expect(p.peers.get('PlatformMSP')?.tlsRootCert.toString()).to.equal('CA');
    expect(p.directory.resolve('a-long-enough-token')?.identity).to.deep.equal({ mspId: 'PlatformMSP', certificate: 'CERT', privateKey: 'KEY' });
    expect(p.serviceIdentity.certificate).to.equal('CERT');
  });

  it('re-reads identities (SIGHUP): an added one signs in, a removed one no longer does, without a restart', async () => {
    const path = await write({ peers, identities: [ident] });
    const running = loadFabricProfile(path);
    const directory = new ReplaceableTokenDirectory(running.directory);
    const enrolled = { label: 'supplier1-erp', token: 'enrolled-with-org-ca-1', mspId: 'PlatformMSP', certificate: 'cert.pem', privateKey: 'key.pem' };
    await write({ peers, identities: [ident, enrolled] });
    const added = reloadFabricProfile(path, running);
    expect(added).to.include.keys('profile');
    expect([added.added, added.removed]).to.deep.equal([['supplier1-erp'], []]);
    expect(directory.resolve('enrolled-with-org-ca-1')).to.equal(undefined);
    directory.replace(added.profile.directory);
    expect(directory.resolve('enrolled-with-org-ca-1')?.label).to.equal('supplier1-erp');
    await write({ peers, identities: [enrolled] });
    const removed = reloadFabricProfile(path, added.profile);
    expect([removed.added, removed.removed]).to.deep.equal([[], ['operator-admin']]);
    directory.replace(removed.profile.directory);
    expect(directory.resolve('a-long-enough-token')).to.equal(undefined);
  });

  it('refuses to re-read a profile whose peers changed, or that does not load, changing nothing', async () => {
    const path = await write({ peers, identities: [ident] });
    const running = loadFabricProfile(path);
    await write({ peers: { PlatformMSP: { ...peers.PlatformMSP, endpoint: '127.0.0.1:9999' } }, identities: [ident] });
    expect(() => reloadFabricProfile(path, running)).to.throw(/peers changed.*restart/);
    await write({ peers, identities: [ident, { ...ident, label: 'copy' }] });
    expect(() => reloadFabricProfile(path, running)).to.throw(/duplicate token/);
  });

  it('names SCF_FABRIC_PROFILE and network:up when the profile does not exist', () => {
    const path = join(dir, 'no-such-profile.json');
    expect(() => loadFabricProfile(path)).to.throw(`fabric profile ${path} (SCF_FABRIC_PROFILE) does not exist: start the network first (npm run network:up writes it)`);
  });

  it('refuses an identity whose organisation has no peer', async () => {
    const path = await write({ peers, identities: [{ ...ident, mspId: 'BankMSP' }] });
    expect(() => loadFabricProfile(path)).to.throw(/BankMSP/);
  });

  it('refuses a short token', async () => {
    const path = await write({ peers, identities: [{ ...ident, token: 'short' }] });
    expect(() => loadFabricProfile(path)).to.throw(/token/);
  });

  it('refuses two identities with the same token, which would make one act as the other', async () => {
    const path = await write({ peers, identities: [ident, { ...ident, label: 'supplier1' }] });
    expect(() => loadFabricProfile(path)).to.throw(/duplicate token/);
  });

  it('refuses two identities with the same label', async () => {
    const path = await write({ peers, identities: [ident, { ...ident, token: 'another-long-enough-token' }] });
    expect(() => loadFabricProfile(path)).to.throw(/duplicate label/);
  });

  it('refuses a token an Authorization header cannot carry, and accepts every token it loads', async () => {
    for (const token of ['has spaces in the token', 'non-ascii-tøken-123456', 'a-long-enough-token=x']) {
      const path = await write({ peers, identities: [{ ...ident, token }] });
      expect(() => loadFabricProfile(path), token).to.throw(/token/);
    }
    const ok = 'Abc.def_ghi~jkl+mno/pqr-==';
    const p = loadFabricProfile(await write({ peers, identities: [{ ...ident, token: ok }] }));
    expect(p.directory.resolve(ok)?.label).to.equal('operator-admin');
  });
});
