import { createHash } from 'node:crypto';
import type { ChaincodeStub } from 'fabric-shim-api';
import { invokeTransaction } from '../../chaincode/src/invoke';
import { type CanonicalDocument, fingerprint, type InvoiceDoc } from '../../chaincode/src/domain/canonical';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import type { Role, UserRole } from '../../chaincode/src/domain/types';
import {
  MemoryBackend,
  WorldState,
  type CommitResult,
  type EndorsedTransaction,
  type TxInput,
} from '../../chaincode/src/worldstate';
import type { PeerBatching } from '../../chaincode/src/ledger/peer-batch';
import { makeIdentity, type TestIdentity } from './certs';
import { emptyTraffic, withPeerBatching, type PeerTraffic } from './peer-batching';

/** A proposal's transient map as tests write it: each value is sent as its JSON. */
export type Transient = Record<string, unknown>;

function transientMap(transient: Transient): Map<string, Uint8Array> {
  return new Map(Object.entries(transient).map(([k, v]) => [k, Buffer.from(JSON.stringify(v), 'utf8')]));
}

/**
 * Contract tests run the deployed chaincode (through the same dispatcher the
 * embedded ledger uses) on the world-state engine with Fabric's semantics:
 * endorse (simulate) then commit (validate MVCC/phantoms, write a block).
 */
export class LedgerHarness {
  readonly ws = new WorldState(new MemoryBackend());
  private seq = 0;
  /** The date transactions are stamped with; tests move it to reach maturity. */
  today = '2026-01-05';
  /** The batched state messages every transaction sent, when the harness plays a peer that offers them. */
  readonly traffic: PeerTraffic = emptyTraffic();

  /** With `peerBatching`, the chaincode runs as on a Fabric 3.1 peer that offered write batches and multi-key reads of those sizes. */
  constructor(private readonly options: { peerBatching?: PeerBatching } = {}) {}

  private input(who: TestIdentity, name: string, command: object, transient?: Transient): TxInput {
    this.seq += 1;
    const txId = createHash('sha256').update(`harness-tx-${this.seq}`).digest('hex');
    const seconds = Math.floor(Date.parse(`${this.today}T08:00:00Z`) / 1000) + this.seq;
    return {
      txId,
      timestamp: { seconds, nanos: 0 },
      creator: { mspId: who.mspId, certificatePem: who.certificatePem },
      fnName: name,
      args: [JSON.stringify(command)],
      ...(transient ? { transient: transientMap(transient) } : {}),
    };
  }

  /**
   * Simulates a transaction; throws the chaincode's error if it fails.
   * `transient` is the proposal's transient map, each value sent as JSON (the
   * gateway sends a registration's documents under `documents`).
   */
  async endorse(who: TestIdentity, name: string, command: object, transient?: Transient): Promise<EndorsedTransaction<string>> {
    const input = this.input(who, name, command, transient);
    const offer = this.options.peerBatching;
    const sim = await this.ws.simulate(input, (ctx) =>
      invokeTransaction(
        offer ? { stub: withPeerBatching(ctx.stub, offer, this.traffic), clientIdentity: ctx.clientIdentity } : ctx,
        name,
        [...(input.args ?? [])],
      ),
    );
    if (sim.status === 'FAILED') throw sim.error;
    return sim;
  }

  async commit(txs: readonly EndorsedTransaction[]): Promise<CommitResult> {
    return this.ws.commitBlock(txs);
  }

  /** Endorses and commits alone in a block; returns the parsed result. */
  async submit<T = any>(who: TestIdentity, name: string, command: object, transient?: Transient): Promise<T> {
    const tx = await this.endorse(who, name, command, transient);
    const { transactions } = await this.commit([tx]);
    const code = transactions[0]?.validationCode;
    if (code !== 'VALID') throw new Error(`[${code}] transaction ${tx.txId} was committed invalid`);
    return JSON.parse(tx.result) as T;
  }

  async evaluate<T = any>(who: TestIdentity, name: string, command: object, transient?: Transient): Promise<T> {
    const tx = await this.endorse(who, name, command, transient);
    return JSON.parse(tx.result) as T;
  }

