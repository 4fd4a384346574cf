/**
 * Key order and key rules. Fabric's state database (LevelDB) orders keys by
 * their UTF-8 bytes. JavaScript's `<` on strings compares UTF-16 code units,
 * which disagrees for characters above U+FFFF (a surrogate pair such as
 * U+1F600's 0xD83D sorts below U+FFFD, whose UTF-8 sorts above it), so every
 * comparison here walks code points, whose order equals UTF-8 byte order.
 */

/** Orders two well-formed strings as their UTF-8 encodings would order. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return 0;
}

/** True when `key` lies in [start, end); an empty end means no upper bound. */
export function inRange(key: string, start: string, end: string): boolean {
  return compareKeys(key, start) >= 0 && (end === '' || compareKeys(key, end) < 0);
}

/** The smallest key greater than `key` in byte order. */
export function keySuccessor(key: string): string {
  return key + '\u0000';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string that has a UTF-8 encoding (no lone surrogate halves). */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * Checks a key handed to the stub. Fabric keys travel as protobuf strings,
 * which must be valid UTF-8, so a lone surrogate is refused rather than
 * silently replaced by U+FFFD (which would alias another key).
 */
export function assertValidKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string') throw new Error(`${what} must be a string`);
  if (!isWellFormed(key)) throw new Error(`${what} [${JSON.stringify(key)}] is not valid UTF-8`);
}
