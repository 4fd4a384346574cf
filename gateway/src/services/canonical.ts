/*
 * The canonical forms live in the chaincode's domain (one implementation):
 * the chaincode fingerprints the documents it claims with it, and the
 * gateway's preview route (POST /fingerprints) with the same code.
 */
export {
  type CanonicalDocument,
  CanonicalFormError,
  canonicalForm,
  type ContractDoc,
  type DeliveryNoteDoc,
  fingerprint,
  type Fingerprinted,
  type InvoiceDoc,
  isCalendarDate,
  type LotDoc,
  type OtherDoc,
  sha256Hex,
} from '../../../chaincode/src/domain/canonical';
