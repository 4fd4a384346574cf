import { expect } from 'chai';
import sinon from 'sinon';
import { findFabric } from '../../network/src/fabric-bin';
import { readFileSync, writeFileSync } from 'node:fs';
import { canCommit } from '../../network/src/endorsement-probe';
import { CHAINCODE, nodeDir } from '../../network/src/layout';
import { chaincodeServerDir, deployChaincode, packageChaincode, peerTargets, profilePath, resolveLayout, scfChaincode, startChaincodeServer, up, upgrade } from '../../network/src/network';
import { runningPid, signalProcess, waitForExit } from '../../network/src/processes';
import { CORE, expectProblem, freshInvoice, isoDate, startGateway, SUPPLIER2, type TestGateway } from '../http/harness';

/*
 * Operating the product on a real network, through the REST gateway: the
 * chaincode server dies and comes back, the chaincode is redeployed, and a
 * gateway whose clock is off is told so by the peers.
 */
describe('real Fabric network: operations through the REST gateway', function () {
  this.timeout(180_000);
  let gw: TestGateway;
  const layout = () => resolveLayout({ runDir: process.env.SCF_NETWORK_DIR });
  before(async () => {
    if (!process.env.SCF_NETWORK_DIR) throw new Error('SCF_NETWORK_DIR is not set: run with `npm run test:fabric`');
    process.env.SCF_TEST_LEDGER = 'fabric';
    process.env.SCF_FABRIC_PROFILE = profilePath(layout());
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  const register = () =>
    gw.http
      .post('/receivables')
      .set('Authorization', gw.auth('supplier1'))
      .send({ debtor: CORE(), amount: '1000000', dueDate: isoDate(120), documents: [freshInvoice()] });

  it('answers 503 while the chaincode server is down, loses nothing acknowledged, and serves again once it is restarted, without a reinstall', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await register();
      expect(res.status).to.equal(201);
      acknowledged.push(res.body.id as string);
    }
    const l = layout();
    const cc = scfChaincode(l);
    const pid = signalProcess(chaincodeServerDir(l, cc), 'SIGKILL');
    await waitForExit(pid);
    try {
      // The first call finds the chaincode's stream gone, the next cannot connect: both 503.
      for (const res of [await register(), await register(), await gw.http.get(`/receivables/${acknowledged[0]}`).set('Authorization', gw.auth('supplier1'))]) {
        expectProblem(res, 503, 'LEDGER_UNAVAILABLE');
        expect(res.body.detail).to.include('chaincode server');
      }
    } finally {
      const { packageId } = await packageChaincode(l, cc);
      await startChaincodeServer(l, cc, packageId);
    }
    const after = await register();
    expect(after.status, JSON.stringify(after.body)).to.equal(201);
    acknowledged.push(after.body.id as string);
    for (const id of acknowledged) {
      const res = await gw.http.get(`/receivables/${id}`).set('Authorization', gw.auth('supplier1'));
      expect(res.status, id).to.equal(200);
      expect(res.body).to.include({ id, status: 'PENDING' });
    }
  });

  it('keeps an identity an operator added to the gateway profile when up runs again on the running network', async () => {
    const file = profilePath(layout());
    const original = readFileSync(file, 'utf8');
    const profile = JSON.parse(original) as { identities: Array<{ label: string; token: string }> };
    const demo = profile.identities.map((i) => i.label);
    const added = { ...profile.identities.find((i) => i.label === 'supplier1')!, label: 'erp-client', token: 'erp-client-token-0123456789abcdef' };
    writeFileSync(file, JSON.stringify({ ...profile, identities: [...profile.identities, added] }, null, 2), { mode: 0o600 });
    try {
      const again = await up({ runDir: process.env.SCF_NETWORK_DIR });
      expect(again.alreadyRunning).to.equal(true);
      const after = JSON.parse(readFileSync(file, 'utf8')) as { identities: Array<{ label: string }> };
      expect(after.identities.map((i) => i.label)).to.deep.equal([...demo, 'erp-client']);
      expect(after.identities.at(-1)).to.deep.equal(added);
    } finally {
      writeFileSync(file, original, { mode: 0o600 });
    }
  });

  it('names the nodes up starts again beside running ones, and returns only once writes commit: the first write after it is acknowledged', async () => {
    expect((await register()).status).to.equal(201);
    const l = layout();
    // The orderer: the peers that keep running dial it again with a backoff that grows the
    // longer it is away (measured: a write refused, the next 5.5 s, after it was back). And the
    // peer of supplier1's org, which the gateway keeps asking meanwhile, as one in service does
    // (probes, clients): gRPC's own backoff grows too (measured: 13 s of 503s after it was back).
    const [orderer, peer] = [l.orderers[0]!, l.peers.find((p) => p.mspId === 'PlatformMSP')!];
    for (const node of [orderer, peer]) await waitForExit(signalProcess(nodeDir(l, node.name), 'SIGKILL'));
    const asking = setInterval(() => void gw.http.get('/ready').catch(() => undefined), 500);
    const lines: string[] = [];
    try {
      await new Promise((r) => setTimeout(r, 30_000));
      await up({ runDir: process.env.SCF_NETWORK_DIR, log: (line) => lines.push(line) });
    } finally {
      clearInterval(asking);
    }
    expect(lines).to.include(`starting again: ${orderer.name}, ${peer.name} (the other nodes are running)`);
    expect(lines.some((line) => line.startsWith('writable again: a transaction through each peer committed'))).to.equal(true);
    // At once, no retry: a transaction through every peer, then one through the REST gateway.
    const first = await Promise.all(peerTargets(l, CHAINCODE).map(async ({ peer: p, target }) => [p.name, await canCommit(target)]));
    expect(first).to.deep.equal(l.peers.map((p) => [p.name, true]));
    const after = await register();
    expect(after.status, JSON.stringify(after.body)).to.equal(201);
  });

  it('keeps the world state across a redeploy with the next sequence', async () => {
    const before = await register();
    expect(before.status).to.equal(201);
    const l = layout();
    const bin = findFabric();
    const { packageId } = await packageChaincode(l, scfChaincode(l));
    const first = await deployChaincode(l, bin, scfChaincode(l));
    const upgraded = await deployChaincode(l, bin, scfChaincode(l), { upgrade: true });
    expect(upgraded).to.deep.equal({ packageId, sequence: first.sequence + 1 });
    // npm run network:upgrade: the chaincode server starts again on the build, and the next sequence is committed.
    const server = chaincodeServerDir(l, scfChaincode(l));
    const pidBefore = runningPid(server);
    const rolled = await upgrade({ runDir: process.env.SCF_NETWORK_DIR });
    expect(rolled).to.include({ packageId, sequence: upgraded.sequence + 1 });
    expect(runningPid(server)).to.be.a('number').and.not.equal(pidBefore);

    const read = await gw.http.get(`/receivables/${before.body.id}`).set('Authorization', gw.auth('supplier1'));
    expect(read.status).to.equal(200);
    expect(read.body).to.deep.equal(before.body);
    const confirmed = await gw.http.post(`/receivables/${before.body.id}/confirm`).set('Authorization', gw.auth('core-maker')).send({});
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(200);
  });

  it("reports a gateway whose clock is a day ahead of the peers' as 503 CLOCK_SKEW, writing nothing; with the right time the same transfer commits", async () => {
    const rcv = await register();
    await gw.http.post(`/receivables/${rcv.body.id}/confirm`).set('Authorization', gw.auth('core-maker')).send({});
    const issued = await gw.http
      .post('/vouchers')
      .set('Authorization', gw.auth('core-maker'))
      .send({ receivableId: rcv.body.id, amount: '1000000', maturityDate: isoDate(90) });
    expect(issued.status).to.equal(201);
    const height = await gw.ledger.height();

    const transfer = () => gw.http.post(`/vouchers/${issued.body.id}/transfer`).set('Authorization', gw.auth('supplier1')).send({ to: SUPPLIER2(), amount: '1000000' });
    // Only this process's Date is moved: the proposal is stamped a day ahead.
    const clock = sinon.useFakeTimers({ now: Date.now() + 86_400_000, toFake: ['Date'], shouldAdvanceTime: true });
    let refused;
    let read;
    try {
      refused = await transfer();
      read = await gw.http.get(`/vouchers/${issued.body.id}`).set('Authorization', gw.auth('supplier1'));
    } finally {
      clock.restore();
    }
    expectProblem(refused, 503, 'CLOCK_SKEW');
    expect(refused.body.detail).to.include('peer.authentication.timewindow');
    expectProblem(read, 503, 'CLOCK_SKEW');
    expect(await gw.ledger.height()).to.equal(height);

    const committed = await transfer();
    expect(committed.status, JSON.stringify(committed.body)).to.equal(200);
    expect(committed.body.voucher).to.include({ holder: SUPPLIER2() });
  });
});
