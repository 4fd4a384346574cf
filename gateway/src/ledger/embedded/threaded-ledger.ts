import { readlinkSync } from 'node:fs';
import { extname, join } from 'node:path';
import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  type CallOptions,
  type CallerIdentity,
  type ClockAdvance,
  type ClockAdvanceRequest,
  type Ledger,
  LedgerError,
  type LedgerEvent,
  type SubmitOptions,
  type SubmitResult,
  type TransactionStatus,
} from '../ledger';
import { type CommitStats, type ConflictStats, type EmbeddedLedgerOptions, parseCursor } from './embedded-ledger';
import { type ClockLogger, RecordedClock } from './sandbox-clock';

/**
 * The embedded ledger on a thread of its own (SCF_LEDGER_THREAD=worker).
 *
 * In one thread the chaincode, the world state and the HTTP stack take turns
 * on one core; on a machine with two cores the second one idles while a
 * request is parsed, validated, logged and answered. Here the EmbeddedLedger
 * runs in a worker thread (ledger-worker.ts) and this class, on the gateway's
 * thread, implements the same Ledger interface by message: each call is one
 * request and one answer, an event stream is one request per event. The
 * semantics are the EmbeddedLedger's, since it is the same object answering:
 * the proxy adds no retry, no cache of state and no ordering of its own.
 *
 * What crosses the thread boundary is plain data (structured clone): the
 * caller's MSP id and certificate (never a private key, which the embedded
 * ledger does not use), the command, the transient map, and back the result,
 * or a LedgerError's code, detail and tx id. Any other failure in the worker
 * comes back as a plain Error, a defect answered with 500, as in-process.
 *
 * The sandbox clock is mirrored here: its records are sent once when the
 * ledger opens and after each advance, which only this proxy makes, so
 * `state()` and `advances()` stay synchronous. Both threads read the same
 * machine clock, so `now` is the worker's.
 *
 * If the worker dies (an uncaught error in it, or it is terminated), every
 * pending call fails LEDGER_UNAVAILABLE, so does every later one, and
 * `ready()` reports it: the readiness probe turns red rather than the process
 * answering from a ledger that is gone. `onFailure` is told once.
 */
