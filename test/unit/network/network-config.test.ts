import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FabricNotFound, findFabric } from '../../../network/src/fabric-bin';
import { configtxValues, DEFAULT_PORT_BASE, demoEnrolments, layoutOf, ordererAddress, PORT_SPAN, PROFILES, usersPerOrg, ephemeralOverlap } from '../../../network/src/layout';
import { peerEnv, renderConfigtx, REPO_ROOT, resolveLayout } from '../../../network/src/network';
import { readFileSync } from 'node:fs';

const cryptoConfig = parse(readFileSync(join(REPO_ROOT, 'test-network-config', 'crypto-config.yaml'), 'utf8')) as {
  PeerOrgs: Array<{ Name: string; Users: { Count: number }; Template: { SANS: string[] } }>;
  OrdererOrgs: Array<{ Specs: Array<{ Hostname: string; SANS: string[] }> }>;
};

describe('reference network configuration', () => {
  it('gives every demo identity its own enrolment: one cryptogen user per identity of each org', () => {
    const need = usersPerOrg();
    const have = Object.fromEntries(cryptoConfig.PeerOrgs.map((o) => [`${o.Name}MSP`, o.Users.Count]));
    expect(have).to.deep.equal(need);
    const l = layoutOf('raft1', DEFAULT_PORT_BASE, '/run');
    const certs = demoEnrolments(l).map((e) => e.certificate);
    expect(new Set(certs).size).to.equal(certs.length);
  });

  it('names localhost and 127.0.0.1 in every node certificate, and each orderer its namespaced address', () => {
    for (const o of cryptoConfig.PeerOrgs) expect(o.Template.SANS).to.deep.equal(['localhost', '127.0.0.1']);
    const specs = cryptoConfig.OrdererOrgs[0]!.Specs as { Hostname: string; SANS: string[] }[];
    expect(specs.map((s) => s.Hostname)).to.deep.equal(['orderer1', 'orderer2', 'orderer3', 'orderer4']);
    specs.forEach((s, i) => expect(s.SANS).to.deep.equal(['localhost', '127.0.0.1', ordererAddress(i + 1)]));
  });

  it('points configtx at loopback orderers, or at their namespaced addresses when the layout asks for namespaces', () => {
    const consenters = (l: ReturnType<typeof layoutOf>) =>
      (parse(renderConfigtx(l), { merge: true }) as { Profiles: Record<string, any> }).Profiles.raft3.Orderer.EtcdRaft.Consenters.map(
        (c: { Host: string }) => c.Host,
      );
    expect(consenters(layoutOf('raft3', 17050, '/run'))).to.deep.equal(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    const spaced = layoutOf('raft3', 17050, '/run', { ordererNamespaces: true });
    expect(consenters(spaced)).to.deep.equal([ordererAddress(1), ordererAddress(2), ordererAddress(3)]);
    expect(spaced.orderers.map((o) => o.netns)).to.deep.equal(['scf17050-o1', 'scf17050-o2', 'scf17050-o3']);
  });

  it('fills every placeholder of configtx.yaml, with MAJORITY endorsement and the profiles raft1, raft3 and bft4', () => {
    const l = layoutOf('raft3', 17050, '/run');
    const text = renderConfigtx(l);
    expect(text).not.to.match(/\{\{/);
    const doc = parse(text, { merge: true }) as { Profiles: Record<string, any> };
    expect(Object.keys(doc.Profiles)).to.deep.equal([...PROFILES]);
    expect(doc.Profiles.raft3.Orderer.EtcdRaft.Consenters.map((c: { Port: number }) => c.Port)).to.deep.equal([17050, 17060, 17070]);
    expect(doc.Profiles.bft4.Orderer.ConsenterMapping).to.have.length(4);
    expect(doc.Profiles.bft4.Capabilities.V3_0).to.equal(true);
    for (const p of PROFILES) {
      const app = doc.Profiles[p].Application;
      expect(app.Policies.Endorsement.Rule).to.equal('MAJORITY Endorsement');
      expect(app.Policies.LifecycleEndorsement.Rule).to.equal('MAJORITY Endorsement');
      expect(app.Organizations.map((o: { ID: string }) => o.ID)).to.deep.equal(['PlatformMSP', 'CoreMSP', 'BankMSP']);
      expect(String(doc.Profiles[p].Orderer.BatchTimeout ?? '')).to.match(/^\d+ms$/);
      expect(parseInt(String(doc.Profiles[p].Orderer.BatchTimeout), 10)).to.be.at.most(250);
    }
    expect(doc.Profiles.raft1.Application.Organizations[0].AnchorPeers).to.deep.equal([{ Host: '127.0.0.1', Port: 17150 }]);
  });

  it('keeps two networks whose bases are PORT_SPAN apart on disjoint ports, the fault suite\'s gateway included', () => {
    const ports = (base: number) => {
      const l = layoutOf('bft4', base, '/run');
      return [
        ...l.orderers.flatMap((o) => [o.port, o.adminPort, o.operationsPort]),
        ...l.peers.flatMap((p) => [p.port, p.chaincodePort, p.operationsPort]),
        l.chaincodePort,
        l.trivialChaincodePort,
        l.gatewayPort,
      ];
    };
    const a = ports(DEFAULT_PORT_BASE);
    const b = ports(DEFAULT_PORT_BASE + PORT_SPAN);
    expect(new Set(a).size).to.equal(a.length);
    expect(a.filter((p) => p < DEFAULT_PORT_BASE || p >= DEFAULT_PORT_BASE + PORT_SPAN)).to.deep.equal([]);
    expect(a.filter((p) => b.includes(p))).to.deep.equal([]);
    expect(() => layoutOf('raft1', 65500, '/run')).to.throw(/SCF_NETWORK_PORT_BASE/);
    expect(configtxValues(layoutOf('raft1', 7050, '/run'))).to.include({ ORDERER1_PORT: '7050', BANK_PEER_PORT: '7170' });
  });

  it('sets the peer time window explicitly and listens on loopback only', () => {
    const l = layoutOf('raft1', DEFAULT_PORT_BASE, '/run');
    const env = peerEnv(l, l.peers[0]!, { binDir: '/bin', configDir: '/cfg', version: '3.1.5' }, 'info');
    expect(env.CORE_PEER_AUTHENTICATION_TIMEWINDOW).to.equal('15m');
    for (const key of ['CORE_PEER_LISTENADDRESS', 'CORE_PEER_CHAINCODELISTENADDRESS', 'CORE_OPERATIONS_LISTENADDRESS']) expect(env[key]).to.match(/^127\.0\.0\.1:\d+$/);
  });

  it('has the peers offer batched state messages unless SCF_PEER_BATCHING=off, and refuses another value', () => {
    const bin = { binDir: '/bin', configDir: '/cfg', version: '3.1.5' };
    const offered = (l: ReturnType<typeof layoutOf>) => {
      const env = peerEnv(l, l.peers[0]!, bin, 'info');
      return [env.CORE_CHAINCODE_RUNTIMEPARAMS_USEWRITEBATCH, env.CORE_CHAINCODE_RUNTIMEPARAMS_USEGETMULTIPLEKEYS];
    };
    const runDir = mkdtempSync(join(tmpdir(), 'scf-layout-'));
    try {
      expect(offered(resolveLayout({ runDir }, {}))).to.deep.equal(['true', 'true']);
      expect(offered(resolveLayout({ runDir }, { SCF_PEER_BATCHING: 'on' }))).to.deep.equal(['true', 'true']);
      expect(offered(resolveLayout({ runDir }, { SCF_PEER_BATCHING: 'off' }))).to.deep.equal(['false', 'false']);
      expect(offered(resolveLayout({ runDir, peerBatching: false }, {}))).to.deep.equal(['false', 'false']);
      expect(() => resolveLayout({ runDir }, { SCF_PEER_BATCHING: 'no' })).to.throw(/SCF_PEER_BATCHING must be on or off/);
      // A running network's record keeps its setting for later restarts.
      writeFileSync(join(runDir, 'network.json'), JSON.stringify({ profile: 'raft1', base: DEFAULT_PORT_BASE, peerBatching: false }));
      expect(offered(resolveLayout({ runDir }, {}))).to.deep.equal(['false', 'false']);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});

describe('finding the Fabric binaries', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scf-fabric-bin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A folder of stand-in tools whose `peer version` prints `version`. */
  function fakeRelease(root: string, version: string, config = true): string {
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const t of ['peer', 'orderer', 'osnadmin', 'configtxgen', 'cryptogen']) {
      writeFileSync(join(bin, t), `#!/bin/sh\necho "${t}:"\necho " Version: ${version}"\n`);
      chmodSync(join(bin, t), 0o755);
    }
    if (config) {
      mkdirSync(join(root, 'config'), { recursive: true });
      writeFileSync(join(root, 'config', 'core.yaml'), 'peer: {}\n');
      writeFileSync(join(root, 'config', 'orderer.yaml'), 'General: {}\n');
    }
    return bin;
  }

  it('takes FABRIC_BIN first, with the config folder beside it', () => {
    const bin = fakeRelease(join(dir, 'release'), 'v3.1.5');
    fakeRelease(join(dir, 'cache', '3.1.4'), '3.1.4');
    const found = findFabric({ FABRIC_BIN: bin, SCF_FABRIC_CACHE: join(dir, 'cache'), PATH: '' });
    expect(found).to.deep.equal({ binDir: bin, configDir: join(dir, 'release', 'config'), version: '3.1.5' });
  });

  it('falls back to the newest version in the cache folder, then PATH', () => {
    fakeRelease(join(dir, 'cache', '3.1.4'), '3.1.4');
    const newest = fakeRelease(join(dir, 'cache', '3.1.5'), '3.1.5');
    expect(findFabric({ SCF_FABRIC_CACHE: join(dir, 'cache'), PATH: '' }).binDir).to.equal(newest);
    const onPath = fakeRelease(join(dir, 'path'), '3.1.5');
    expect(findFabric({ SCF_FABRIC_CACHE: join(dir, 'none'), PATH: onPath }).binDir).to.equal(onPath);
  });

  it('takes the newest version folder of the cache by number: 3.1.10 before 3.1.9', () => {
    fakeRelease(join(dir, 'cache', '3.1.9'), '3.1.9');
    const newest = fakeRelease(join(dir, 'cache', '3.1.10'), '3.1.10');
    fakeRelease(join(dir, 'cache', '3.1.2'), '3.1.2');
    expect(findFabric({ SCF_FABRIC_CACHE: join(dir, 'cache'), PATH: '' }).binDir).to.equal(newest);
  });

  const refusal = (env: NodeJS.ProcessEnv): string => {
    let err: unknown;
    try {
      findFabric(env);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(FabricNotFound);
    return (err as Error).message;
  };

  it('refuses another Fabric version, a set without config, and says where it looked', () => {
    fakeRelease(join(dir, 'cache', '2.5.9'), '2.5.9');
    const noConfig = fakeRelease(join(dir, 'bare'), '3.1.5', false);
    const message = refusal({ SCF_FABRIC_CACHE: join(dir, 'cache'), PATH: noConfig });
    expect(message).to.include(`${join(dir, 'cache', 'bin')} (cache): no binaries`);
    expect(message).to.include(`${join(dir, 'cache', '2.5.9', 'bin')} (cache): peer version 2.5.9, need 3.1.x`);
    expect(message).to.include(`${noConfig} (PATH): binaries 3.1.5, but no core.yaml and orderer.yaml`);
    expect(message).to.include('Set FABRIC_BIN');
  });

  it('refuses a FABRIC_BIN it cannot use at once, though good binaries wait in the cache', () => {
    fakeRelease(join(dir, 'cache', '3.1.5'), '3.1.5');
    const old = fakeRelease(join(dir, 'old'), '2.5.9');
    for (const [bin, why] of [
      [old, 'peer version 2.5.9, need 3.1.x'],
      [join(dir, 'nonexistent'), 'no binaries'],
    ] as const) {
      const message = refusal({ FABRIC_BIN: bin, SCF_FABRIC_CACHE: join(dir, 'cache'), PATH: '' });
      expect(message).to.include(`${bin} (FABRIC_BIN): ${why}`);
      expect(message).to.include('FABRIC_BIN is set, so nothing else was tried');
      expect(message).not.to.include('(cache)');
    }
  });
});

describe('network up on ports another process holds', () => {
  it('refuses, naming the port and SCF_NETWORK_PORT_BASE, and creates nothing', async () => {
    const { createServer } = await import('node:net');
    const { up } = await import('../../../network/src/network');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const runDir = join(mkdtempSync(join(tmpdir(), 'scf-net-')), 'run');
    try {
      let err: unknown;
      try {
        await up({ runDir, base: port, profile: 'raft1' }); // orderer1 listens on the base port
      } catch (e) {
        err = e;
      }
      expect((err as Error).message).to.equal(
        `port 127.0.0.1:${port} (orderer1) is in use by a process this run folder did not start: another network on the same ports? Stop it, or choose another SCF_NETWORK_PORT_BASE (this one: ${port})`,
      );
      expect(existsSync(runDir)).to.equal(false);
    } finally {
      server.close();
    }
  });
});

describe("port bases in the kernel's range for outgoing connections", () => {
  const linux = '32768\t60999\n';
  it('flags a base whose ports overlap the range, at either end, and names the range', () => {
    for (const base of [33050, 32768 - PORT_SPAN + 1, 60999, 40000]) expect(ephemeralOverlap(base, linux), String(base)).to.deep.equal({ low: 32768, high: 60999 });
  });
  it('passes a base wholly below or above it, and says nothing when the range cannot be read', () => {
    for (const base of [7050, 27050, 32768 - PORT_SPAN, 61000]) expect(ephemeralOverlap(base, linux), String(base)).to.equal(undefined);
    expect(ephemeralOverlap(33050, undefined)).to.equal(undefined);
    expect(ephemeralOverlap(33050, 'garbage')).to.equal(undefined);
  });
});
