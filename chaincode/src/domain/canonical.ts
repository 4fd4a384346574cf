import { createHash } from 'node:crypto';
import { isValidDate } from './dates';
import { DomainError } from './errors';
import { DOCUMENT_KINDS, type DocumentKind, type DocumentRef, type FingerprintKind } from './types';
import { assertArray, assertOneOf, assertRecord, invalid } from './validation';

/*
 * Canonical forms of the documents behind a fingerprint (README, "Fingerprints:
 * canonical forms"). Every member must hash a document the same way, so the
 * form is fixed here, once: the chaincode computes the fingerprints it claims
 * from these fields (sent in the proposal's transient map), and the gateway's
 * preview route (POST /fingerprints) runs the same code.
 *
 *   invoice|<sellerTaxId>|<invoiceCode>|<invoiceNumber>|<amount>|<issueDate>
 *   contract|<party1>|<party2>|<contractNumber>|<amount>|<signDate>
 *   delivery_note|<shipperId>|<consigneeId>|<noteNumber>|<deliveryDate>
 *   lot|<warehouseId>|<lotId>
 *   other|<issuerId>|<reference>
 *   invoice_number|<sellerTaxId>|<invoiceCode>|<invoiceNumber>
 *
 * The last is an invoice by its number alone, claimed beside every invoice's
 * own fingerprint (invoiceNumberOf): an invoice is one number of its seller,
 * so a variant of it (another amount or issue date) is the same invoice.
 *
 * Identifiers are NFKC-normalised, stripped of invisible characters, their
 * runs of spaces made one space, trimmed and upper-cased (canonicalId); an
 * invoice's code and number take a VAT invoice's shapes (invoiceIds); amounts are integer minor units
 * without leading zeros; dates YYYY-MM-DD. Contract parties are sorted (UTF-8
 * byte order) so the two signatories hash the same contract identically
 * whichever of them they list first. An identifier may not contain `|` or a
 * control character (the form would become ambiguous). The fingerprint is the
 * lowercase hex SHA-256 of the UTF-8 bytes of the form. Deterministic on
 * every peer: no clock, no locale (String#toUpperCase uses Unicode's default
 * case mapping, never the machine's locale).
 */

export interface InvoiceDoc {
  kind: 'INVOICE';
  sellerTaxId: string;
  /** Empty for fully digital invoices (全电发票), which have a number only. */
  invoiceCode: string;
  invoiceNumber: string;
  amount: string;
  issueDate: string;
}
export interface ContractDoc {
  kind: 'CONTRACT';
  partyA: string;
  partyB: string;
  contractNumber: string;
  amount: string;
  signDate: string;
}
export interface DeliveryNoteDoc {
  kind: 'DELIVERY_NOTE';
  shipperId: string;
  consigneeId: string;
  noteNumber: string;
  deliveryDate: string;
}
export interface LotDoc {
  kind: 'LOT';
  warehouseId: string;
  lotId: string;
}
export interface OtherDoc {
  kind: 'OTHER';
  issuerId: string;
  reference: string;
}
export interface InvoiceNumberDoc {
  kind: 'INVOICE_NUMBER';
  sellerTaxId: string;
  invoiceCode: string;
  invoiceNumber: string;
}
export type CanonicalDocument = InvoiceDoc | ContractDoc | DeliveryNoteDoc | LotDoc | OtherDoc | InvoiceNumberDoc;

/** An invoice by its number alone: what its INVOICE_NUMBER claim is computed from. */
export const invoiceNumberOf = (doc: InvoiceDoc): InvoiceNumberDoc => ({
  kind: 'INVOICE_NUMBER',
  sellerTaxId: doc.sellerTaxId,
  invoiceCode: doc.invoiceCode,
  invoiceNumber: doc.invoiceNumber,
});

export interface Fingerprinted {
  kind: FingerprintKind;
  canonical: string;
  fingerprint: string;
}

/** A field that cannot be put in canonical form; `field` names it (`sellerTaxId`). */
export class CanonicalFormError extends Error {
  override readonly name = 'CanonicalFormError';
}

/** Longest identifier, amount or date accepted in a canonical field. */
export const MAX_CANONICAL_FIELD = 128;