export class ThreadedLedger implements Ledger {
  readonly sandboxClock: ThreadedSandboxClock;
  /** The ledger thread's OS thread id on Linux (`top -H -p <pid>`, per-thread CPU figures); undefined elsewhere. */
  readonly osThreadId: number | undefined;
  private nextCall = 1;
  private nextSubscription = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: LedgerError | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    opened: Opened,
    private readonly onFailure: ((err: Error) => void) | undefined,
  ) {
    this.osThreadId = opened.osThreadId;
    this.sandboxClock = new ThreadedSandboxClock(opened.enabled, opened.advances, (request) => this.call('advanceClock', [request]));
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (err) => this.fail(new LedgerError('LEDGER_UNAVAILABLE', `the ledger thread failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      if (this.closing === undefined) this.fail(new LedgerError('LEDGER_UNAVAILABLE', `the ledger thread exited (code ${code})`));
    });
  }

  /** Starts the worker and opens the ledger in it; rejects with the worker's error when it cannot open. */
  static async open(
    dataDir: string,
    options: Omit<EmbeddedLedgerOptions, 'logger'> & { logger?: ClockLogger | undefined; onFailure?: (err: Error) => void } = {},
  ): Promise<ThreadedLedger> {
    const { logger, onFailure, ...rest } = options;
    const data: WorkerData = { dataDir, options: rest };
    const ts = extname(__filename) === '.ts';
    const worker = new Worker(join(__dirname, `ledger-worker${ts ? '.ts' : '.js'}`), {
      workerData: data,
      // Running from sources (npm start, tests): the worker compiles them too.
      execArgv: ts ? ['-r', 'ts-node/register/transpile-only'] : [],
    });
    // Clock advances are logged where the gateway's logger lives.
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'log') logger?.info(m.obj, m.msg);
    });
    let onMessage: ((m: FromWorker) => void) | undefined;
    const opened = await new Promise<Opened>((resolve, reject) => {
      onMessage = (m: FromWorker) => {
        if (m.kind === 'opened') resolve(m);
        else if (m.kind === 'open-failed') reject(revive(m.error));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new LedgerError('LEDGER_UNAVAILABLE', `the ledger thread exited (code ${code}) before the ledger opened`)));
    })
      .catch(async (err: unknown) => {
        await worker.terminate();
        throw err;
      })
      .finally(() => {
        if (onMessage) worker.off('message', onMessage);
        worker.removeAllListeners('error');
        worker.removeAllListeners('exit');
      });
    return new ThreadedLedger(worker, opened, onFailure);
  }

  submit(identity: CallerIdentity, name: string, command: object, opts?: SubmitOptions): Promise<SubmitResult> {
    return this.call('submit', [caller(identity), name, command, opts]);
  }

  evaluate(identity: CallerIdentity, name: string, command: object, opts?: CallOptions): Promise<unknown> {
    return this.call('evaluate', [caller(identity), name, command, opts]);
  }

  transactionStatus(txId: string): Promise<TransactionStatus> {
    return this.call('transactionStatus', [txId]);
  }

  checkCursor(cursor: string): Promise<void> {
    return this.call('checkCursor', [cursor]);
  }

  events(fromCursor?: string, opts?: { signal?: AbortSignal }): AsyncIterable<LedgerEvent> {
    // A malformed cursor throws here, synchronously, as the interface says.
    if (fromCursor !== undefined) parseCursor(fromCursor);
    return this.stream(fromCursor, opts?.signal);
  }

  height(): Promise<number> {
    return this.call('height', []);
  }

  ready(): Promise<number> {
    return this.call('ready', []);
  }

  /** Read conflicts met by submits so far (EmbeddedLedger.conflictStats, from the worker). */
  conflictStats(): Promise<ConflictStats> {
    return this.call('conflictStats', []);
  }

  /** Committed transactions by validation code since the ledger opened (EmbeddedLedger.commitStats). */
  commitStats(): Promise<CommitStats> {
    return this.call('commitStats', []);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.failure === undefined) {
        // The worker closes the ledger (letting running simulations finish,
        // ending every event stream) and answers; then the thread goes.
        await this.call('close', []).catch(() => undefined);
      }
      await this.worker.terminate();
      this.fail(new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is shutting down'));
    })();
    return this.closing;
  }

  private async *stream(fromCursor: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<LedgerEvent> {
    const subscription = this.nextSubscription++;
    await this.call('subscribe', [subscription, fromCursor]);
    // Aborting ends the worker's stream, which answers the pending `next` as done.
    const cancel = () => this.post({ kind: 'cancel', subscription });
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      if (signal?.aborted) return;
      for (;;) {
        const step = await this.call<IteratorResult<LedgerEvent, undefined>>('next', [subscription]).catch((err: unknown) => {
          // A stream ends when the ledger closes, not with an error.
          if (this.closing !== undefined) return { done: true, value: undefined } as const;
          throw err;
        });
        if (step.done) return;
        yield step.value;
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
      cancel();
    }
  }

  private call<T>(method: Method, args: unknown[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextCall++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ kind: 'call', id, method, args });
    });
  }

  private post(message: ToWorker): void {
    if (this.failure) return;
    try {
      this.worker.postMessage(message);
    } catch (err) {
      // Something that cannot be cloned (a function in a command): the caller's defect.
      if (message.kind === 'call') {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        pending?.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private receive(m: FromWorker): void {
    if (m.kind !== 'answer') return;
    const pending = this.pending.get(m.id);
    if (!pending) return;
    this.pending.delete(m.id);
    if (m.ok) pending.resolve(m.value);
    else pending.reject(revive(m.error));
  }

  private fail(err: LedgerError): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (this.closing === undefined) this.onFailure?.(err);
  }
}

/** The sandbox clock's records, mirrored from the worker; advancing is a call to it. */
class ThreadedSandboxClock extends RecordedClock {
  constructor(
    readonly enabled: boolean,
    records: ClockAdvance[],
    private readonly advanceInWorker: (request: ClockAdvanceRequest) => Promise<{ advance: ClockAdvance; replayed: boolean }>,
  ) {
    super(records, () => Date.now());
  }

  async advance(request: ClockAdvanceRequest): Promise<{ advance: ClockAdvance; replayed: boolean }> {
    const answer = await this.advanceInWorker(request);
    // Advances go one at a time in the worker and are answered in order.
    if (!answer.replayed && answer.advance.sequence === this.records.length + 1) this.records.push(answer.advance);
    return answer;
  }
}

// ---------------------------------------------------------------------------
// The messages between the two threads (ledger-worker.ts is the other side).
// ---------------------------------------------------------------------------

export type Method =
  | 'submit'
  | 'evaluate'
  | 'transactionStatus'
  | 'checkCursor'
  | 'height'
  | 'ready'
  | 'close'
  | 'conflictStats'
  | 'commitStats'
  | 'advanceClock'
  | 'subscribe'
  | 'next';

export type ToWorker = { kind: 'call'; id: number; method: Method; args: unknown[] } | { kind: 'cancel'; subscription: number };

/**
 * An error as it crosses the boundary: a LedgerError keeps its code, detail
 * and tx id; every error keeps its causes' messages and system error fields
 * (code, syscall, path), which start-up reads to explain a data folder that
 * cannot be opened.
 */
export interface WireError {
  ledger?: { code: LedgerError['code']; detail: string; txId?: string };
  /** The error, then its cause, and so on. */
  chain: WireCause[];
}

interface WireCause {
  name: string;
  message: string;
  code?: string | number;
  syscall?: string;
  path?: string;
}

type Opened = { kind: 'opened'; enabled: boolean; advances: ClockAdvance[]; osThreadId: number | undefined };

export type FromWorker =
  | Opened
  | { kind: 'open-failed'; error: WireError }
  | { kind: 'answer'; id: number; ok: true; value: unknown }
  | { kind: 'answer'; id: number; ok: false; error: WireError }
  | { kind: 'log'; obj: object; msg: string };

export interface WorkerData {
  dataDir: string;
  options: Omit<EmbeddedLedgerOptions, 'logger'>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export function toWire(err: unknown): WireError {
  const chain: WireCause[] = [];
  for (let e: unknown = err; e !== undefined && chain.length < 8; e = e instanceof Error ? e.cause : undefined) {
    if (!(e instanceof Error)) {
      chain.push({ name: 'Error', message: typeof e === 'string' ? e : inspect(e) });
      break;
    }
    const sys = e as Error & { code?: unknown; syscall?: unknown; path?: unknown };
    chain.push({
      name: e.name,
      message: e.message,
      ...(typeof sys.code === 'string' || typeof sys.code === 'number' ? { code: sys.code } : {}),
      ...(typeof sys.syscall === 'string' ? { syscall: sys.syscall } : {}),
      ...(typeof sys.path === 'string' ? { path: sys.path } : {}),
    });
  }
  if (!(err instanceof LedgerError)) return { chain };
  return { ledger: { code: err.code, detail: err.detail, ...(err.txId === undefined ? {} : { txId: err.txId }) }, chain };
}

/** The error on this thread: a LedgerError with its code when it was one, otherwise a plain Error; causes kept. */
export function revive(wire: WireError): Error {
  let cause: Error | undefined;
  for (const c of wire.chain.slice(1).reverse()) {
    const e = Object.assign(new Error(c.message, cause === undefined ? undefined : { cause }), pick(c));
    e.name = c.name;
    cause = e;
  }
  const options = cause === undefined ? {} : { cause };
  if (wire.ledger) {
    return new LedgerError(wire.ledger.code, wire.ledger.detail, { ...options, ...(wire.ledger.txId === undefined ? {} : { txId: wire.ledger.txId }) });
  }
  const top = wire.chain[0] ?? { name: 'Error', message: 'unknown failure' };
  return Object.assign(new Error(`ledger thread: ${top.message}`, options), pick(top));
}

function pick(c: WireCause): Partial<Pick<WireCause, 'code' | 'syscall' | 'path'>> {
  return { ...(c.code === undefined ? {} : { code: c.code }), ...(c.syscall === undefined ? {} : { syscall: c.syscall }), ...(c.path === undefined ? {} : { path: c.path }) };
}

/** The calling thread's OS id (Linux: /proc/thread-self); undefined elsewhere. */
export function osThreadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/** Only what the embedded ledger reads of a caller: never a private key. */
function caller(identity: CallerIdentity): CallerIdentity {
  return { mspId: identity.mspId, certificate: identity.certificate };
}
