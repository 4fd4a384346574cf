import { createHash } from 'node:crypto';

/*
 * Canonical forms of the documents behind a fingerprint (DESIGN.md section 3).
 * Every member must hash a document the same way, so the form is fixed here
 * and documented in docs/API.md:
 *
 *   invoice|<sellerTaxId>|<invoiceCode>|<invoiceNumber>|<amount>|<issueDate>
 *   contract|<party1>|<party2>|<contractNumber>|<amount>|<signDate>
 *   delivery_note|<shipperId>|<consigneeId>|<noteNumber>|<deliveryDate>
 *   lot|<warehouseId>|<lotId>
 *   other|<issuerId>|<reference>
 *
 * Identifiers are trimmed and upper-cased; amounts are integer minor units
 * without leading zeros; dates YYYY-MM-DD. Contract parties are sorted (UTF-8
 * byte order) so the two signatories hash the same contract identically
 * whichever of them they list first. An identifier may not contain `|` or a
 * control character (the form would become ambiguous). The fingerprint is the
 * lowercase hex SHA-256 of the UTF-8 bytes of the form.
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
export type CanonicalDocument = InvoiceDoc | ContractDoc | DeliveryNoteDoc | LotDoc | OtherDoc;

export interface Fingerprinted {
  kind: CanonicalDocument['kind'];
  canonical: string;
  fingerprint: string;
}

export class CanonicalFormError extends Error {
  override readonly name = 'CanonicalFormError';
}

const FORBIDDEN = /[|\u0000-\u001f\u007f]/;
const AMOUNT = /^(0|[1-9][0-9]*)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function id(value: string, field: string, allowEmpty = false): string {
  const v = value.trim().toUpperCase();
  if (!allowEmpty && v.length === 0) throw new CanonicalFormError(`${field} must not be empty`);
  if (FORBIDDEN.test(v)) throw new CanonicalFormError(`${field} must not contain "|" or control characters`);
  return v;
}

function amount(value: string, field: string): string {
  if (!AMOUNT.test(value)) throw new CanonicalFormError(`${field} must be integer minor units without leading zeros`);
  return value;
}

export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function date(value: string, field: string): string {
  if (!isCalendarDate(value)) throw new CanonicalFormError(`${field} must be a calendar date YYYY-MM-DD`);
  return value;
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function canonicalForm(doc: CanonicalDocument): string {
  switch (doc.kind) {
    case 'INVOICE':
      return [
        'invoice',
        id(doc.sellerTaxId, 'sellerTaxId'),
        id(doc.invoiceCode, 'invoiceCode', true),
        id(doc.invoiceNumber, 'invoiceNumber'),
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
  }
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function fingerprint(doc: CanonicalDocument): Fingerprinted {
  const canonical = canonicalForm(doc);
  return { kind: doc.kind, canonical, fingerprint: sha256Hex(canonical) };
}
