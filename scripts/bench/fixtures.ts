import { randomBytes } from 'node:crypto';
import type { InvoiceDoc } from '../../chaincode/src/domain/canonical';
import type { CallerIdentity } from '../../gateway/src/ledger/ledger';
import { makeIdentity } from '../../test/support/certs';
import { clientIdOf, IDS } from '../../test/support/ledger-harness';
import type { BenchIdentity, BenchLedger, GatewayUnderTest } from './target';

/**
 * Ledger state for the scenarios, made with ordinary transactions: members
 * bound to real X.509 identities, and voucher pieces minted cheaply by
 * splitting roots 20 ways, twice (one root gives 20 × 20 = 400 pieces).
 */

/** Largest split the design allows (2 ≤ n ≤ 20). */
export const FANOUT = 20;

/**
 * Submits a command and answers its parsed result; throws unless it committed
 * valid. `transient` values go in the proposal's transient map as JSON.
 */
export type SubmitJson<W> = (who: W, name: string, command: object, transient?: Record<string, unknown>) => Promise<unknown>;

/** A transient map of JSON values as the proposal carries it. */
export const transientBytes = (transient: Record<string, unknown>): Record<string, Uint8Array> =>
  Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, Buffer.from(JSON.stringify(v), 'utf8')]));

/** Who mints: the supplier that holds the pieces and the core enterprise that owes them. */
export interface Minter<W> {
  submit: SubmitJson<W>;
  supplier: W;
  /** The supplier's member id: the seller of the invoices it registers. */
  supplierId: string;
  core: W;
  coreId: string;
}

export interface Piece {
  id: string;
  amount: string;
}

/** Runs `fn` over `items` with at most `concurrency` at once; answers in item order. */
export async function parallel<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, items.length)) }, worker));
  return out;
}

export function isoDate(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

const run = randomBytes(6).toString('hex');
let invoices = 0;
/** The canonical fields of a fresh invoice; the chaincode computes and claims its fingerprint. */
const freshInvoice = (amount: string, seller: string): InvoiceDoc => ({
  kind: 'INVOICE',
  sellerTaxId: seller,
  invoiceCode: '',
  invoiceNumber: `BENCH-${run}-${invoices++}`,
  amount,
  issueDate: '2026-01-02',
});

/** `amount` split into `n` equal parts (the last takes any remainder). */
export function equalParts(amount: bigint, n: number): string[] {
  const part = amount / BigInt(n);
  return Array.from({ length: n }, (_, i) => String(i === n - 1 ? amount - part * BigInt(n - 1) : part));
}

/** A root voucher issued against a fresh confirmed receivable, held by the minter's supplier. */
export async function issueRoot<W>(m: Minter<W>, amount: bigint): Promise<string> {
  const maturityDate = isoDate(180);
  const rcv = (await m.submit(
    m.supplier,
    'receivable:Register',
    { debtor: m.coreId, amount: String(amount), dueDate: maturityDate },
    { documents: [freshInvoice(String(amount), m.supplierId)] },
  )) as { id: string };
  await untilSeen(() => m.submit(m.core, 'receivable:Confirm', { id: rcv.id }));
  const voucher = (await resubmittingConflicts(() => m.submit(m.core, 'voucher:Issue', { receivableId: rcv.id, amount: String(amount), maturityDate }))) as { id: string };
  return voucher.id;
}

/**
 * Every issue by one core enterprise reserves on its one ISSUANCE line, so
 * roots minted in parallel conflict on that line's key (MVCC), as the
 * gateway's own writes would; like the gateway, submit again (a new
 * transaction) until one commits. Also when the endorsing peers disagree
 * (one had not yet committed the line's latest block: "ProposalResponsePayloads
 * do not match"), the same contention seen before ordering, which the
 * gateway's connector retries likewise.
 */
async function resubmittingConflicts<T>(submit: () => Promise<T>, attempts = 50): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit();
    } catch (err) {
      if (attempt >= attempts || !/MVCC_READ_CONFLICT|PHANTOM_READ_CONFLICT|ProposalResponsePayloads do not match/.test((err as Error).message)) throw err;
    }
  }
}

/**
 * On a real network each member's client endorses at its own org's peer,
 * which may not have committed the block another org's client just waited
 * for (a receivable the supplier registered, a voucher the core issued):
 * the chaincode answers NOT_FOUND. Set-up asks again shortly, for 10 s at
 * most; a record that never appears still fails. (The REST gateway waits
 * for the peers itself: HeightTracker.)
 */
