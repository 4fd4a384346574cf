import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { demoMember } from '../../../gateway/src/demo/plan';
import { layoutOf } from '../../../network/src/layout';
import { caliperNetworkConfig } from '../../../scripts/bench/caliper/run';
import { cpuSecondsOf, heaviest, used } from '../../../scripts/bench/fabric/cpu';
import type { FabricProfile } from '../../../gateway/src/ledger/fabric/profile';
import type { LineEnv } from '../../../scripts/bench/credit-lines';
import { lineCheck } from '../../../scripts/bench/fabric/credit-lines';
import { approvedPerSecond, summarise } from '../../../scripts/bench/fabric/main';
import { RawClient } from '../../../scripts/bench/fabric/raw-client';
import type { LoadResult } from '../../../scripts/bench/load';
import { untilSeen } from '../../../scripts/bench/fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWorkloadModule } = require('../../../scripts/bench/caliper/workload.js') as {
  createWorkloadModule: () => {
    initializeWorkloadModule(w: number, total: number, round: number, args: object, sut: object): Promise<void>;
    submitTransaction(): Promise<unknown>;
  };
};

const ROOT = join(__dirname, '..', '..', '..');

describe('bench:fabric and bench:caliper', () => {
  describe('the Caliper benchmark', () => {
    const yaml = readFileSync(join(ROOT, 'scripts/bench/caliper/benchmark.yaml'), 'utf8');
    const valueOf = (key: string) => new RegExp(`^\\s+${key}: (\\S+)$`, 'm').exec(yaml)?.[1];

    it('names the demo members the gateway sets up on the network', () => {
      expect(valueOf('core')).to.equal(demoMember('core').id);
      expect(valueOf('supplier2')).to.equal(demoMember('supplier2').id);
      expect(valueOf('supplierTaxId')).to.equal(demoMember('supplier1').id);
      expect(valueOf('module')).to.equal('scripts/bench/caliper/workload.js');
    });

    it('writes a network configuration whose identities and peers are the run folder\'s', () => {
      const l = layoutOf('raft1', 7050, '/tmp/scf-caliper-test');
      const { network, profiles } = caliperNetworkConfig(l) as {
        network: { organizations: Array<{ mspid: string; identities: { certificates: Array<{ name: string; clientSignedCert: { path: string } }> } }> };
        profiles: Record<string, { peers: Record<string, { url: string }> }>;
      };
      const names = (msp: string) => network.organizations.find((o) => o.mspid === msp)?.identities.certificates.map((c) => c.name);
      expect(names('PlatformMSP')).to.include('supplier1');
      expect(names('CoreMSP')).to.deep.equal(['core-maker', 'core-checker']);
      const platformCert = network.organizations[0]?.identities.certificates[0]?.clientSignedCert.path;
      expect(platformCert).to.match(/^\/tmp\/scf-caliper-test\/crypto\/peerOrganizations\/platform\.scf\/users\/User1@platform\.scf\//);
      expect(Object.values(profiles.CoreMSP?.peers ?? {}).map((p) => p.url)).to.deep.equal([`grpcs://127.0.0.1:${l.peers[1]?.port}`]);
    });

    it('mints its pieces through the SUT, spends each once, and says when it runs out', async () => {
      const sent: Array<{ contractFunction: string; contractArguments: string[]; invokerIdentity: string; invokerMspId: string; transientMap?: object }> = [];
      let vouchers = 0;
      const sut = {
        sendRequests: async (req: (typeof sent)[number]) => {
          await Promise.resolve();
          sent.push(req);
          const result =
            req.contractFunction === 'receivable:Register' ? { id: 'RCV-1' } : req.contractFunction === 'voucher:Issue' ? { id: `VCH-${++vouchers}` } : {};
          return { GetStatus: () => 'success', GetResult: () => Buffer.from(JSON.stringify(result)) };
        },
      };
      const w = createWorkloadModule();
      const args = { op: 'transfer', txPerWorker: 30, supplierIdentity: 'supplier1', supplierMspId: 'PlatformMSP', supplierTaxId: 'X', supplier2: 'S2', coreIdentity: 'core-maker', coreMspId: 'CoreMSP', core: 'C' };
      await w.initializeWorkloadModule(0, 1, 0, args, sut);
      // One root: register (with the invoice in the transient map), confirm, issue, split 20 ways, then 2 of its children 20 ways.
      expect(sent.map((r) => r.contractFunction)).to.deep.equal(['receivable:Register', 'receivable:Confirm', 'voucher:Issue', 'voucher:Split', 'voucher:Split', 'voucher:Split']);
      expect(sent[0]?.transientMap).to.have.property('documents');
      expect(sent[1]).to.include({ invokerIdentity: 'core-maker', invokerMspId: 'CoreMSP' });
      sent.length = 0;
      for (let i = 0; i < 40; i++) await w.submitTransaction();
      const spent = sent.map((r) => JSON.parse(r.contractArguments[0] as string).id as string);
      expect(new Set(spent).size).to.equal(40);
      expect(spent[0]).to.equal('VCH-1.1.1');
      expect(sent.every((r) => r.contractFunction === 'voucher:Transfer' && r.invokerMspId === 'PlatformMSP')).to.equal(true);
      let error: unknown;
      try {
        await w.submitTransaction();
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.match(/ran out of pieces/);
    });
  });

  describe('CPU accounting', () => {
    it('reads a live process\'s CPU seconds from /proc, growing with work, and nothing for a pid that is gone', () => {
      const before = cpuSecondsOf(process.pid) as number;
      const end = Date.now() + 150;
      let x = 0;
      while (Date.now() < end) x += Math.sqrt(x + 1);
      expect(x).to.be.greaterThan(0);
      expect(cpuSecondsOf(process.pid)).to.be.greaterThan(before);
      expect(cpuSecondsOf(2 ** 22 + 7)).to.equal(undefined);
    });

    it('splits CPU between snapshots by process and names the busiest', () => {
      const cpu = used(new Map([['peer', 1], ['orderer', 2], ['gone', 5]]), new Map([['peer', 4.5], ['orderer', 2.5], ['late', 9]]));
      expect(cpu).to.deep.equal({ peer: 3.5, orderer: 0.5 });
      expect(heaviest(cpu)).to.deep.equal({ name: 'peer', share: 3.5 / 4 });
      expect(heaviest({})).to.equal(undefined);
    });
  });

  describe('one busy credit line', () => {
    const run = (tps: number, outcomes: Record<string, number>, p50: number) =>
      ({ tps, outcomes, operations: Object.values(outcomes).reduce((a, b) => a + b, 0), latencyMs: { p50 } }) as unknown as LoadResult;
    const phase = (name: string, path: 'raw' | 'REST', result: LoadResult) => ({ name, path, concurrency: 8, repeat: 0, result, cpuSeconds: {} });

    it('compares approvals committed per second, not attempts: a raw attempt that lost a conflict approved nothing', () => {
      const s = summarise(
        [
          phase('approvals on 1 credit line', 'raw', run(8, { VALID: 4, MVCC_READ_CONFLICT: 28 }, 180)),
          phase('approvals on 8 credit lines', 'raw', run(40, { VALID: 32 }, 200)),
          phase('approvals on 1 credit line', 'REST', run(6, { VALID: 32 }, 1200)),
          phase('approvals on 8 credit lines', 'REST', run(36, { VALID: 32 }, 200)),
        ],
        [],
      );
      expect(s.creditLines).to.deep.equal([
        { path: 'raw', lines: 8, approvedRatio: 1 / 40, p50Ratio: 0.9 },
        { path: 'REST', lines: 8, approvedRatio: 6 / 36, p50Ratio: 6 },
      ]);
      expect(approvedPerSecond(run(8, { VALID: 4, MVCC_READ_CONFLICT: 28 }, 1))).to.equal(1);
    });

    it('gives no ratio for a path without both phases, or whose control approved nothing', () => {
      const s = summarise(
        [phase('approvals on 1 credit line', 'raw', run(8, { VALID: 4 }, 180)), phase('approvals on 1 credit line', 'REST', run(6, { VALID: 32 }, 1200)), phase('approvals on 8 credit lines', 'REST', run(36, { HTTP_503: 32 }, 200))],
        [],
      );
      expect(s.creditLines).to.deep.equal([]);
    });

    it('passes a phase only when every outcome is allowed for it and every line\'s used is its committed advances', async () => {
      const line = (id: string, approved: bigint) => ({ id, obligor: 'o', financings: [], approved });
      const used = new Map([['L1', '300'], ['L2', '500']]);
      const env = {
        bank: { who: 'bank-maker', id: 'B' },
        evaluate: (_who: string, _name: string, cmd: object) => Promise.resolve({ used: used.get((cmd as { id: string }).id), limit: '1000' }),
      } as unknown as LineEnv<string>;
      const one = [line('L1', 300n)];
      const result = (outcomes: Record<string, number>) => run(1, outcomes, 1);
      expect((await lineCheck(env, one, 'raw', result({ VALID: 1, MVCC_READ_CONFLICT: 7 }))).passed, 'a raw conflict on one line').to.equal(true);
      expect((await lineCheck(env, one, 'REST', result({ VALID: 7, HTTP_503: 1 }))).passed, 'a 503 through REST').to.equal(false);
      expect((await lineCheck(env, [line('L1', 300n), line('L2', 500n)], 'raw', result({ VALID: 7, MVCC_READ_CONFLICT: 1 }))).passed, 'a conflict on disjoint lines').to.equal(false);
      const wrong = await lineCheck(env, [line('L2', 400n)], 'REST', result({ VALID: 8 }));
      expect(wrong).to.deep.equal({ passed: false, detail: 'VALID=8; L2: used 500, approved 400, limit 1000' });
      expect((await lineCheck(env, one, 'raw', result({ MVCC_READ_CONFLICT: 8 }))).passed, 'nothing committed').to.equal(false);
    });

    it('signs as an identity it was given beside the profile\'s, and refuses a label it already knows', () => {
      const raw = new RawClient({ identities: [{ label: 'bank-maker' }] } as unknown as FabricProfile);
      const id = { mspId: 'CoreMSP', certificate: 'PEM', privateKey: 'KEY' };
      raw.addIdentity('bench-obligor-1', id);
      expect(() => raw.addIdentity('bench-obligor-1', id)).to.throw(/already known/);
      expect(() => raw.addIdentity('bank-maker', id)).to.throw(/already known/);
    });
  });

  describe('the sweep summary', () => {
    const result = (tps: number) => ({ tps }) as LoadResult;
    const phase = (name: string, path: 'raw' | 'REST', concurrency: number, tps: number, repeat = 0) => ({ name, path, concurrency, repeat, result: result(tps), cpuSeconds: {} });
    it('pairs ratios per level and finds each path\'s knee: the first level within 5% of its best', () => {
      const phases = [
        phase('trivial transfer', 'raw', 1, 10), phase('full transfer', 'raw', 1, 8), phase('full transfer', 'REST', 1, 8),
        phase('trivial transfer', 'raw', 8, 50), phase('full transfer', 'raw', 8, 40), phase('full transfer', 'REST', 8, 30),
        phase('trivial transfer', 'raw', 32, 52), phase('full transfer', 'raw', 32, 60), phase('full transfer', 'REST', 32, 57),
      ];
      const s = summarise(phases, [1, 8, 32]);
      expect(s.ratios.map((r) => [r.concurrency, r.scfOverTrivial, r.restOverRaw, r.repeats])).to.deep.equal([[1, 0.8, 1, 1], [8, 0.8, 0.75, 1], [32, 60 / 52, 0.95, 1]]);
      expect(s.ratios[1]).to.deep.include({ scfOverTrivialRange: [0.8, 0.8], restOverRawRange: [0.75, 0.75] });
      expect(s.knee['trivial transfer [raw]']).to.deep.equal({ concurrency: 8, tps: 50 });
      expect(s.knee['full transfer [raw]']).to.deep.equal({ concurrency: 32, tps: 60 });
    });

    it('pairs the three paths within each repeat, reports the median ratio and its range, and the knee on median throughput', () => {
      // Repeat 1 ran on a slow machine: its absolute figures are low, its ratios like the others'.
      const phases = [
        phase('trivial transfer', 'raw', 16, 100, 0), phase('full transfer', 'raw', 16, 90, 0), phase('full transfer', 'REST', 16, 81, 0),
        phase('trivial transfer', 'raw', 16, 50, 1), phase('full transfer', 'raw', 16, 40, 1), phase('full transfer', 'REST', 16, 40, 1),
        phase('trivial transfer', 'raw', 16, 100, 2), phase('full transfer', 'raw', 16, 85, 2), phase('full transfer', 'REST', 16, 80, 2),
        phase('trivial transfer', 'raw', 32, 110, 0), phase('full transfer', 'raw', 32, 100, 0), phase('full transfer', 'REST', 32, 95, 0),
        // A repeat with a path missing gives no pair.
        phase('trivial transfer', 'raw', 32, 10, 1), phase('full transfer', 'raw', 32, 10, 1),
      ];
      const s = summarise(phases, [16, 32]);
      const at16 = s.ratios[0];
      expect(at16?.repeats).to.equal(3);
      expect(at16?.scfOverTrivial).to.equal(0.85);
      expect(at16?.scfOverTrivialRange).to.deep.equal([0.8, 0.9]);
      expect(at16?.restOverRaw).to.be.closeTo(0.9412, 1e-4);
      expect(at16?.restOverRawRange).to.deep.equal([0.9, 1]);
      expect(s.ratios[1]).to.deep.include({ concurrency: 32, repeats: 1, scfOverTrivial: 100 / 110, restOverRaw: 0.95 });
      // Medians of tps: trivial 100 at 16 and 60 at 32 (110 and 10); the knee is at 16.
      expect(s.knee['trivial transfer [raw]']).to.deep.equal({ concurrency: 16, tps: 100 });
      expect(s.knee['full transfer [REST]']).to.deep.equal({ concurrency: 32, tps: 95 });
    });
  });

  describe('set-up on a network whose peers commit at their own pace', () => {
    it('asks again while another org\'s peer answers NOT_FOUND, and returns the answer once it sees the record', async () => {
      let calls = 0;
      const answer = await untilSeen(() => {
        calls += 1;
        if (calls < 3) return Promise.reject(new Error('setup transaction receivable:Confirm ended REJECTED: chaincode response 500, [NOT_FOUND] receivable RCV-1 not found'));
        return Promise.resolve('confirmed');
      });
      expect(answer).to.equal('confirmed');
      expect(calls).to.equal(3);
    });

    it('throws any other refusal at once, and NOT_FOUND itself once the deadline has passed', async () => {
      let calls = 0;
      const other = await untilSeen(() => {
        calls += 1;
        return Promise.reject(new Error('[FORBIDDEN] no'));
      }).catch((e: Error) => e);
      expect(other.message).to.equal('[FORBIDDEN] no');
      expect(calls).to.equal(1);
      const started = Date.now();
      const never = await untilSeen(() => Promise.reject(new Error('[NOT_FOUND] voucher VCH-1 not found')), 200).catch((e: Error) => e);
      expect(never.message).to.contain('[NOT_FOUND]');
      expect(Date.now() - started).to.be.within(200, 1000);
    });
  });
});
