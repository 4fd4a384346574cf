/**
 * The record fields that hold money (integer minor units in a string), which
 * the auditor's record view shows as yuan in the record's currency. Every
 * field the REST API declares as money must be here: a field missing was
 * shown as a bare count of fen, a hundred times what it is
 * (test/http/console-money-fields.test.ts checks the list against
 * /openapi.json). No imports: the test loads it outside a browser.
 */
export const MONEY_FIELDS: ReadonlySet<string> = new Set([
  'amount',
  'faceAmount',
  'requestedAmount',
  'advanceAmount',
  'discount',
  'fee',
  'voucheredAmount',
  'settledAmount',
  'limit',
  'used',
  'headroom',
  'valuation',
  'threshold',
  'dualControlThreshold',
  // report rows
  'face',
  'financed',
]);
