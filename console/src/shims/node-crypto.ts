/*
 * The browser bundle's stand-in for node:crypto. The console imports the
 * chaincode's financing arithmetic (quoteTerms) to preview a discount and a
 * fee; that module's imports reach the document canonicaliser, which hashes
 * with node:crypto. The console never hashes: fingerprints are previewed by
 * the gateway (POST /fingerprints). Calling this is a bug, said loudly.
 */
export function createHash(): never {
  throw new Error('node:crypto is not available in the console: fingerprints come from POST /fingerprints');
}
