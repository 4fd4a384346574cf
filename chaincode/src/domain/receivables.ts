import { DomainError } from './errors';
import { currencyRefusal } from './currencies';
import { assertCanonicalDocument, canonicalId, documentFingerprints, fingerprintOf, invoiceNumberOf } from './canonical';
import { assertDate } from './dates';
import { assertFingerprint } from './fingerprints';
import { newMeta, touch } from './meta';
import { assertActive, assertCounterparty, assertRole, isReader, MAX_REASON_LENGTH } from './members';
import { parsePositiveAmount } from './money';
import { nextStatus, type Transition } from './statemachine';
import {
  DOCUMENT_KINDS,
  type Actor,
  type DocumentRef,
  type Member,
  type Receivable,
  type ReceivableStatus,
  type RegisterReceivableCommand,
  type TxInfo,
} from './types';
import { assertUscc } from './uscc';
import { assertArray, assertOneOf, assertPattern, assertRecord, assetIdPattern, deriveId, invalid, optionalText } from './validation';

export const RECEIVABLE_ACTIONS = [
  'CONFIRM',
  'REJECT',
  'CANCEL',
  'ISSUE_VOUCHER_PART',
  'ISSUE_VOUCHER_FULL',
  'SETTLE_VOUCHER',
  'SETTLE_LAST_VOUCHER',
  'REQUEST_FINANCING',
  'REJECT_FINANCING',
  'DISBURSE',
  'SETTLE',
] as const;
export type ReceivableAction = (typeof RECEIVABLE_ACTIONS)[number];

/**
 * DESIGN 2.1, every transition once. Rows that keep the status make explicit
 * which statuses allow an operation that does not move the receivable on:
 * issuing a voucher for part of the amount, and a voucher of it being
 * settled before the whole amount is vouchered and paid.
 */
export const RECEIVABLE_TRANSITIONS: readonly Transition<ReceivableStatus, ReceivableAction>[] = [
  { from: 'PENDING', action: 'CONFIRM', to: 'CONFIRMED' },
  { from: 'PENDING', action: 'REJECT', to: 'REJECTED' },
  { from: 'PENDING', action: 'CANCEL', to: 'CANCELLED' },
  { from: 'CONFIRMED', action: 'ISSUE_VOUCHER_PART', to: 'CONFIRMED' },
  { from: 'CONFIRMED', action: 'ISSUE_VOUCHER_FULL', to: 'VOUCHERED' },
  { from: 'CONFIRMED', action: 'SETTLE_VOUCHER', to: 'CONFIRMED' },
  { from: 'VOUCHERED', action: 'SETTLE_VOUCHER', to: 'VOUCHERED' },
  { from: 'VOUCHERED', action: 'SETTLE_LAST_VOUCHER', to: 'SETTLED' },
  { from: 'CONFIRMED', action: 'REQUEST_FINANCING', to: 'FINANCING_PENDING' },
  { from: 'FINANCING_PENDING', action: 'REJECT_FINANCING', to: 'CONFIRMED' },
  { from: 'FINANCING_PENDING', action: 'DISBURSE', to: 'FINANCED' },
  { from: 'FINANCED', action: 'SETTLE', to: 'SETTLED' },
];

export const RECEIVABLE_ID_RE = assetIdPattern('RCV');
export const MAX_DOCUMENTS = 50;
export const CURRENCY_RE = /^[A-Z]{3}$/;
export const DEFAULT_CURRENCY = 'CNY';

/** The receivable with the status `action` leads to; INVALID_STATE when the table has no such row. */
export function transitionReceivable(rcv: Receivable, action: ReceivableAction, tx: TxInfo): Receivable {
  const to = nextStatus(RECEIVABLE_TRANSITIONS, `receivable ${rcv.id}`, rcv.status, action);
  return { ...touch(rcv, tx), status: to };
}

/** An active ISO 4217 code counted in hundredths (domain/currencies.ts): ZZZ (a typo) and JPY (no hundredths) are refused. */
export function assertCurrency(value: unknown, field = 'currency'): string {
  const code = assertPattern(value, CURRENCY_RE, field, 'an ISO 4217 code (three capital letters)');
  const refusal = currencyRefusal(code);
  if (refusal !== undefined) throw invalid(field, refusal);
  return code;
}

