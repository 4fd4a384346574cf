import { expect } from 'chai';
import { canonicalForm, CanonicalFormError, type CanonicalDocument, fingerprint, type InvoiceDoc, invoiceNumberOf, isCalendarDate } from '../../../chaincode/src/domain/canonical';

// Known answers computed independently with `printf '%s' '<form>' | sha256sum`.
const KNOWN: Array<{ doc: CanonicalDocument; canonical: string; sha256: string }> = [
  {
    doc: { kind: 'INVOICE', sellerTaxId: ' 91310000ma1fl8xq30 ', invoiceCode: '3100231130', invoiceNumber: '04567890', amount: '11300000', issueDate: '2024-03-15' },
    canonical: 'invoice|91310000MA1FL8XQ30|3100231130|04567890|11300000|2024-03-15',
    sha256: 'fbb24ac04597e9a19c9129df2dff237a9f3be157f10d4e7c89d42aeb25506c25',
  },
  {
    doc: { kind: 'CONTRACT', partyA: '91310000MA1FL8XQ30', partyB: '91110000100000000a', contractNumber: 'ht-2024-001', amount: '50000000', signDate: '2024-01-10' },
    canonical: 'contract|91110000100000000A|91310000MA1FL8XQ30|HT-2024-001|50000000|2024-01-10',
    sha256: '7eb7938ae43e3ed6ef4444723749c12b8d9421d35bc6da154a9ed18ecf898f94',
  },
  {
    doc: { kind: 'LOT', warehouseId: 'wh-sh-01', lotId: 'LOT-2024-0042 ' },
    canonical: 'lot|WH-SH-01|LOT-2024-0042',
    sha256: '4540fd65fc1a301fa176bb0b0a7d17850d66f3d527fe4a940ed50b500b7af735',
  },
  {
    doc: { kind: 'DELIVERY_NOTE', shipperId: '91310000MA1FL8XQ30', consigneeId: '91110000100000000A', noteNumber: 'dn-778', deliveryDate: '2024-03-01' },
    canonical: 'delivery_note|91310000MA1FL8XQ30|91110000100000000A|DN-778|2024-03-01',
    sha256: '99808c8b07bd346fd16b51e0708a050d6947920bbbb271b0cb29dd2ac9a50165',
  },
  {
    doc: { kind: 'INVOICE', sellerTaxId: 'x', invoiceCode: '  ', invoiceNumber: 'n1', amount: '0', issueDate: '2024-02-29' },
    canonical: 'invoice|X||N1|0|2024-02-29',
    sha256: '51c65851dbea8c08418dbca1580457d44f353187d02bb5fd2828020ad635e659',
  },
  {
    doc: { kind: 'INVOICE_NUMBER', sellerTaxId: ' 91310000ma1fl8xq30 ', invoiceCode: '3100231130', invoiceNumber: '04567890' },
    canonical: 'invoice_number|91310000MA1FL8XQ30|3100231130|04567890',
    sha256: 'f55d494a0451c8cada7628660fbbd8730989911aacc9631ce83edf89ac49fff6',
  },
];

