import stringify from 'json-stringify-deterministic';

/**
 * The one codec for world-state bytes and transaction results: JSON with keys
 * sorted recursively, so every endorsing peer produces identical bytes.
 */
export function marshal(value: unknown): Uint8Array {
  return Buffer.from(stringify(value), 'utf8');
}

export function marshalString(value: unknown): string {
  return stringify(value);
}

export function unmarshal<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}