/** At least one INVOICE, fingerprints unique within the list (whatever their kind), at most MAX_DOCUMENTS. */
export function assertDocuments(value: unknown, field = 'documents'): DocumentRef[] {
  const list = assertArray(value, field);
  if (list.length === 0) throw invalid(field, 'must list at least one document');
  if (list.length > MAX_DOCUMENTS) throw invalid(field, `must list at most ${MAX_DOCUMENTS} documents`);
  const seen = new Set<string>();
  const docs = list.map((d, i): DocumentRef => {
    const doc = assertRecord(d, `${field}[${i}]`);
    const kind = assertOneOf(doc.kind, DOCUMENT_KINDS, `${field}[${i}].kind`);
    const fingerprint = assertFingerprint(doc.fingerprint, `${field}[${i}].fingerprint`);
    if (seen.has(fingerprint)) throw invalid(field, `list fingerprint ${fingerprint} twice`);
    seen.add(fingerprint);
    return { kind, fingerprint };
  });
  if (!docs.some((d) => d.kind === 'INVOICE')) throw invalid(field, 'must include at least one INVOICE');
  return docs;
}

/** Where a registration's documents travel (DESIGN 8): never in the command, which is stored in the block. */
export const DOCUMENTS_TRANSIENT_KEY = 'documents';

/**
 * The fingerprints a receivable claims, computed by the chaincode from the
 * documents' canonical fields (received in the proposal's transient map;
 * undefined when none came): 1..MAX_DOCUMENTS documents of kinds INVOICE,
 * CONTRACT, DELIVERY_NOTE or OTHER, at least one INVOICE, no document twice
 * (two variants of one invoice hash the same and count twice). A bare
 * fingerprint is refused whatever the kind: a claim the chaincode cannot
 * compute is one a member could vary at will. Only the hashes leave here.
 */
export function receivableDocumentsFrom(fields: unknown): ReceivableDocuments {
  if (fields === undefined) {
    throw invalid('documents', `must be sent as the documents' canonical fields in the proposal's transient map (key ${DOCUMENTS_TRANSIENT_KEY})`);
  }
  const list = assertArray(fields, 'documents');
  if (list.length > MAX_DOCUMENTS) throw invalid('documents', `must list at most ${MAX_DOCUMENTS} documents`);
  const refs = assertDocuments(documentFingerprints(list));
  // The fields passed their checks above; read again as the canonical form writes them.
  const invoices = list.flatMap((d, i) =>
    (d as { kind?: unknown }).kind === 'INVOICE' ? [assertCanonicalDocument(d, `documents[${i}]`, ['INVOICE'] as const)] : [],
  );
  const invoiceNumbers = invoices.map((doc, i) => fingerprintOf(invoiceNumberOf(doc), `invoices[${i}]`).fingerprint);
  if (new Set(invoiceNumbers).size !== invoiceNumbers.length) {
    throw invalid('documents', 'lists one invoice number twice (with another amount or issue date): an invoice is one number of its seller');
  }
  return {
    refs,
    invoiceNumbers,
    invoices: invoices.map((doc) => ({ seller: canonicalId(doc.sellerTaxId), number: invoiceLabel(doc), amount: doc.amount, issueDate: doc.issueDate })),
  };
}

/** An invoice as people name it: its code and number, or its number alone (全电发票 have no code). */
function invoiceLabel(doc: { invoiceCode: string; invoiceNumber: string }): string {
  const code = canonicalId(doc.invoiceCode);
  return code === '' ? canonicalId(doc.invoiceNumber) : `${code}/${canonicalId(doc.invoiceNumber)}`;
}

/** An invoice among a registration's documents, in canonical form: its seller, how people name it, its amount (minor units) and issue date. */
export interface InvoiceFacts {
  seller: string;
  number: string;
  amount: string;
  issueDate: string;
}

/**
 * A registration's documents as the chaincode computed them, each invoice's
 * INVOICE_NUMBER fingerprint, and the invoices' facts.
 */
export interface ReceivableDocuments {
  refs: DocumentRef[];
  invoiceNumbers: string[];
  invoices: InvoiceFacts[];
}

/**
 * A receivable stands on invoices its creditor issued: each invoice's seller
 * is the creditor (a member's id is its unified social credit code, which is
 * its tax id). Otherwise anyone could claim another seller's invoice, or the
 * same invoice again under a made-up seller id, whose fingerprint differs.
 */
export function assertOwnInvoices(invoices: readonly Pick<InvoiceFacts, 'seller'>[], creditorActor: Actor): void {
  const creditor = creditorActor.member.id;
  const other = invoices.find((inv) => inv.seller !== creditor)?.seller;
  if (other !== undefined) {
    throw new DomainError('BUSINESS_RULE', `an invoice's seller (sellerTaxId ${other}) must be the creditor ${creditor}: a receivable stands on its creditor's own invoices`);
  }
}