/** The fields of each kind, in the order of its form. */
export const CANONICAL_FIELDS: Readonly<Record<FingerprintKind, readonly string[]>> = {
  INVOICE: ['sellerTaxId', 'invoiceCode', 'invoiceNumber', 'amount', 'issueDate'],
  CONTRACT: ['partyA', 'partyB', 'contractNumber', 'amount', 'signDate'],
  DELIVERY_NOTE: ['shipperId', 'consigneeId', 'noteNumber', 'deliveryDate'],
  LOT: ['warehouseId', 'lotId'],
  OTHER: ['issuerId', 'reference'],
  INVOICE_NUMBER: ['sellerTaxId', 'invoiceCode', 'invoiceNumber'],
};

const FORBIDDEN = /[|\u0000-\u001f\u007f]/;
const AMOUNT = /^(0|[1-9][0-9]*)$/;

/** Characters that print as nothing: format characters (zero-width space, joiners, BOM, soft hyphen…) and line/paragraph separators. */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * An identifier as the canonical form writes it: compatibility-normalised
 * (NFKC: full-width digits and letters are the ASCII ones, and every
 * space character a plain space), without invisible characters, each run of
 * spaces one space, trimmed, upper case (a tab or a line break inside is a
 * control character, refused by `id`). So the same invoice typed with a zero-width space or in full-width
 * digits is the same invoice (a review registered one invoice twice so).
 * NFKC and the property classes follow the Unicode tables of the runtime's
 * ICU: every peer runs the same chaincode image, and a character assigned
 * after those tables is not in any identifier a member types today.
 */
export const canonicalId = (value: string): string => value.normalize('NFKC').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim().toUpperCase();

function id(value: string, field: string, allowEmpty = false): string {
  const v = canonicalId(value);
  if (!allowEmpty && v.length === 0) throw new CanonicalFormError(`${field} must not be empty`);
  if (FORBIDDEN.test(v)) throw new CanonicalFormError(`${field} must not contain "|" or control characters`);
  return v;
}

function amount(value: string, field: string): string {
  if (!AMOUNT.test(value)) throw new CanonicalFormError(`${field} must be integer minor units without leading zeros`);
  return value;
}

/** A `YYYY-MM-DD` that exists in the calendar (integer arithmetic, no Date). */
export function isCalendarDate(value: string): boolean {
  return isValidDate(value);
}