  /**
   * Commits a transaction that runs `write` on the stub instead of the
   * chaincode: the state an earlier chaincode version left (an index entry
   * it never wrote), which no transaction of this one would write.
   */
  async writeDirectly(who: TestIdentity, write: (stub: ChaincodeStub) => Promise<void>): Promise<void> {
    const input = this.input(who, 'test:writeDirectly', {});
    const sim = await this.ws.simulate(input, async (ctx) => {
      await write(ctx.stub);
      return '';
    });
    if (sim.status === 'FAILED') throw sim.error;
    const { transactions } = await this.commit([sim]);
    if (transactions[0]?.validationCode !== 'VALID') throw new Error(`direct write committed ${transactions[0]?.validationCode}`);
  }

  /** The committed record under a composite key, or undefined. */
  async committed<T>(type: string, attrs: string[]): Promise<T | undefined> {
    const key = `\u0000${type}\u0000${attrs.map((a) => `${a}\u0000`).join('')}`;
    const v = await this.ws.getCommittedState(key);
    return v ? (JSON.parse(Buffer.from(v.value).toString('utf8')) as T) : undefined;
  }
}

/** Synthetic, valid unified social credit codes for the demo members. */
export const IDS = {
  operator: withCheckChar('91110000MA00PLT01'),
  core: withCheckChar('91310000MA00CR001'),
  core2: withCheckChar('91310000MA00CR002'),
  tier1: withCheckChar('91440300MA00GY001'),
  tier2: withCheckChar('91440300MA00GY002'),
  tier3: withCheckChar('91440300MA00GY003'),
  bank: withCheckChar('91110000MA00BK001'),
  auditor: withCheckChar('91110000MA00AD001'),
  warehouse: withCheckChar('91370200MA00WH001'),
} as const;

export type Who = keyof typeof IDS | 'coreChecker' | 'bankChecker' | 'outsider' | 'operatorClerk';

export interface World {
  h: LedgerHarness;
  as: Record<Who, TestIdentity>;
}

const MEMBERS: { key: keyof typeof IDS; mspId: string; roles: Role[] }[] = [
  { key: 'core', mspId: 'CoreMSP', roles: ['CORE_ENTERPRISE'] },
  { key: 'core2', mspId: 'CoreMSP', roles: ['CORE_ENTERPRISE'] },
  { key: 'tier1', mspId: 'PlatformMSP', roles: ['SUPPLIER'] },
  { key: 'tier2', mspId: 'PlatformMSP', roles: ['SUPPLIER'] },
  { key: 'tier3', mspId: 'PlatformMSP', roles: ['SUPPLIER'] },
  { key: 'bank', mspId: 'BankMSP', roles: ['BANK'] },
  { key: 'auditor', mspId: 'PlatformMSP', roles: ['AUDITOR'] },
  { key: 'warehouse', mspId: 'PlatformMSP', roles: ['WAREHOUSE'] },
];

/** A bootstrapped ledger with every demo member registered and an identity bound for each. */
export async function world(options: { peerBatching?: PeerBatching } = {}): Promise<World> {
  const h = new LedgerHarness(options);
  const operator = await makeIdentity('PlatformMSP', 'operator-admin');
  await h.submit(operator, 'member:Bootstrap', { member: { id: IDS.operator, name: 'SCF Platform Operator', mspId: 'PlatformMSP' } });
  const as = { operator } as Record<Who, TestIdentity>;
  for (const m of MEMBERS) {
    await h.submit(operator, 'member:Register', { id: IDS[m.key], name: `Demo ${m.key}`, mspId: m.mspId, roles: m.roles });
    as[m.key] = await bind(h, operator, IDS[m.key], m.mspId, `${m.key}-maker`, 'MAKER');
  }
  as.coreChecker = await bind(h, operator, IDS.core, 'CoreMSP', 'core-checker', 'CHECKER');
  as.bankChecker = await bind(h, operator, IDS.bank, 'BankMSP', 'bank-checker', 'CHECKER');
  as.operatorClerk = await bind(h, operator, IDS.operator, 'PlatformMSP', 'operator-clerk', 'MAKER');
  as.outsider = await makeIdentity('PlatformMSP', 'unbound-user');
  return { h, as };
}

