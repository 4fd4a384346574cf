import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrgCa, type OrgCa } from '../../../gateway/src/ledger/embedded/pki';
import { demoMember } from '../../../gateway/src/demo/plan';
import { type Layout, peerOrgDir } from '../../../network/src/layout';
import { clientIdOf } from '../../../test/support/ledger-harness';
import type { PhaseSize } from '../config';
import { approvals, describeOutcomes, type LineEnv, type LineUnderTest, RATE_BPS, setUpLines, wrongLines } from '../credit-lines';
import type { LoadResult, OutcomeCode } from '../load';
import { type RawClient, setupSubmit } from './raw-client';

/**
 * Contention on one credit line on the real network (the embedded figures:
 * docs/BENCHMARKS.md, "Contention on one credit line"). A bank's approval
 * reserves the advance on its line to the voucher's issuer in the same
 * transaction, so approvals on one line all read and write its key: in a
 * Fabric block only the first of them commits and the rest are
 * MVCC_READ_CONFLICT. The control spreads the same approvals over one line
 * per client, each to an obligor of its own.
 *
 * Each obligor is a core enterprise with an identity of its own. The network's
 * demo identities are a fixed set, so the bench issues the new ones from
 * CoreMSP's CA in the run folder (cryptogen's key, which never leaves this
 * machine), as an operator's own CA would.
 */

const SCF = 'scf';

export interface FabricLineSetup {
  layout: Layout;
  raw: RawClient;
  bankId: string;
  /** A number that no earlier run on this network used: the obligors' member ids count from it. */
  runTag: number;
}

/** The CA that signs CoreMSP's client certificates, from the run folder's cryptogen output. */
function coreCa(layout: Layout): Promise<OrgCa> {
  const dir = join(peerOrgDir(layout, 'CoreMSP'), 'ca');
  return loadOrgCa({
    mspId: 'CoreMSP',
    certificate: readFileSync(join(dir, 'ca.core.scf-cert.pem'), 'utf8'),
    privateKey: readFileSync(join(dir, 'priv_sk'), 'utf8'),
  });
}

/** The raw client's way to set up and read lines: identities are profile labels, new ones signed by the org's CA. */
export async function lineEnv(s: FabricLineSetup): Promise<LineEnv<string>> {
  const ca = await coreCa(s.layout);
  return {
    submit: setupSubmit(s.raw, SCF),
    evaluate: async (label, name, command) => JSON.parse(await s.raw.evaluate(label, SCF, name, [JSON.stringify(command)])) as unknown,
    operator: 'operator-admin',
    newIdentity: async (mspId, label) => {
      if (mspId !== 'CoreMSP') throw new Error(`the bench issues identities of CoreMSP only, not ${mspId}`);
      const identity = await ca.sign(label);
      s.raw.addIdentity(label, identity);
      return { who: label, identityId: clientIdOf({ mspId, certificatePem: identity.certificate, privateKeyPem: identity.privateKey }) };
    },
    bank: { who: 'bank-maker', id: s.bankId },
    supplier: 'supplier1',
    supplierId: demoMember('supplier1').id,
  };
}

/**
 * Set `set` (0 or 1: one for each path) of a run's lines: one line with every
 * financing, and `spread` lines (at most 49) sharing as many. The obligors of
 * set k are numbered from runTag × 100 + 50k.
 */
export function setUpFabricLines(env: LineEnv<string>, s: FabricLineSetup, spread: number, financings: number, set: number) {
  if (spread > 49 || (set !== 0 && set !== 1)) throw new RangeError(`at most 49 lines in a set and two sets a run, not ${spread} in set ${set}`);
  return setUpLines(env, spread, financings, s.runTag * 100 + 50 * set);
}

/** The run's first obligor number: seconds since the epoch, so that runs on one network never reuse a member id. */
export const runTagNow = (): number => Math.floor(Date.now() / 1000) % 99_999;

/** One phase of approvals through the raw client as the bank's maker, no retry: a conflict is an outcome. */
export function rawApprovals(raw: RawClient, lines: readonly LineUnderTest[], size: PhaseSize, beforeMeasure: () => void): Promise<LoadResult> {
  return approvals(
    lines,
    size,
    0,
    async (id, advanceAmount): Promise<OutcomeCode> =>
      (await raw.submit('bank-maker', SCF, 'financing:Approve', [JSON.stringify({ id, advanceAmount, annualRateBps: RATE_BPS })])).code,
    beforeMeasure,
  );
}

/** One phase through the REST gateway, which re-endorses a conflict itself: every approval should answer 200. */
export function restApprovals(
  post: (path: string, body: object) => Promise<number>,
  lines: readonly LineUnderTest[],
  size: PhaseSize,
  beforeMeasure: () => void,
): Promise<LoadResult> {
  return approvals(
    lines,
    size,
    0,
    async (id, advanceAmount) => {
      const status = await post(`/financings/${encodeURIComponent(id)}/approve`, { advanceAmount, annualRateBps: RATE_BPS });
      return status === 200 ? 'VALID' : `HTTP_${status}`;
    },
    beforeMeasure,
  );
}

/**
 * The check of a phase: on one line every approval committed or lost a
 * conflict (raw) or answered 200 (REST), on one line per client all of them
 * committed; and every line's `used` is exactly the advances that committed
 * on it, within its limit.
 */
export async function lineCheck(
  env: LineEnv<string>,
  lines: readonly LineUnderTest[],
  path: 'raw' | 'REST',
  result: LoadResult,
): Promise<{ passed: boolean; detail: string }> {
  const wrong = await wrongLines(env, lines);
  const valid = result.outcomes.VALID ?? 0;
  const others = Object.keys(result.outcomes).filter((code) => code !== 'VALID' && !(path === 'raw' && lines.length === 1 && code === 'MVCC_READ_CONFLICT'));
  const passed = others.length === 0 && valid > 0 && wrong.length === 0;
  return { passed, detail: `${describeOutcomes(result.outcomes)}; ${wrong.length === 0 ? `${lines.length} line(s) right` : wrong.join('; ')}` };
}
