import {
  type ClockAdvance,
  type ClockAdvanceRequest,
  type ClockState,
  LedgerError,
  type SandboxClock,
} from '../ledger';

/** Where the clock keeps its records (LevelBackend: the ledger's own LevelDB). */
export interface ClockStore {
  getClockRecords(): Promise<unknown[]>;
  appendClockRecord(sequence: number, record: object): Promise<void>;
}

export interface ClockLogger {
  info(obj: object, msg: string): void;
}

export interface SandboxClockOptions {
  /** Whether advancing is allowed; a recorded offset applies either way. */
  enabled: boolean;
  /** Blocks on the ledger now (recorded with each advance). */
  height(): Promise<number>;
  logger?: ClockLogger | undefined;
  /** The machine's clock (tests may pin it). */
  wallClock?: () => number;
}

/** The ledger's dates stay four-digit years (`YYYY-MM-DD`). */
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A clock read from its recorded advances: the machine's clock plus the last
 * record's offset. The ledger's own clock (below) and ThreadedLedger's
 * mirror of it on the gateway's thread both answer this way.
 */
export abstract class RecordedClock implements SandboxClock {
  protected constructor(
    protected readonly records: ClockAdvance[],
    protected readonly wallClock: () => number,
  ) {}

  abstract readonly enabled: boolean;
  abstract advance(request: ClockAdvanceRequest): Promise<{ advance: ClockAdvance; replayed: boolean }>;

  get offsetMs(): number {
    return this.records.at(-1)?.offsetMs ?? 0;
  }

  /** The ledger's time now, in milliseconds since the epoch: what the next transaction is stamped with. */
  nowMs(): number {
    return this.wallClock() + this.offsetMs;
  }

  state(): ClockState {
    return { enabled: this.enabled, offsetMs: this.offsetMs, now: new Date(this.nowMs()).toISOString() };
  }

  advances(): ClockAdvance[] {
    return this.records.map((r) => ({ ...r, by: { ...r.by } }));
  }
}

/**
 * The embedded ledger's transaction clock: the machine's clock plus an
 * offset. The offset only grows, one recorded advance at a time, so the
 * ledger's time never goes back, across restarts too.
 *
 * Each advance is appended to the ledger's LevelDB (prefix `c`, by sequence
 * number, written with `sync: true` before the offset changes) and logged.
 * It is not a transaction: the chaincode cannot know the clock moved (its
 * time is the transaction timestamp it is given), and a Fabric channel has no
 * such record either. The records are the audit trail: who moved the clock,
 * by how much, from which ledger time to which, at which block height.
 *
 * The offset in force is the last record's, whether or not advancing is
 * enabled now: turning the sandbox clock off must not move time back under
 * transactions already stamped ahead.
 */
export class EmbeddedSandboxClock extends RecordedClock {
  /** Advances run one at a time: sequence numbers and offsets follow each other. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: ClockStore,
    private readonly options: SandboxClockOptions,
    records: ClockAdvance[],
  ) {
    super(records, options.wallClock ?? (() => Date.now()));
  }

  /** Reads the recorded advances; refuses records that are out of sequence or move the clock back. */
  static async open(store: ClockStore, options: SandboxClockOptions): Promise<EmbeddedSandboxClock> {
    const raw = await store.getClockRecords();
    const records = raw as ClockAdvance[];
    let offset = 0;
    records.forEach((r, i) => {
      const ok =
        r.sequence === i + 1 &&
        Number.isSafeInteger(r.advanceMs) &&
        r.advanceMs > 0 &&
        r.offsetMs === offset + r.advanceMs;
      if (!ok) throw new Error(`sandbox clock record ${i + 1} is inconsistent with the ones before it: ${JSON.stringify(r)}`);
      offset = r.offsetMs;
    });
    return new EmbeddedSandboxClock(store, options, records);
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  advance(request: ClockAdvanceRequest): Promise<{ advance: ClockAdvance; replayed: boolean }> {
    const run = this.queue.then(() => this.advanceNow(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async advanceNow(request: ClockAdvanceRequest): Promise<{ advance: ClockAdvance; replayed: boolean }> {
    if (request.requestId !== undefined) {
      const first = this.records.find((r) => r.requestId === request.requestId && r.by.memberId === request.by.memberId);
      if (first) {
        if (first.duration !== request.duration) {
          throw new LedgerError(
            'ALREADY_EXISTS',
            `Idempotency-Key ${request.requestId} was used for the clock advance ${first.sequence} (${first.duration}); a retry must repeat the request`,
          );
        }
        return { advance: { ...first, by: { ...first.by } }, replayed: true };
      }
    }
    if (!this.enabled) throw new LedgerError('INVALID_STATE', 'the sandbox clock is disabled on this ledger');
    if (!Number.isSafeInteger(request.advanceMs) || request.advanceMs <= 0) {
      throw new LedgerError('VALIDATION_FAILED', `the clock moves forward only: ${request.duration} is not a positive duration`);
    }
    const from = this.nowMs();
    const to = from + request.advanceMs;
    if (to > LATEST) {
      throw new LedgerError('BUSINESS_RULE', `advancing by ${request.duration} would take the ledger past 9999-12-31 (it is ${new Date(from).toISOString()})`);
    }
    const record: ClockAdvance = {
      sequence: this.records.length + 1,
      duration: request.duration,
      advanceMs: request.advanceMs,
      offsetMs: this.offsetMs + request.advanceMs,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      recordedAt: new Date(this.wallClock()).toISOString(),
      height: await this.options.height(),
      by: { ...request.by },
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
    };
    // Durable first: a failed write leaves the clock where it was.
    await this.store.appendClockRecord(record.sequence, record);
    this.records.push(record);
    this.options.logger?.info({ sandboxClock: record }, `sandbox clock advanced by ${record.duration}: ledger time ${record.from} -> ${record.to}`);
    return { advance: { ...record, by: { ...record.by } }, replayed: false };
  }
}