/**
 * A receivable is owed on its invoices: its amount is at most their total
 * (an invoice's amount, tax included, is what the debtor was billed; a
 * receivable may be for less, what is still owed on them), and no invoice is
 * dated after the ledger's day. Otherwise one small invoice could carry a
 * receivable of any size, and a bank lending on it would lend on nothing.
 * The invoices' amounts count in the receivable's currency.
 */
export function assertBackedByInvoices(amount: string, invoices: readonly Omit<InvoiceFacts, 'seller'>[], tx: TxInfo): void {
  const future = invoices.find((inv) => inv.issueDate > tx.today);
  if (future !== undefined) {
    throw new DomainError('BUSINESS_RULE', `invoice ${future.number} is dated ${future.issueDate}, after the ledger's date ${tx.today} (UTC): an invoice cannot be issued in the future`);
  }
  const total = invoices.reduce((sum, inv) => sum + BigInt(inv.amount), 0n);
  if (BigInt(amount) > total) {
    throw new DomainError(
      'BUSINESS_RULE',
      `amount ${amount} exceeds the total of its invoices, ${total}: a receivable is owed on its invoices and cannot be for more than they bill`,
    );
  }
}

/** One answer of `receivable:VerifyDocuments`: a document as given, and whether the receivable claims its fingerprint. */
export interface DocumentCheck {
  kind: DocumentRef['kind'];
  fingerprint: string;
  matches: boolean;
}

export interface DocumentVerification {
  receivableId: string;
  documents: DocumentCheck[];
  /** Every document given matches a fingerprint of the receivable. */
  allMatch: boolean;
  /** Every fingerprint of the receivable was matched by a document given (the caller saw them all). */
  complete: boolean;
}

/**
 * Whether documents, given by their canonical fields, are the ones a
 * receivable claims, so the debtor's confirmation (确权) is a check: only
 * the receivable's creditor and debtor may ask (NOT_FOUND to anyone else, as
 * for a receivable that does not exist). 1..MAX_DOCUMENTS documents.
 */
export function verifyReceivableDocuments(rcv: Receivable, actor: Actor, fields: unknown): DocumentVerification {
  const me = actor.member.id;
  if (me !== rcv.creditor && me !== rcv.debtor) throw new DomainError('NOT_FOUND', `receivable ${rcv.id} not found`);
  if (fields === undefined) {
    throw invalid('documents', `must be sent as the documents' canonical fields in the proposal's transient map (key ${DOCUMENTS_TRANSIENT_KEY})`);
  }
  const list = assertArray(fields, 'documents');
  if (list.length === 0) throw invalid('documents', 'must list at least one document');
  if (list.length > MAX_DOCUMENTS) throw invalid('documents', `must list at most ${MAX_DOCUMENTS} documents`);
  const claimed = new Set(rcv.documents.map((d) => `${d.kind}|${d.fingerprint}`));
  const documents = documentFingerprints(list).map((d) => ({ ...d, matches: claimed.has(`${d.kind}|${d.fingerprint}`) }));
  const seen = new Set(documents.filter((d) => d.matches).map((d) => `${d.kind}|${d.fingerprint}`));
  return {
    receivableId: rcv.id,
    documents,
    allMatch: documents.every((d) => d.matches),
    complete: [...claimed].every((c) => seen.has(c)),
  };
}

/**
 * A new PENDING receivable whose creditor is the caller (an active SUPPLIER)
 * and whose debtor is `debtorMember` (loaded by the contracts layer from
 * cmd.debtor; undefined when there is none). The contracts layer then claims
 * every document fingerprint and invoice number (claimFingerprint) in the
 * same transaction.
 * The due date may lie in the past (an overdue receivable can still be
 * acknowledged); vouchers and financing apply their own date rules.
 */
