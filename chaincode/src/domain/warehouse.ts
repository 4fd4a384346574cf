import { assertCanonicalDocument, canonicalId, fingerprintOf } from './canonical';
import { DomainError } from './errors';
import { assertFingerprint } from './fingerprints';
import { newMeta, touch } from './meta';
import { assertActive, assertCounterparty, assertRole, isReader } from './members';
import { formatAmount, parseAmount, parsePositiveAmount, sum } from './money';
import { assertCurrency, DEFAULT_CURRENCY, MAX_DOCUMENTS } from './receivables';
import { nextStatus, type Transition } from './statemachine';
import { DOCUMENT_KINDS, type Actor, type DocumentRef, type Member, type Meta, type TxInfo } from './types';
import { assertUscc } from './uscc';
import { assertArray, assertOneOf, assertPattern, assertRecord, assertText, assetIdPattern, deriveId, invalid } from './validation';

/*
 * Warehouse receipts (仓单, DESIGN 2.3): issued by the warehouse that stores
 * the goods, owned by a supplier, transferred, split by quantity, pledged to
 * a bank (through a financing, see financing.ts), released or enforced, and
 * finally delivered (提货). The goods lot is claimed in the fingerprint
 * registry on issue so the same goods cannot back two receipts.
 */

export const RECEIPT_STATUSES = ['ACTIVE', 'SPLIT', 'PLEDGE_PENDING', 'PLEDGED', 'DELIVERED'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

export const RECEIPT_ACTIONS = [
  'TRANSFER',
  'SPLIT',
  'REQUEST_PLEDGE',
  'REJECT_PLEDGE',
  'DISBURSE',
  'RELEASE',
  'ENFORCE',
  'DELIVER',
] as const;
export type ReceiptAction = (typeof RECEIPT_ACTIONS)[number];

/** DESIGN 2.3, every transition once. SPLIT and DELIVERED are final. */
export const RECEIPT_TRANSITIONS: readonly Transition<ReceiptStatus, ReceiptAction>[] = [
  { from: 'ACTIVE', action: 'TRANSFER', to: 'ACTIVE' },
  { from: 'ACTIVE', action: 'SPLIT', to: 'SPLIT' },
  { from: 'ACTIVE', action: 'REQUEST_PLEDGE', to: 'PLEDGE_PENDING' },
  { from: 'PLEDGE_PENDING', action: 'REJECT_PLEDGE', to: 'ACTIVE' },
  { from: 'PLEDGE_PENDING', action: 'DISBURSE', to: 'PLEDGED' },
  { from: 'PLEDGED', action: 'RELEASE', to: 'ACTIVE' },
  { from: 'PLEDGED', action: 'ENFORCE', to: 'ACTIVE' },
  { from: 'ACTIVE', action: 'DELIVER', to: 'DELIVERED' },
];

/** Root ids: `WRC-` and 1..60 letters, digits, `_`, `-`. Split children append `.1`, `.2`, …. */
export const RECEIPT_ID_RE = assetIdPattern('WRC');
/** Longest id a command can name (schemas.recordId): a split that would exceed it is refused. */
export const MAX_RECEIPT_ID_LENGTH = 128;
export const MAX_RECEIPT_SPLIT = 20;
/** Quantities are whole units of `unit`; bounded so that pro-rata arithmetic stays small. */
export const MAX_QUANTITY = 1_000_000_000_000;
/** A warehouse's own lot number: letters, digits, `.`, `_`, `/`, `-`, at most 64 characters. */
export const LOT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
export const LOT_ID_FORM = 'a lot number: letters, digits, ".", "_", "/", "-"; at most 64, no spaces';

export type WarehouseReceipt = {
  docType: 'warehouseReceipt';
  id: string;
  /** The receipt first issued for the lot (its own id for a root). */
  rootId: string;
  /** Absent on a root. */
  parentId?: string;
  /** The issuing warehouse member. */
  warehouse: string;
  owner: string;
  commodity: string;
  grade: string;
  /** Whole units of `unit`. */
  quantity: number;
  unit: string;
  location: string;
  lotId: string;
  /** sha256 of the lot's canonical form (lotFingerprint), claimed as kind LOT by the root receipt. */
  lotFingerprint: string;
  /** Minor units. */
  valuation: string;
  currency: string;
  /** Supporting documents (inspection, insurance…), recorded for readers; only the lot is claimed. */
  documents: DocumentRef[];
  status: ReceiptStatus;
  /** The bank holding the pledge, while PLEDGED. */
  pledgee?: string;
  /** The live financing (pledge) on the receipt, while PLEDGE_PENDING or PLEDGED. */
  financingId?: string;
  /** Present once SPLIT: the ids of the children, in order. */
  childIds?: string[];
  /** Present once DELIVERED: to whom the goods went, and when. */
  deliveredTo?: string;
  deliveredAt?: string;
} & Meta;

export interface IssueReceiptCommand {
  id?: string;
  owner: string;
  commodity: string;
  grade: string;
  quantity: number;
  unit: string;
  location: string;
  lotId: string;
  valuation: string;
  currency?: string;
  documents?: DocumentRef[];
}

/**
 * The canonical lot of a receipt: `lot|<warehouse member id>|<lotId upper-cased, trimmed>`,
 * hashed with SHA-256 (lowercase hex), by the one canonicalisation of
 * canonical.ts: the chaincode computes the lot it claims from the caller's
 * member id and the receipt's own lotId, never from a client's hash.
 */
export function lotFingerprint(warehouseId: string, lotId: string): string {
  return fingerprintOf({ kind: 'LOT', warehouseId, lotId }, 'lot').fingerprint;
}

/** The receipt with the status `action` leads to; INVALID_STATE when the table has no such row. */
export function transitionReceipt(r: WarehouseReceipt, action: ReceiptAction, tx: TxInfo): WarehouseReceipt {
  const to = nextStatus(RECEIPT_TRANSITIONS, `warehouse receipt ${r.id}`, r.status, action);
  return { ...touch(r, tx), status: to };
}

function assertQuantity(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_QUANTITY) {
    throw invalid(field, `must be a whole number from 1 to ${MAX_QUANTITY}`);
  }
  return value;
}

