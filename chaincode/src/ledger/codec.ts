/**
 * The one codec for world-state bytes, transaction results, events and block
 * hashes: JSON with object keys sorted recursively (UTF-16 code-unit order,
 * as Array.prototype.sort), so every endorsing peer produces identical bytes.
 *
 * The output is byte-identical to json-stringify-deterministic 1.0.16 (the
 * library this replaced, kept as a dev dependency only as the oracle of a
 * property test, test/unit/ledger/codec.test.ts): `toJSON` is honoured, a
 * RegExp becomes its source string, object members whose value serialises
 * to nothing (undefined, functions, symbols) are left out, and such array
 * items become `null`. It was replaced
 * because it runs a full JSON.stringify of the value first, only to detect
 * cycles, which made it 1.8× slower than this function on a voucher record
 * (docs/BENCHMARKS.md). A cyclic value here is a programming error and
 * throws (RangeError: call stack), never reaching state.
 */
export function marshalString(value: unknown): string {
  const out = write(value);
  if (out === undefined) throw new TypeError(`cannot marshal ${typeof value}: it has no JSON form`);
  return out;
}

export function marshal(value: unknown): Uint8Array {
  return Buffer.from(marshalString(value), 'utf8');
}

export function unmarshal<T>(bytes: Uint8Array): T {
  // A view of the bytes, not a copy (Buffer.from(Uint8Array) copies): lists decode every record.
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as T;
}

function write(input: unknown): string | undefined {
  let value = input;
  if (value !== null && value !== undefined && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  // JSON.stringify gives undefined (though typed string) for undefined, functions and symbols.
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof RegExp) return JSON.stringify(value.toString());
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ',';
      s += write(value[i]) ?? 'null';
    }
    return `${s}]`;
  }
  const record = value as Record<string, unknown>;
  let s = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const member = write(record[key]);
    if (member === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(key)}:${member}`;
    first = false;
  }
  return `${s}}`;
}
