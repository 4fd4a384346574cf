import { expect } from 'chai';
import type { Iterators } from 'fabric-shim-api';
import type {
  EndorsedTransaction,
  Simulation,
  StateBackend,
  SubmitResult,
  TxContext,
  TxInput,
  WorldState,
} from '../../../chaincode/src/worldstate';

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
export const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  expect.fail('expected the promise to reject');
}

/** The error a function throws synchronously; fails the test if it returns. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  expect.fail('expected the call to throw');
}

export function endorsed<T>(simulation: Simulation<T>): EndorsedTransaction<T> {
  if (simulation.status !== 'ENDORSED') expect.fail(`simulation failed: ${simulation.error.message}`);
  return simulation;
}

export function committedValid<T>(result: SubmitResult<T>): SubmitResult<T> {
  if (result.status !== 'ENDORSED') expect.fail(`simulation failed: ${result.error.message}`);
  expect(result.validationCode).to.equal('VALID');
  return result;
}

/** Keys (and values as text) of a range query, read with `for await`. */
export async function collect(iterable: AsyncIterable<Iterators.KV>): Promise<{ key: string; value: string }[]> {
  const out: { key: string; value: string }[] = [];
  for await (const kv of iterable) out.push({ key: kv.key, value: text(kv.value) });
  return out;
}

export async function keysOf(iterable: AsyncIterable<Iterators.KV>): Promise<string[]> {
  return (await collect(iterable)).map((kv) => kv.key);
}

/** Makes transaction inputs with distinct ids and increasing times. */
export class TxFactory {
  private n = 0;

  constructor(private readonly creator: { mspId: string; certificatePem: string }) {}

  next(overrides: Partial<TxInput> = {}): TxInput {
    this.n++;
    return {
      txId: `tx-${this.n}`,
      timestamp: { seconds: 1_714_550_400 + this.n, nanos: this.n },
      creator: this.creator,
      fnName: 'test:Run',
      args: [],
      ...overrides,
    };
  }
}

/** Commits one transaction that writes the given keys. */
export async function seed(ws: WorldState, txs: TxFactory, entries: Record<string, string>): Promise<void> {
  committedValid(
    await ws.submit(txs.next(), async ({ stub }: TxContext) => {
      for (const [key, value] of Object.entries(entries)) await stub.putState(key, bytes(value));
    }),
  );
}

/** A backend whose block `blockNumber` is replaced on read, to simulate tampering with storage. */
export function tamperedBackend(
  backend: StateBackend,
  blockNumber: number,
  change: (block: NonNullable<Awaited<ReturnType<StateBackend['getBlock']>>>) => unknown,
): StateBackend {
  return {
    getState: (key) => backend.getState(key),
    rangeScan: (start, end, limit) => backend.rangeScan(start, end, limit),
    getHistory: (key) => backend.getHistory(key),
    applyBlock: (commit) => backend.applyBlock(commit),
    getBlock: async (n) => {
      const block = await backend.getBlock(n);
      return block && n === blockNumber ? (change(structuredClone(block)) as typeof block) : block;
    },
    getLastBlock: () => backend.getLastBlock(),
    getTxStatus: (txId) => backend.getTxStatus(txId),
    getEvents: (from, after, limit) => backend.getEvents(from, after, limit),
  };
}