/**
 * The fingerprints of a receipt's supporting documents, computed by the
 * chaincode from their canonical fields (from the proposal's transient map;
 * undefined when none came: no documents). Same rule as for receivables: no
 * bare fingerprint of any kind. They are recorded for readers, not claimed;
 * the lot is claimed, computed from the caller and the receipt's lotId.
 */
export function receiptDocumentsFrom(fields: unknown): ReceiptDocuments {
  if (fields === undefined) return { refs: [], movements: [] };
  const list = assertArray(fields, 'documents');
  if (list.length > MAX_DOCUMENTS) throw invalid('documents', `must list at most ${MAX_DOCUMENTS} documents`);
  const docs = list.map((d, i) => assertCanonicalDocument(d, `documents[${i}]`, DOCUMENT_KINDS));
  const refs = assertReceiptDocuments(docs.map((doc, i) => ({ kind: doc.kind, fingerprint: fingerprintOf(doc, `documents[${i}]`).fingerprint })));
  const movements: GoodsMovement[] = [];
  docs.forEach((doc, i) => {
    if (doc.kind === 'INVOICE') movements.push({ at: i, kind: 'INVOICE', from: canonicalId(doc.sellerTaxId), reference: canonicalId(doc.invoiceNumber) });
    if (doc.kind === 'DELIVERY_NOTE') {
      movements.push({ at: i, kind: 'DELIVERY_NOTE', from: canonicalId(doc.shipperId), to: canonicalId(doc.consigneeId), reference: canonicalId(doc.noteNumber) });
    }
  });
  return { refs, movements };
}

/** Who a receipt's invoice or delivery note says the goods came from (and went to): evidence of how the owner holds them. */
export interface GoodsMovement {
  at: number;
  kind: 'INVOICE' | 'DELIVERY_NOTE';
  from: string;
  to?: string;
  reference: string;
}

/** A receipt's documents as the chaincode keeps them (fingerprints), and what they say of the goods' movements (only checked, never stored). */
export interface ReceiptDocuments {
  refs: DocumentRef[];
  movements: GoodsMovement[];
}

/**
 * A receipt's documents must not say that its owner parted with the goods:
 * an invoice the owner issued sold them (and may be financed as the owner's
 * receivable: the same goods would then back two financings), and a
 * delivery note shipping them from the owner to anyone but the owner or the
 * warehouse sent them away. An invoice to the owner, or a note shipping the
 * goods into the warehouse, is the evidence a bank expects. BUSINESS_RULE
 * naming the document.
 */