describe('document canonical forms and fingerprints', () => {
  for (const { doc, canonical, sha256 } of KNOWN) {
    it(`hashes ${doc.kind} to the independently computed SHA-256 of "${canonical}"`, () => {
      expect(fingerprint(doc)).to.deep.equal({ kind: doc.kind, canonical, fingerprint: sha256 });
    });
  }

  it('gives a contract the same fingerprint whichever party is listed first', () => {
    const a: CanonicalDocument = { kind: 'CONTRACT', partyA: 'AAA', partyB: 'BBB', contractNumber: 'C1', amount: '1', signDate: '2024-01-01' };
    const b: CanonicalDocument = { ...a, partyA: 'bbb', partyB: 'aaa' };
    expect(fingerprint(a).fingerprint).to.equal(fingerprint(b).fingerprint);
  });

  it('gives different fingerprints to invoices that differ only in amount', () => {
    const base: CanonicalDocument = { kind: 'INVOICE', sellerTaxId: 'S', invoiceCode: 'C', invoiceNumber: 'N', amount: '100', issueDate: '2024-01-01' };
    expect(fingerprint(base).fingerprint).not.to.equal(fingerprint({ ...base, amount: '101' }).fingerprint);
  });

  it("gives an invoice's variants in amount and issue date one INVOICE_NUMBER fingerprint, and another number another", () => {
    const base: InvoiceDoc = { kind: 'INVOICE', sellerTaxId: 'S', invoiceCode: 'C', invoiceNumber: 'N', amount: '100', issueDate: '2024-01-01' };
    const numberOf = (d: InvoiceDoc) => fingerprint(invoiceNumberOf(d)).fingerprint;
    expect(numberOf({ ...base, amount: '101', issueDate: '2024-01-02' })).to.equal(numberOf(base));
    expect(fingerprint(invoiceNumberOf({ ...base, invoiceNumber: 'N2' })).fingerprint).not.to.equal(numberOf(base));
  });

  it('writes one invoice one way however it is typed: full-width, with invisible characters, spaced out (a review financed one invoice twice so)', () => {
    const base: InvoiceDoc = { kind: 'INVOICE', sellerTaxId: '91320500100000003E', invoiceCode: '3200231130', invoiceNumber: '00010001', amount: '50000000', issueDate: '2026-11-01' };
    const form = canonicalForm(base);
    for (const variant of [
      { invoiceNumber: '00010001\u200b' },
      { invoiceCode: '\u200b3200231130' },
      { invoiceNumber: '\ufeff0001\u00ad0001' },
      { invoiceNumber: '０００１０００１' },
      { invoiceCode: '３２００２３１１３０', sellerTaxId: '９１３２０５００１０００００００３ｅ' },
      { invoiceNumber: '\u300000010001\u2028' },
    ]) {
      expect(canonicalForm({ ...base, ...variant }), JSON.stringify(variant)).to.equal(form);
      expect(fingerprint(invoiceNumberOf({ ...base, ...variant })).fingerprint).to.equal(fingerprint(invoiceNumberOf(base)).fingerprint);
    }
    // A run of white space inside an identifier is one space.
    expect(canonicalForm({ kind: 'OTHER', issuerId: 'x', reference: 'PO  2026\u00a0 \u3000 7' })).to.equal('other|X|PO 2026 7');
  });

  const rejects: Array<[string, CanonicalDocument, RegExp]> = [
    ['an id containing the separator', { kind: 'LOT', warehouseId: 'W|1', lotId: 'L' }, /warehouseId/],
    ['an id containing a control character', { kind: 'LOT', warehouseId: 'W', lotId: 'L\n2' }, /lotId/],
    ['an empty invoice number', { kind: 'INVOICE', sellerTaxId: 'S', invoiceCode: '', invoiceNumber: ' ', amount: '1', issueDate: '2024-01-01' }, /invoiceNumber/],
    ['an amount with leading zeros', { kind: 'INVOICE', sellerTaxId: 'S', invoiceCode: '', invoiceNumber: 'N', amount: '0100', issueDate: '2024-01-01' }, /amount/],
    ['a decimal amount', { kind: 'CONTRACT', partyA: 'A', partyB: 'B', contractNumber: 'C', amount: '1.50', signDate: '2024-01-01' }, /amount/],
    ['a date that is not on the calendar', { kind: 'CONTRACT', partyA: 'A', partyB: 'B', contractNumber: 'C', amount: '1', signDate: '2023-02-29' }, /signDate/],
    ['a date in another format', { kind: 'DELIVERY_NOTE', shipperId: 'A', consigneeId: 'B', noteNumber: 'N', deliveryDate: '01/03/2024' }, /deliveryDate/],
    ['a VAT invoice number without its leading zeros', { kind: 'INVOICE', sellerTaxId: 'S', invoiceCode: '3200231130', invoiceNumber: '10001', amount: '1', issueDate: '2024-01-01' }, /invoiceNumber must be the 8 digits/],
    ['a numeric code that is not a VAT invoice code', { kind: 'INVOICE_NUMBER', sellerTaxId: 'S', invoiceCode: '0', invoiceNumber: '24312000000000000001' }, /invoiceCode must be 10 or 12 digits/],
    ['a code on a fully digital invoice', { kind: 'INVOICE', sellerTaxId: 'S', invoiceCode: 'X', invoiceNumber: '24312000000000000001', amount: '1', issueDate: '2024-01-01' }, /invoiceCode must be empty/],
  ];
  for (const [what, doc, field] of rejects) {
    it(`rejects ${what}, naming the field`, () => {
      expect(() => canonicalForm(doc)).to.throw(CanonicalFormError, field);
    });
  }

  it('accepts leap days and rejects impossible days', () => {
    expect(isCalendarDate('2024-02-29')).to.equal(true);
    expect(isCalendarDate('2024-04-31')).to.equal(false);
    expect(isCalendarDate('2024-13-01')).to.equal(false);
  });
});
