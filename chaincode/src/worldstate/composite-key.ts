/** Start of Fabric's composite-key namespace and the separator after each part. */
export const COMPOSITE_KEY_NAMESPACE = '\u0000';
export const MIN_UNICODE_RUNE = '\u0000';
export const MAX_UNICODE_RUNE = '\u{10FFFF}';

/**
 * fabric-shim (lib/stub.js validateCompositeKeyAttribute) refuses only a part
 * that is not a non-empty string. A part containing U+0000 or U+10FFFF is
 * accepted, as there (only the Go shim refuses it): `['a\u0000b']` and
 * `['a', 'b']` then make the same key. Keys are checked for UTF-8 where they
 * are used (getState, putState, queries).
 */
function validatePart(part: unknown): asserts part is string {
  if (typeof part !== 'string' || part.length === 0) {
    throw new Error('object type or attribute not a non-zero length string');
  }
}

/** `\u0000type\u0000attr1\u0000attr2\u0000…`, Fabric's encoding. */
export function createCompositeKey(objectType: string, attributes: readonly string[]): string {
  validatePart(objectType);
  if (!Array.isArray(attributes)) throw new Error('attributes must be an array');
  let key = COMPOSITE_KEY_NAMESPACE + objectType + MIN_UNICODE_RUNE;
  for (const attribute of attributes) {
    validatePart(attribute);
    key += attribute + MIN_UNICODE_RUNE;
  }
  return key;
}

export interface SplitCompositeKey {
  /** null when the key is not a composite key, as fabric-shim returns. */
  objectType: string | null;
  attributes: string[];
}

/**
 * Inverse of createCompositeKey (fabric-shim's splitCompositeKey); a simple
 * key gives `{objectType: null, attributes: []}`.
 */
export function splitCompositeKey(compositeKey: string): SplitCompositeKey {
  if (typeof compositeKey !== 'string' || compositeKey.length < 2 || !compositeKey.startsWith(COMPOSITE_KEY_NAMESPACE)) {
    return { objectType: null, attributes: [] };
  }
  const parts = compositeKey.slice(1).split(MIN_UNICODE_RUNE);
  const objectType = parts[0] ?? '';
  // A well-formed key ends with a separator, so its last part is empty.
  parts.pop();
  return { objectType, attributes: parts.slice(1) };
}

/** The half-open range holding every key under a partial composite key. */
export function partialCompositeKeyRange(objectType: string, attributes: readonly string[]): { startKey: string; endKey: string } {
  const startKey = createCompositeKey(objectType, attributes);
  return { startKey, endKey: startKey + MAX_UNICODE_RUNE };
}