export function assertOwnersGoods(movements: readonly GoodsMovement[], owner: string, warehouse: string): void {
  for (const m of movements) {
    if (m.from !== owner) continue;
    if (m.kind === 'INVOICE') {
      throw new DomainError(
        'BUSINESS_RULE',
        `documents[${m.at}]: invoice ${m.reference} was issued by the owner ${owner}: goods it sold are not its own to receipt and pledge (the invoice backs its receivable instead)`,
      );
    }
    if (m.to !== owner && m.to !== warehouse) {
      throw new DomainError(
        'BUSINESS_RULE',
        `documents[${m.at}]: delivery note ${m.reference} ships the goods from the owner ${owner} to ${m.to ?? 'another party'}: they left the owner`,
      );
    }
  }
}

/** 0..MAX_DOCUMENTS documents of any kind, fingerprints unique within the list. */
function assertReceiptDocuments(value: unknown): DocumentRef[] {
  if (value === undefined || value === null) return [];
  const list = assertArray(value, 'documents');
  if (list.length > MAX_DOCUMENTS) throw invalid('documents', `must list at most ${MAX_DOCUMENTS} documents`);
  const seen = new Set<string>();
  return list.map((d, i): DocumentRef => {
    const doc = assertRecord(d, `documents[${i}]`);
    const kind = assertOneOf(doc.kind, DOCUMENT_KINDS, `documents[${i}].kind`);
    const fingerprint = assertFingerprint(doc.fingerprint, `documents[${i}].fingerprint`);
    if (seen.has(fingerprint)) throw invalid('documents', `list fingerprint ${fingerprint} twice`);
    seen.add(fingerprint);
    return { kind, fingerprint };
  });
}

/**
 * A new ACTIVE receipt issued by the caller (an active WAREHOUSE member) for
 * goods it stores, owned by `ownerMember` (loaded by the contracts layer from
 * cmd.owner). Decisions where DESIGN is silent:
 * - the owner must be an active SUPPLIER (DESIGN: suppliers own receipts) and
 *   not the warehouse itself (a self-issued receipt is the fraud pattern);
 * - supporting documents are recorded but not claimed: the lot fingerprint is
 *   the registry key for goods. The contracts layer claims it (kind LOT) in
 *   the same transaction, and checks that no document says the owner parted
 *   with the goods (assertOwnersGoods).
 */
export function issueReceipt(cmd: IssueReceiptCommand, actor: Actor, ownerMember: Member | undefined, tx: TxInfo): WarehouseReceipt {
  assertActive(actor);
  assertRole(actor, 'WAREHOUSE');
  const c = assertRecord(cmd, 'command');
  const id =
    c.id === undefined || c.id === null
      ? deriveId('WRC', tx.txId)
      : assertPattern(c.id, RECEIPT_ID_RE, 'id', 'WRC- followed by 1..60 letters, digits, "_" or "-"');
  const owner = assertUscc(c.owner, 'owner');
  const commodity = assertText(c.commodity, 'commodity', 100);
  const grade = assertText(c.grade, 'grade', 50);
  const quantity = assertQuantity(c.quantity, 'quantity');
  const unit = assertText(c.unit, 'unit', 16);
  const location = assertText(c.location, 'location', 200);
  // Taken as sent: a lot number with spaces or a line break around it is not
  // one (the OpenAPI pattern says so too), rather than silently another.
  const lotId = assertPattern(c.lotId, LOT_ID_RE, 'lotId', LOT_ID_FORM);
  const valuation = parsePositiveAmount(c.valuation, 'valuation');
  const currency = c.currency === undefined || c.currency === null ? DEFAULT_CURRENCY : assertCurrency(c.currency);
  const documents = assertReceiptDocuments(c.documents);
  const warehouse = actor.member.id;
  if (owner === warehouse) throw new DomainError('BUSINESS_RULE', `warehouse ${warehouse} cannot issue a receipt to itself`);
  assertCounterparty(ownerMember, owner, 'SUPPLIER', 'owner');
  return {
    docType: 'warehouseReceipt',
    id,
    rootId: id,
    warehouse,
    owner,
    commodity,
    grade,
    quantity,
    unit,
    location,
    lotId,
    lotFingerprint: lotFingerprint(warehouse, lotId),
    valuation: formatAmount(valuation),
    currency,
    documents,
    status: 'ACTIVE',
    ...newMeta(tx),
  };
}