async function bind(
  h: LedgerHarness,
  operator: TestIdentity,
  memberId: string,
  mspId: string,
  cn: string,
  userRole: UserRole,
): Promise<TestIdentity> {
  const identity = await makeIdentity(mspId, cn);
  const identityId = clientIdOf(identity);
  await h.submit(operator, 'member:BindIdentity', { memberId, mspId, identityId, userRole });
  return identity;
}

/** fabric-shim's ClientIdentity.getID() of a certificate (what the chaincode will see). */
export function clientIdOf(identity: TestIdentity): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ClientIdentity } = require('fabric-shim') as { ClientIdentity: new (stub: object) => { getID(): string } };
  const stub = {
    getChannelID: () => 'scf',
    getTxID: () => 'id-probe',
    getCreator: () => ({ mspid: identity.mspId, idBytes: Buffer.from(identity.certificatePem) }),
  };
  return new ClientIdentity(stub).getID();
}

/** A fingerprint-shaped hex string unique to a label. */
export const fp = (label: string): string => createHash('sha256').update(label).digest('hex');

/**
 * The canonical fields of an invoice of tier1 unique to a label (as POST /receivables takes them), billed
 * for more than any receivable a test registers on it (a receivable is at most its invoices' total).
 */
export const invoice = (label: string, extra: Partial<InvoiceDoc> = {}): InvoiceDoc => ({
  kind: 'INVOICE',
  sellerTaxId: IDS.tier1,
  invoiceCode: '',
  invoiceNumber: `T-${fp(label).slice(0, 20)}`,
  amount: '1000000000000',
  issueDate: '2026-01-02',
  ...extra,
});

/** The fingerprint the chaincode computes for a document's canonical fields. */
export const fingerprintOf = (doc: CanonicalDocument): string => fingerprint(doc).fingerprint;

/** The transient map of a registration: the documents' canonical fields under `documents`. */
export const docs = (...documents: CanonicalDocument[]): Transient => ({ documents });

/** CNY in fen as the ledger wants it: yuan(1_000_000) = "100000000". */
export const yuan = (n: number): string => String(Math.round(n * 100));

/** Awaits a promise that must fail with the given `[CODE]`; returns the error for further checks. */
export async function rejects(promise: Promise<unknown>, code: string): Promise<Error & { code?: string }> {
  let error: (Error & { code?: string }) | undefined;
  try {
    await promise;
  } catch (e) {
    error = e as Error & { code?: string };
  }
  if (!error) throw new Error(`expected a ${code} failure, but the call succeeded`);
  const actual = error.code ?? /^\[([A-Z_]+)\]/.exec(error.message)?.[1];
  if (actual !== code) throw new Error(`expected ${code}, got: ${error.message}`);
  return error;
}

/** A confirmed receivable of `amount` fen from creditor `tier1` to debtor `core`, with its own invoice. */
export async function confirmedReceivable(w: World, amount: string, label: string, dueDate = '2026-06-30') {
  const rcv = await w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.core, amount, dueDate }, docs(invoice(`invoice-${label}`)));
  const confirmed = await w.h.submit(w.as.core, 'receivable:Confirm', { id: rcv.id });
  // At or above the core enterprise's dual-control threshold, its checker confirms.
  return confirmed.docType === 'approval' ? (await w.h.submit(w.as.coreChecker, 'approval:Approve', { id: confirmed.id })).result : confirmed;
}

/** A `warehouse:Issue` command: `lotId` of soybeans owned by tier1, worth 4,000,000.00 CNY unless `extra` says otherwise. */
export const receiptCommand = (lotId: string, extra: object = {}) => ({
  owner: IDS.tier1,
  commodity: 'Soybeans',
  grade: 'GB 1352 grade 2',
  quantity: 1000,
  unit: 't',
  location: 'Dalian port silo 7',
  lotId,
  valuation: yuan(4_000_000),
  ...extra,
});

/** A root voucher for the whole of a fresh confirmed receivable, held by tier1. */
export async function rootVoucher(w: World, amount: string, label: string, maturityDate = '2026-06-30') {
  const rcv = await confirmedReceivable(w, amount, label, maturityDate);
  return w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount, maturityDate });
}
