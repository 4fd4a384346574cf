import type { CanonicalDocument, InvoiceDoc } from '../../chaincode/src/domain/canonical';

/**
 * The canonical fields of an invoice of supplier1 unique to `seed` (the chaincode computes its fingerprint),
 * billed for more than any receivable a test registers on it (a receivable is at most its invoices' total).
 */
export const testInvoice = (seed: string | number): InvoiceDoc => ({
  kind: 'INVOICE',
  sellerTaxId: '91320500100000003E',
  invoiceCode: '',
  invoiceNumber: `U-${seed}`,
  amount: '1000000000000',
  issueDate: '2026-01-02',
});

/** Ledger call options carrying documents in the proposal's transient map (key `documents`), as the gateway sends them. */
export const withDocuments = (...documents: CanonicalDocument[]): { transient: Record<string, Uint8Array> } => ({
  transient: { documents: Buffer.from(JSON.stringify(documents), 'utf8') },
});