function assertOwner(r: WarehouseReceipt, actor: Actor, what: string): void {
  assertActive(actor);
  if (actor.member.id !== r.owner) throw new DomainError('FORBIDDEN', `only the owner ${r.owner} may ${what} warehouse receipt ${r.id}`);
}

/**
 * The owner hands the whole receipt to `recipient` (loaded from cmd.to).
 * Decision: receipts are received by active SUPPLIER members only; a bank
 * becomes an owner only by enforcing a pledge (and may then transfer the
 * goods on to a supplier). Part of a receipt is transferred by splitting first.
 */
export function transferReceipt(
  r: WarehouseReceipt,
  cmd: { to: string },
  actor: Actor,
  recipient: Member | undefined,
  tx: TxInfo,
): WarehouseReceipt {
  assertOwner(r, actor, 'transfer');
  const to = assertUscc(assertRecord(cmd, 'command').to, 'to');
  const next = transitionReceipt(r, 'TRANSFER', tx);
  if (to === r.owner) throw new DomainError('BUSINESS_RULE', `warehouse receipt ${r.id} is already owned by ${to}`);
  if (to === r.warehouse) throw new DomainError('BUSINESS_RULE', `warehouse receipt ${r.id} cannot be transferred to its warehouse ${to}`);
  assertCounterparty(recipient, to, 'SUPPLIER', 'recipient');
  return { ...next, owner: to };
}

export function receiptChildId(parentId: string, n: number): string {
  return `${parentId}.${n}`;
}

/**
 * The owner splits an ACTIVE receipt by quantity into 2..MAX_RECEIPT_SPLIT
 * children `<id>.1 … <id>.n` (in the order of `quantities`), each at least
 * one unit, summing exactly to the receipt. Valuation is pro rata, rounded
 * down, with the remainder to the last child, so the children's valuations
 * sum exactly to the parent's; every child must be worth at least one fen.
 */
export function splitReceipt(
  r: WarehouseReceipt,
  quantities: readonly number[],
  actor: Actor,
  tx: TxInfo,
): { receipt: WarehouseReceipt; children: WarehouseReceipt[] } {
  assertOwner(r, actor, 'split');
  const qs = assertArray(quantities, 'quantities').map((q, i) => assertQuantity(q, `quantities[${i}]`));
  const parent = transitionReceipt(r, 'SPLIT', tx);
  if (qs.length < 2 || qs.length > MAX_RECEIPT_SPLIT) {
    throw new DomainError('BUSINESS_RULE', `a split makes 2 to ${MAX_RECEIPT_SPLIT} receipts, not ${qs.length}`);
  }
  const total = qs.reduce((s, q) => s + q, 0);
  if (total !== r.quantity) {
    throw new DomainError('BUSINESS_RULE', `split quantities sum to ${total}, not to warehouse receipt ${r.id} quantity ${r.quantity}`);
  }
  if (receiptChildId(r.id, qs.length).length > MAX_RECEIPT_ID_LENGTH) {
    throw new DomainError('BUSINESS_RULE', `warehouse receipt ${r.id} is split too deep: child ids would exceed ${MAX_RECEIPT_ID_LENGTH} characters`);
  }
  const valuations = proRata(parseAmount(r.valuation, 'receipt.valuation'), qs);
  valuations.forEach((v, i) => {
    if (v < 1n) throw new DomainError('BUSINESS_RULE', `quantities[${i}] would value ${receiptChildId(r.id, i + 1)} at ${v}, below 1`);
  });
  const children = qs.map((quantity, i): WarehouseReceipt => {
    const child: WarehouseReceipt = {
      docType: 'warehouseReceipt',
      id: receiptChildId(r.id, i + 1),
      rootId: r.rootId,
      parentId: r.id,
      warehouse: r.warehouse,
      owner: r.owner,
      commodity: r.commodity,
      grade: r.grade,
      quantity,
      unit: r.unit,
      location: r.location,
      lotId: r.lotId,
      lotFingerprint: r.lotFingerprint,
      valuation: formatAmount(valuations[i] ?? 0n),
      currency: r.currency,
      documents: r.documents.map((d) => ({ ...d })),
      status: 'ACTIVE',
      ...newMeta(tx),
    };
    return child;
  });
  const receipt = { ...parent, childIds: children.map((c) => c.id) };
  assertReceiptInvariants(receipt, children);
  return { receipt, children };
}