export async function untilSeen<T>(submit: () => Promise<T>, deadlineMs = 10_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await submit();
    } catch (err) {
      if (Date.now() >= end || !/\[NOT_FOUND\]/.test((err as Error).message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Roots issued at once (see mintTree). */
const ROOT_CONCURRENCY = 8;

export interface MintPlan {
  roots: number;
  /** How many of the roots' children are split again (at most 20 per root). */
  secondLevelSplits: number;
  /** Amount of each grandchild, in fen. */
  leafAmount: bigint;
  concurrency: number;
}

export interface Minted {
  /** ACTIVE tier-0 grandchildren, each of leafAmount, held by the supplier. */
  leaves: Piece[];
  /** Voucher records created (roots, children, grandchildren). */
  records: number;
}

/** Roots split 20 ways, then `secondLevelSplits` of the children split 20 ways again. */
export async function mintTree<W>(m: Minter<W>, plan: MintPlan): Promise<Minted> {
  if (plan.secondLevelSplits > plan.roots * FANOUT) throw new RangeError('more second-level splits than children');
  const childAmount = plan.leafAmount * BigInt(FANOUT);
  const rootAmount = childAmount * BigInt(FANOUT);
  // Every root reserves on the core's one ISSUANCE line: beyond a few at a
  // time they only conflict on it (one commits per block, the others are
  // issued again), and with 32 at once one root lost 50 times in a row.
  const roots = await parallel(Array.from({ length: plan.roots }), Math.min(plan.concurrency, ROOT_CONCURRENCY), () => issueRoot(m, rootAmount));
  await parallel(roots, plan.concurrency, (id) => untilSeen(() => m.submit(m.supplier, 'voucher:Split', { id, amounts: equalParts(rootAmount, FANOUT) })));
  const children = roots.flatMap((root) => Array.from({ length: FANOUT }, (_, k) => `${root}.${k + 1}`)).slice(0, plan.secondLevelSplits);
  await parallel(children, plan.concurrency, (id) => m.submit(m.supplier, 'voucher:Split', { id, amounts: equalParts(childAmount, FANOUT) }));
  const leaves = children.flatMap((child) => Array.from({ length: FANOUT }, (_, k) => ({ id: `${child}.${k + 1}`, amount: String(plan.leafAmount) })));
  return { leaves, records: plan.roots * (1 + FANOUT) + plan.secondLevelSplits * FANOUT };
}

/** At least `n` ACTIVE tier-0 pieces of `leafAmount`; answers exactly n. */
export async function mintPieces<W>(m: Minter<W>, n: number, leafAmount = 10_000n, concurrency = 32): Promise<Piece[]> {
  const splits = Math.ceil(n / FANOUT);
  const minted = await mintTree(m, { roots: Math.ceil(splits / FANOUT), secondLevelSplits: splits, leafAmount, concurrency });
  return minted.leaves.slice(0, n);
}

/** The plan that brings the voucher records in state from `existing` to at least `wanted` (overshooting by under 20). */
export function planForRecords(existing: number, wanted: number, leafAmount: bigint, concurrency: number): MintPlan | undefined {
  const missing = wanted - existing;
  if (missing <= 0) return undefined;
  const perRoot = 1 + FANOUT + FANOUT * FANOUT;
  const roots = Math.ceil(missing / perRoot);
  const secondLevelSplits = Math.min(roots * FANOUT, Math.max(0, Math.ceil((missing - roots * (1 + FANOUT)) / FANOUT)));
  return { roots, secondLevelSplits, leafAmount, concurrency };
}

// ---- the engine ledger's members ----

export interface Cast {
  operator: BenchIdentity;
  core: BenchIdentity;
  supplier1: BenchIdentity;
  supplier2: BenchIdentity;
  supplier3: BenchIdentity;
  auditor: BenchIdentity;
  ids: { operator: string; core: string; supplier1: string; supplier2: string; supplier3: string; auditor: string };
}

/** Submits and insists on a valid commit: fixtures must not silently fail. */
export function submitJsonOn(ledger: BenchLedger): SubmitJson<BenchIdentity> {
  return async (who, name, command, transient) => {
    const outcome = await ledger.submit(who, name, [JSON.stringify(command)], transient && new Map(Object.entries(transientBytes(transient))));
    if (outcome.code !== 'VALID') {
      throw new Error(`setup transaction ${name} ended ${outcome.code}${outcome.error ? `: ${outcome.error.message}` : ''}`);
    }
    return outcome.result ? (JSON.parse(outcome.result) as unknown) : undefined;
  };
}

/** A fresh identity for a member: who signs as it, and the id the chaincode sees for it (what BindIdentity takes). */
export type NewIdentity<W> = (mspId: string, label: string) => Promise<{ who: W; identityId: string }>;

/** An identity of the test CAs, to sign on the engine ledger. */
export const engineIdentity: NewIdentity<BenchIdentity> = async (mspId, label) => {
  const who = await makeIdentity(mspId, label);
  return { who, identityId: clientIdOf(who) };
};

/** The same kind of identity, shaped for the gateway's connector. */
export const connectorIdentity: NewIdentity<CallerIdentity> = async (mspId, label) => {
  const { who, identityId } = await engineIdentity(mspId, label);
  return { who: { mspId, certificate: who.certificatePem, privateKey: who.privateKeyPem }, identityId };
};

export interface NewMember {
  id: string;
  name: string;
  mspId: string;
  roles: string[];
}

/** The operator registers a member and binds a fresh identity to it as its ADMIN; answers that identity. */
export async function addMember<W>(submit: SubmitJson<W>, operator: W, newIdentity: NewIdentity<W>, member: NewMember, label: string): Promise<W> {
  await submit(operator, 'member:Register', member);
  const { who, identityId } = await newIdentity(member.mspId, label);
  await submit(operator, 'member:BindIdentity', { memberId: member.id, mspId: member.mspId, identityId, userRole: 'ADMIN' });
  return who;
}

/** Bootstraps the operator, registers the members and binds one identity to each. */
export async function setUpCast(ledger: BenchLedger): Promise<Cast> {
  const submit = submitJsonOn(ledger);
  const ids = { operator: IDS.operator, core: IDS.core, supplier1: IDS.tier1, supplier2: IDS.tier2, supplier3: IDS.tier3, auditor: IDS.auditor };
  const operator = await makeIdentity('PlatformMSP', 'bench-operator');
  await submit(operator, 'member:Bootstrap', { member: { id: ids.operator, name: 'Bench Operator', mspId: 'PlatformMSP' } });
  const member = (key: keyof typeof ids, mspId: string, roles: string[]): Promise<BenchIdentity> =>
    addMember(submit, operator, engineIdentity, { id: ids[key], name: `Bench ${key}`, mspId, roles }, `bench-${key}`);
  return {
    operator,
    core: await member('core', 'CoreMSP', ['CORE_ENTERPRISE']),
    supplier1: await member('supplier1', 'PlatformMSP', ['SUPPLIER']),
    supplier2: await member('supplier2', 'PlatformMSP', ['SUPPLIER']),
    supplier3: await member('supplier3', 'PlatformMSP', ['SUPPLIER']),
    auditor: await member('auditor', 'PlatformMSP', ['AUDITOR']),
    ids,
  };
}

export function engineMinter(ledger: BenchLedger, cast: Cast): Minter<BenchIdentity> {
  return { submit: submitJsonOn(ledger), supplier: cast.supplier1, supplierId: cast.ids.supplier1, core: cast.core, coreId: cast.ids.core };
}

/** Submits through the gateway's connector (no HTTP), which retries read conflicts itself; answers the result. */
export function connectorSubmit(gw: GatewayUnderTest): SubmitJson<CallerIdentity> {
  return async (who, name, command, transient) =>
    (await gw.ledger.submit(who, name, command, { deadlineMs: 120_000, transient: transient && transientBytes(transient) })).result;
}

/** Mints through the gateway's connector (no HTTP), as the demo identities supplier1 and core-maker. */
export function gatewayMinter(gw: GatewayUnderTest): Minter<string> {
  const submit = connectorSubmit(gw);
  return {
    submit: (label, name, command, transient) => submit(gw.identity(label), name, command, transient),
    supplier: 'supplier1',
    supplierId: gw.memberId('supplier1'),
    core: 'core-maker',
    coreId: gw.memberId('core'),
  };
}
