import { boundMember, bootstrappedBy } from '../bootstrap';
import { identityIdOf } from '../ledger/identity-id';
import { type Ledger, LedgerError, type LedgerIdentity } from '../ledger/ledger';
import { DEMO_CREDIT_LINES, DEMO_IDENTITIES, DEMO_MEMBERS, type DemoCreditLine, type DemoMember } from './plan';

export interface DemoSetupReport {
  bootstrapped: boolean;
  registered: string[];
  bound: string[];
  /** Keys of the demo credit lines granted by this run. */
  granted: string[];
}

/** The demo set-up stopped, writing nothing, on a ledger that is not a demo's. */
export class DemoRefused extends Error {}

async function exists(ledger: Ledger, as: LedgerIdentity, id: string): Promise<boolean> {
  try {
    await ledger.evaluate(as, 'member:Get', { id });
    return true;
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'NOT_FOUND') return false;
    throw err;
  }
}

/**
 * Brings the ledger to the demo state with ordinary transactions, as the
 * operator would: Bootstrap, Register each member, BindIdentity each
 * identity. Idempotent: every step first checks whether it is done (and
 * carries a requestId), so a start interrupted half-way completes on the next.
 * `identities` maps demo labels to the certificates the gateway holds; labels
 * it lacks are skipped.
 */
export async function setUpDemo(ledger: Ledger, identities: ReadonlyMap<string, LedgerIdentity>): Promise<DemoSetupReport> {
  const report: DemoSetupReport = { bootstrapped: false, registered: [], bound: [], granted: [] };
  const [operatorMember, ...others] = DEMO_MEMBERS as [DemoMember, ...DemoMember[]];
  const operatorLabel = DEMO_IDENTITIES.find((i) => i.member === operatorMember.key)?.label ?? '';
  const operator = identities.get(operatorLabel);
  if (!operator) throw new Error(`demo setup needs the ${operatorLabel} identity (or set SCF_DEMO=false)`);

  // A ledger for real work (SCF_OPERATOR_ID) started with the demo left on:
  // writing the demo's members as its operator would put them on its ledger.
  const refused = (operatorId: string) =>
    new DemoRefused(`this ledger's operator is member ${operatorId}, not the demo's: start it with SCF_DEMO=false (and SCF_OPERATOR_ID=${operatorId}); the demo writes nothing to it`);
  const operatorOf = await boundMember(ledger, operator);
  if (operatorOf === undefined) {
    try {
      await ledger.submit(operator, 'member:Bootstrap', {
        member: { id: operatorMember.id, name: operatorMember.name, mspId: operatorMember.mspId },
      });
    } catch (err) {
      // Its first identity was unbound since: the refusal names the operator that bootstrapped.
      const other = bootstrappedBy(err);
      if (other !== undefined && other !== operatorMember.id) throw refused(other);
      throw err;
    }
    report.bootstrapped = true;
  } else if (operatorOf !== operatorMember.id) {
    throw refused(operatorOf);
  }
  for (const m of others) {
    if (await exists(ledger, operator, m.id)) continue;
    await ledger.submit(operator, 'member:Register', {
      id: m.id,
      name: m.name,
      mspId: m.mspId,
      roles: m.roles,
      dualControlThreshold: m.dualControlThreshold,
      requestId: `demo-register-${m.key}`,
    });
    report.registered.push(m.key);
  }
  for (const d of DEMO_IDENTITIES) {
    const identity = identities.get(d.label);
    if (!identity || identity === operator || (await boundMember(ledger, identity)) !== undefined) continue;
    const m = DEMO_MEMBERS.find((x) => x.key === d.member) as DemoMember;
    await ledger.submit(operator, 'member:BindIdentity', {
      memberId: m.id,
      mspId: identity.mspId,
      identityId: identityIdOf(identity.mspId, identity.certificate),
      userRole: d.userRole,
      requestId: `demo-bind-${d.label}`,
    });
    report.bound.push(d.label);
  }
  for (const line of DEMO_CREDIT_LINES) {
    if (await grantDemoLine(ledger, identities, line)) report.granted.push(line.key);
  }
  return report;
}

/**
 * Grants a demo credit line unless its granter already has a line of that kind
 * to the obligor; under dual control the maker's request is approved by the
 * checker. Both steps carry a requestId, so a run interrupted between them
 * completes on the next. False when skipped (done, an identity missing, or a
 * chaincode without credit lines).
 */
async function grantDemoLine(ledger: Ledger, identities: ReadonlyMap<string, LedgerIdentity>, line: DemoCreditLine): Promise<boolean> {
  const maker = identities.get(line.maker);
  const checker = line.checker === undefined ? undefined : identities.get(line.checker);
  if (!maker || (line.checker !== undefined && !checker)) return false;
  let existing: { records: { status: string; granter: string }[] };
  try {
    existing = (await ledger.evaluate(maker, 'creditLine:List', { obligor: line.obligor, kind: line.kind })) as typeof existing;
  } catch (err) {
    // A chaincode deployed before credit lines has no creditLine:List: the demo runs without lines.
    if (err instanceof LedgerError && err.code === 'NOT_FOUND') return false;
    throw err;
  }
  const granter = DEMO_MEMBERS.find((m) => DEMO_IDENTITIES.some((d) => d.label === line.maker && d.member === m.key))?.id;
  if (existing.records.some((l) => l.granter === granter && l.status !== 'CLOSED')) return false;
  const granted = await ledger.submit(maker, 'creditLine:Grant', {
    kind: line.kind,
    obligor: line.obligor,
    limit: line.limit,
    validTo: line.validTo,
    requestId: `demo-line-${line.key}`,
  });
  const result = granted.result as { docType: string; id: string; status: string };
  if (result.docType === 'approval' && result.status === 'PENDING' && checker) {
    await ledger.submit(checker, 'approval:Approve', { id: result.id, requestId: `demo-line-${line.key}-approve` });
  }
  return true;
}

export interface WaitOptions {
  /** How long to keep trying while the ledger is unavailable, ms. */
  timeoutMs?: number;
  /** Told why each attempt failed (once per distinct reason). */
  log?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * setUpDemo on a network that may still be converging: a freshly started
 * Fabric network answers reads before it can endorse (gossip has not yet
 * shown the Gateway enough peers), so a submit fails with LEDGER_UNAVAILABLE.
 * Retries the whole (idempotent) set-up every second while that is the
 * failure, saying why, for at most `timeoutMs`; then fails naming the cause.
 * Any other error fails at once.
 */
export function setUpDemoWhenReady(
  ledger: Ledger,
  identities: ReadonlyMap<string, LedgerIdentity>,
  opts: WaitOptions = {},
): Promise<DemoSetupReport> {
  return whenLedgerReady('demo set-up', () => setUpDemo(ledger, identities), opts);
}

/** Runs an idempotent start-up `step` again every second while the ledger is unavailable (a network still converging), for at most `timeoutMs`. */
export async function whenLedgerReady<T>(what: string, step: () => Promise<T>, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const end = now() + timeoutMs;
  let lastReason = '';
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof LedgerError) || err.code !== 'LEDGER_UNAVAILABLE') throw err;
      if (now() >= end) {
        throw new Error(`${what}: the ledger did not accept transactions within ${Math.round(timeoutMs / 1000)} s: ${err.detail}`, { cause: err });
      }
      if (err.detail !== lastReason) opts.log?.(`${what}: waiting for the network to accept transactions (${err.detail})`);
      lastReason = err.detail;
      await sleep(1_000);
    }
  }
}