/** `total` shared by `weights`, each share rounded down, the remainder added to the last. */
export function proRata(total: bigint, weights: readonly number[]): bigint[] {
  const sumWeights = BigInt(weights.reduce((s, w) => s + w, 0));
  if (sumWeights <= 0n) throw new DomainError('BUSINESS_RULE', 'pro-rata weights must sum to a positive number');
  const shares = weights.map((w) => (total * BigInt(w)) / sumWeights);
  const last = shares.length - 1;
  if (last >= 0) shares[last] = (shares[last] ?? 0n) + total - sum(shares);
  return shares;
}

/**
 * The issuing warehouse records delivery of the goods (提货) to the owner:
 * ACTIVE -> DELIVERED (final). A pledged or pledge-pending receipt cannot be
 * delivered (INVALID_STATE). The contracts layer releases the lot fingerprint
 * once no piece of the lot is left undelivered (lotDelivered).
 */
export function deliverReceipt(r: WarehouseReceipt, actor: Actor, tx: TxInfo): WarehouseReceipt {
  assertActive(actor);
  assertRole(actor, 'WAREHOUSE');
  if (actor.member.id !== r.warehouse) {
    throw new DomainError('FORBIDDEN', `only the issuing warehouse ${r.warehouse} may deliver against warehouse receipt ${r.id}`);
  }
  return { ...transitionReceipt(r, 'DELIVER', tx), deliveredTo: r.owner, deliveredAt: tx.now };
}

/** Every piece of a lot that is not SPLIT has been DELIVERED: the goods are gone and the lot may be claimed again. */
export function lotDelivered(pieces: readonly WarehouseReceipt[]): boolean {
  return pieces.length > 0 && pieces.every((p) => p.status === 'SPLIT' || p.status === 'DELIVERED');
}

/**
 * Owner, issuing warehouse, pledgee, AUDITOR, OPERATOR, and `extraParties`
 * (the parties of a live financing on it). Everyone else gets NOT_FOUND.
 */
export function canReadReceipt(actor: Actor, r: WarehouseReceipt, extraParties: readonly string[] = []): boolean {
  const me = actor.member.id;
  return me === r.owner || me === r.warehouse || me === r.pledgee || isReader(actor) || extraParties.includes(me);
}

function broken(detail: string): DomainError {
  return new DomainError('BUSINESS_RULE', `warehouse receipt invariant violated: ${detail}`);
}

/**
 * A split as it is made: the parent is SPLIT and lists exactly these
 * children `<parent>.1 …`; they are ACTIVE, keep the parent's warehouse,
 * owner, goods, lot and currency, and their quantities and valuations sum
 * exactly to the parent's.
 */
export function assertReceiptInvariants(parent: WarehouseReceipt, children: readonly WarehouseReceipt[]): void {
  if (parent.status !== 'SPLIT') throw broken(`parent ${parent.id} is ${parent.status}, not SPLIT`);
  const ids = children.map((c) => c.id);
  if (JSON.stringify(parent.childIds ?? []) !== JSON.stringify(ids)) throw broken(`parent ${parent.id} does not list [${ids.join(', ')}]`);
  if (children.length < 2 || children.length > MAX_RECEIPT_SPLIT) throw broken(`${children.length} children (2..${MAX_RECEIPT_SPLIT})`);
  children.forEach((c, i) => {
    if (c.id !== receiptChildId(parent.id, i + 1) || c.parentId !== parent.id) throw broken(`child ${i + 1} of ${parent.id} is ${c.id}`);
    if (c.status !== 'ACTIVE') throw broken(`new receipt ${c.id} is ${c.status}`);
    for (const f of ['rootId', 'warehouse', 'owner', 'commodity', 'grade', 'unit', 'location', 'lotId', 'lotFingerprint', 'currency'] as const) {
      if (c[f] !== parent[f]) throw broken(`${c.id} ${f} differs from its parent's`);
    }
  });
  const quantity = children.reduce((s, c) => s + c.quantity, 0);
  if (quantity !== parent.quantity) throw broken(`children of ${parent.id} hold ${quantity}, not ${parent.quantity}`);
  const valuation = sum(children.map((c) => parseAmount(c.valuation, `${c.id}.valuation`)));
  if (valuation !== parseAmount(parent.valuation, `${parent.id}.valuation`)) {
    throw broken(`children of ${parent.id} are valued ${valuation}, not ${parent.valuation}`);
  }
}
