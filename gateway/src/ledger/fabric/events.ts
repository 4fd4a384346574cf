import { decodeEventPayload, LedgerError, type LedgerEvent } from '../ledger';
import { backoffDelay, DEFAULT_RETRY, sleep as realSleep } from '../retry';

/*
 * Chaincode events from a peer, resumable. The cursor is
 * `<blockNumber>:<ordinal>:<txId>`: fabric-gateway's checkpoint (block + tx
 * id, resume skips events up to and including that tx) plus the event's
 * ordinal within its block, so positions stay stable across reconnects.
 */

export interface ChaincodeEventLike {
  blockNumber: bigint;
  transactionId: string;
  eventName: string;
  payload: Uint8Array;
}
export interface CheckpointLike {
  getBlockNumber(): bigint | undefined;
  getTransactionId(): string | undefined;
}
export interface EventSourceLike {
  /** network.getChaincodeEvents(chaincode, { checkpoint, startBlock }) */
  open(checkpoint: CheckpointLike): Promise<AsyncIterable<ChaincodeEventLike> & { close(): void }>;
  /**
   * Resolves when the cursor resumed from is on this chain; rejects with
   * NOT_FOUND when it is not (FabricLedger.checkCursor). Asked once, before
   * the first event is read.
   */
  verify?(cursor: string): Promise<void>;
}

/** Where stream failures are reported (pino's Logger fits). */
export interface EventLogger {
  warn(obj: object, msg: string): void;
}

/**
 * gRPC codes after which reconnecting cannot help: the peer refuses this
 * identity or request (INVALID_ARGUMENT 3, NOT_FOUND 5, PERMISSION_DENIED 7,
 * UNAUTHENTICATED 16). Anything else (peer restart, network) is retried.
 */
const PERMANENT_GRPC_CODES: ReadonlySet<number> = new Set([3, 5, 7, 16]);

/** The connector's own failures (checkCursor) that a later attempt can get past. */
const TRANSIENT_LEDGER_CODES: ReadonlySet<string> = new Set(['LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT']);

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export interface FabricCursor {
  blockNumber: bigint;
  ordinal: number;
  txId: string;
}

export function formatFabricCursor(c: FabricCursor): string {
  return `${c.blockNumber}:${c.ordinal}:${c.txId}`;
}

export function parseFabricCursor(cursor: string): FabricCursor {
  const m = /^(\d+):(\d+):([0-9a-f]{1,128})$/.exec(cursor);
  if (!m) throw new LedgerError('VALIDATION_FAILED', `malformed event cursor: ${cursor}`);
  return { blockNumber: BigInt(m[1] as string), ordinal: Number(m[2]), txId: m[3] as string };
}

/** A checkpoint that follows our cursor; starts at block 0 when there is none. */
class CursorCheckpoint implements CheckpointLike {
  constructor(public last: FabricCursor | undefined) {}
  getBlockNumber(): bigint | undefined {
    return this.last?.blockNumber ?? 0n;
  }
  getTransactionId(): string | undefined {
    return this.last?.txId;
  }
}


export async function* fabricEvents(
  source: EventSourceLike,
  fromCursor: string | undefined,
  signal: AbortSignal | undefined,
  sleep: (ms: number) => Promise<void> = realSleep,
  logger?: EventLogger,
): AsyncGenerator<LedgerEvent> {
  const checkpoint = new CursorCheckpoint(fromCursor === undefined ? undefined : parseFabricCursor(fromCursor));
  let failures = 0;
  // A cursor of another chain would skip, silently, this chain's events up to its block.
  let verified = fromCursor === undefined || source.verify === undefined;
  while (!signal?.aborted) {
    let stream: (AsyncIterable<ChaincodeEventLike> & { close(): void }) | undefined;
    const onAbort = () => stream?.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (!verified) {
        await source.verify?.(fromCursor as string);
        verified = true;
      }
      stream = await source.open(checkpoint);
      const iterator = stream[Symbol.asyncIterator]();
      // Asking for the first event starts the gRPC read, which is what handles the
      // stream's errors: a stream cancelled before it is read emits an unhandled
      // 'error' (CANCELLED) and crashes the process.
      const first = iterator.next();
      // The reader may have stopped while the stream was opening, when onAbort had nothing to close.
      if (signal?.aborted) stream.close();
      for (let next = await first; !next.done && !signal?.aborted; next = await iterator.next()) {
        const e = next.value;
        failures = 0;
        const prev = checkpoint.last;
        const ordinal = prev !== undefined && prev.blockNumber === e.blockNumber ? prev.ordinal + 1 : 0;
        const cursor: FabricCursor = { blockNumber: e.blockNumber, ordinal, txId: e.transactionId };
        checkpoint.last = cursor;
        yield {
          cursor: formatFabricCursor(cursor),
          blockNumber: Number(e.blockNumber),
          txIndex: ordinal,
          txId: e.transactionId,
          name: e.eventName,
          payload: decodeEventPayload(e.payload),
        };
      }
      // The peer ended the stream: reconnect after a pause.
      if (!signal?.aborted) await sleep(backoffDelay(DEFAULT_RETRY, 1));
    } catch (err) {
      if (signal?.aborted) break;
      // The cursor is not on this chain, or the peer refuses to say (FORBIDDEN…):
      // asking again cannot help. Only an unreachable ledger is waited for.
      if (err instanceof LedgerError && !TRANSIENT_LEDGER_CODES.has(err.code)) throw err;
      failures += 1;
      const code = grpcCode(err);
      const permanent = code !== undefined && PERMANENT_GRPC_CODES.has(code);
      logger?.warn({ err, code, failures, permanent }, permanent ? 'chaincode event stream refused; giving up' : 'chaincode event stream broke; reconnecting');
      // A refusal ends the iteration, so the SSE handler ends its stream.
      if (permanent) throw err;
      // Stream broke (peer restart, network): reconnect from the checkpoint.
      await sleep(backoffDelay({ ...DEFAULT_RETRY, maxDelayMs: 5_000 }, failures));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stream?.close();
    }
  }
}