export function registerReceivable(
  cmd: RegisterReceivableCommand,
  creditorActor: Actor,
  debtorMember: Member | undefined,
  tx: TxInfo,
): Receivable {
  assertActive(creditorActor);
  assertRole(creditorActor, 'SUPPLIER');
  const c = assertRecord(cmd, 'command');
  const id = c.id === undefined || c.id === null ? deriveId('RCV', tx.txId) : assertPattern(c.id, RECEIVABLE_ID_RE, 'id', 'RCV- followed by 1..60 letters, digits, "_" or "-"');
  const debtor = assertUscc(c.debtor, 'debtor');
  const amount = parsePositiveAmount(c.amount, 'amount');
  const currency = c.currency === undefined || c.currency === null ? DEFAULT_CURRENCY : assertCurrency(c.currency);
  const dueDate = assertDate(c.dueDate, 'dueDate');
  const documents = assertDocuments(c.documents);
  const invoiceNumbers = c.invoiceNumbers === undefined ? [] : assertArray(c.invoiceNumbers, 'invoiceNumbers').map((f, i) => assertFingerprint(f, `invoiceNumbers[${i}]`));
  const creditor = creditorActor.member.id;
  if (debtor === creditor) throw new DomainError('BUSINESS_RULE', `debtor ${debtor} cannot be the creditor itself`);
  assertCounterparty(debtorMember, debtor, 'CORE_ENTERPRISE', 'debtor');
  return {
    docType: 'receivable',
    id,
    creditor,
    debtor,
    amount: amount.toString(),
    currency,
    dueDate,
    documents,
    ...(invoiceNumbers.length > 0 ? { invoiceNumbers } : {}),
    voucheredAmount: '0',
    settledAmount: '0',
    status: 'PENDING',
    ...newMeta(tx),
  };
}

function assertDebtor(rcv: Receivable, actor: Actor, what: string): void {
  assertActive(actor);
  assertRole(actor, 'CORE_ENTERPRISE');
  if (actor.member.id !== rcv.debtor) throw new DomainError('FORBIDDEN', `only the debtor ${rcv.debtor} may ${what} receivable ${rcv.id}`);
}

/** PENDING -> CONFIRMED by the debtor; records the confirming tx (确权). */
export function confirmReceivable(rcv: Receivable, actor: Actor, reason: string | undefined, tx: TxInfo): Receivable {
  assertDebtor(rcv, actor, 'confirm');
  const why = optionalText(reason, 'reason', MAX_REASON_LENGTH);
  const next = { ...transitionReceivable(rcv, 'CONFIRM', tx), confirmedTxId: tx.txId, confirmedAt: tx.now };
  return why === undefined ? next : { ...next, confirmationReason: why };
}

/** PENDING -> REJECTED by the debtor. The contracts layer releases the document fingerprints. */
export function rejectReceivable(rcv: Receivable, actor: Actor, reason: string | undefined, tx: TxInfo): Receivable {
  assertDebtor(rcv, actor, 'reject');
  const why = optionalText(reason, 'reason', MAX_REASON_LENGTH);
  const next = transitionReceivable(rcv, 'REJECT', tx);
  return why === undefined ? next : { ...next, rejectionReason: why };
}

/** PENDING -> CANCELLED by the creditor. The contracts layer releases the document fingerprints. */
export function cancelReceivable(rcv: Receivable, actor: Actor, tx: TxInfo): Receivable {
  assertActive(actor);
  if (actor.member.id !== rcv.creditor) throw new DomainError('FORBIDDEN', `only the creditor ${rcv.creditor} may cancel receivable ${rcv.id}`);
  return transitionReceivable(rcv, 'CANCEL', tx);
}

/** Statuses in which a receivable's fingerprints are no longer claimed. */
export const RECEIVABLE_RELEASING_STATUSES: readonly ReceivableStatus[] = ['REJECTED', 'CANCELLED'];

/**
 * Creditor, debtor, the bank it was assigned to (factoring), AUDITOR,
 * OPERATOR, and `extraParties` (the parties of a live financing on it,
 * supplied by the financing layer). Everyone else gets NOT_FOUND.
 */
export function canReadReceivable(actor: Actor, rcv: Receivable, extraParties: readonly string[] = []): boolean {
  const me = actor.member.id;
  return me === rcv.creditor || me === rcv.debtor || me === rcv.assignee || isReader(actor) || extraParties.includes(me);
}

/**
 * A receivable being factored (FINANCING_PENDING) or factored (FINANCED)
 * cannot back a voucher: its value already went to a bank. DOUBLE_FINANCING
 * naming the financing. Checked before issueVoucher, whose transition table
 * would otherwise answer INVALID_STATE.
 */
export function assertNotFactored(rcv: Receivable): void {
  if (rcv.status === 'FINANCING_PENDING' || rcv.status === 'FINANCED') {
    const by = rcv.assignee !== undefined ? ` assigned to ${rcv.assignee}` : '';
    throw new DomainError(
      'DOUBLE_FINANCING',
      `receivable ${rcv.id} is ${rcv.status} under financing ${rcv.financingId ?? '(unknown)'}${by}: it cannot back a voucher`,
    );
  }
}