function date(value: string, field: string): string {
  if (!isCalendarDate(value)) throw new CanonicalFormError(`${field} must be a calendar date YYYY-MM-DD`);
  return value;
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const DIGITS = /^[0-9]+$/;

/**
 * An invoice's code and number, canonical, checked against the shapes of a
 * Chinese VAT invoice wherever they take them, so that one invoice cannot be
 * written two ways: a numeric code is 10 or 12 digits, and a numeric number
 * under it 8 digits (`10001` is not `00010001`); a 20-digit number is a
 * fully digital invoice (全电发票), which has no code. Other identifiers (a
 * foreign invoice, a platform's own numbering) are taken as they are.
 */
function invoiceIds(doc: { invoiceCode: string; invoiceNumber: string }): [code: string, number: string] {
  const code = id(doc.invoiceCode, 'invoiceCode', true);
  const number = id(doc.invoiceNumber, 'invoiceNumber');
  if (DIGITS.test(code)) {
    if (code.length !== 10 && code.length !== 12) throw new CanonicalFormError(`invoiceCode must be 10 or 12 digits (a VAT invoice's code), or empty for a fully digital invoice`);
    if (DIGITS.test(number) && number.length !== 8) {
      throw new CanonicalFormError(`invoiceNumber must be the 8 digits printed on the invoice, leading zeros included, under a ${code.length}-digit code`);
    }
  }
  if (/^[0-9]{20}$/.test(number) && code !== '') throw new CanonicalFormError('invoiceCode must be empty: a 20-digit number is a fully digital invoice (全电发票), which has no code');
  return [code, number];
}

export function canonicalForm(doc: CanonicalDocument): string {
  switch (doc.kind) {
    case 'INVOICE':
      return [
        'invoice',
        id(doc.sellerTaxId, 'sellerTaxId'),
        ...invoiceIds(doc),
        amount(doc.amount, 'amount'),
        date(doc.issueDate, 'issueDate'),
      ].join('|');
    case 'CONTRACT': {
      const parties = [id(doc.partyA, 'partyA'), id(doc.partyB, 'partyB')].sort(byteOrder);
      return ['contract', ...parties, id(doc.contractNumber, 'contractNumber'), amount(doc.amount, 'amount'), date(doc.signDate, 'signDate')].join('|');
    }
    case 'DELIVERY_NOTE':
      return [
        'delivery_note',
        id(doc.shipperId, 'shipperId'),
        id(doc.consigneeId, 'consigneeId'),
        id(doc.noteNumber, 'noteNumber'),
        date(doc.deliveryDate, 'deliveryDate'),
      ].join('|');
    case 'LOT':
      return ['lot', id(doc.warehouseId, 'warehouseId'), id(doc.lotId, 'lotId')].join('|');
    case 'OTHER':
      return ['other', id(doc.issuerId, 'issuerId'), id(doc.reference, 'reference')].join('|');
    case 'INVOICE_NUMBER':
      return ['invoice_number', id(doc.sellerTaxId, 'sellerTaxId'), ...invoiceIds(doc)].join('|');
  }
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function fingerprint(doc: CanonicalDocument): Fingerprinted {
  const canonical = canonicalForm(doc);
  return { kind: doc.kind, canonical, fingerprint: sha256Hex(canonical) };
}

/**
 * One document's canonical fields as received (parsed JSON from the
 * proposal's transient map): an object with `kind` (one of `kinds`) and
 * exactly the fields of that kind's form, each a string of at most
 * MAX_CANONICAL_FIELD characters (`invoiceCode` may be absent: empty). A
 * `fingerprint` is refused by name: the chaincode takes no client-computed
 * hash, it computes every fingerprint it claims.
 */
export function assertCanonicalDocument<K extends FingerprintKind>(value: unknown, field: string, kinds: readonly K[]): CanonicalDocument & { kind: K } {
  const doc = assertRecord(value, field);
  if ('fingerprint' in doc) {
    throw invalid(
      field,
      "must carry the document's canonical fields, not a fingerprint: the chaincode computes every fingerprint it claims (README, Fingerprints: canonical forms)",
    );
  }
  const kind = assertOneOf(doc.kind, kinds, `${field}.kind`);
  const fields = CANONICAL_FIELDS[kind];
  const out: Record<string, string> = { kind };
  for (const name of fields) {
    let v = doc[name];
    if (v === undefined && (kind === 'INVOICE' || kind === 'INVOICE_NUMBER') && name === 'invoiceCode') v = '';
    if (typeof v !== 'string') throw invalid(`${field}.${name}`, 'must be a string');
    if (v.length > MAX_CANONICAL_FIELD) throw invalid(`${field}.${name}`, `must be at most ${MAX_CANONICAL_FIELD} characters`);
    out[name] = v;
  }
  for (const name of Object.keys(doc)) {
    if (name !== 'kind' && !fields.includes(name)) throw invalid(`${field}.${name}`, `is not a field of a ${kind} document`);
  }
  return out as unknown as CanonicalDocument & { kind: K };
}

/** Fingerprints one checked document; a field that has no canonical form is VALIDATION_FAILED naming it. */
export function fingerprintOf(doc: CanonicalDocument, field: string): Fingerprinted {
  try {
    return fingerprint(doc);
  } catch (err) {
    if (err instanceof CanonicalFormError) throw new DomainError('VALIDATION_FAILED', `${field}.${err.message}`);
    throw err;
  }
}

/**
 * The fingerprints of a list of documents given by their canonical fields
 * (kinds INVOICE, CONTRACT, DELIVERY_NOTE, OTHER), in the order given. The
 * list's own rules (how many, which kinds are required, duplicates) are the
 * caller's; the fields never leave this function, only their hashes.
 */
export function documentFingerprints(value: unknown, field = 'documents'): DocumentRef[] {
  const list = assertArray(value, field);
  return list.map((d, i) => {
    const where = `${field}[${i}]`;
    const doc = assertCanonicalDocument<DocumentKind>(d, where, DOCUMENT_KINDS);
    const { fingerprint: hash } = fingerprintOf(doc, where);
    return { kind: doc.kind, fingerprint: hash };
  });
}
