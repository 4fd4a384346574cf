import { decodeResult, LedgerError, type SubmitResult, type TransactionStatus } from '../ledger';
import type { ConflictLanes } from '../conflict-lane';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy, sleep as realSleep } from '../retry';
import { asGatewayError, GRPC, isEndorsementMismatch, isNoEndorsementPlan, mapProposalError, MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT } from './errors';

/*
 * The submit/evaluate flow of the Fabric connector, written against the few
 * fabric-gateway methods it uses so it can be tested with fakes:
 *   endorse  -- EndorseError: nothing was ordered; map the chaincode code.
 *   submit   -- SubmitError: the orderer did not take it; send the SAME signed
 *               transaction again (same tx id, so it can never commit twice).
 *   status   -- no commit within resubmitAfterMs: hand the SAME signed
 *               transaction to the orderers again and keep waiting (an
 *               orderer that took it may have lost it: a Raft leader cut off
 *               the network loses what followers forwarded to it; the tx id
 *               commits valid at most once, a second copy is DUPLICATE_TXID).
 *               Any other CommitStatusError: ask again. Give up with
 *               COMMIT_TIMEOUT carrying the tx id.
 *   MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT: re-endorse as a NEW
 *               transaction after a bounded, jittered backoff. Endorsements
 *               that disagree (a peer behind the latest block: the same
 *               contention, seen before ordering) are retried the same way.
 *   a hot key:  a first attempt that writes a key the retries in its conflict
 *               lane are fighting over is not ordered: it queues in the lane
 *               and is endorsed again on its turn (conflict-lane.ts).
 */

export interface CallOpts {
  deadline?: Date;
}
export interface StatusLike {
  blockNumber: bigint;
  code: number;
  successful: boolean;
  transactionId: string;
}
export interface SubmittedLike {
  getTransactionId(): string;
  getResult(): Uint8Array;
  getStatus(options?: CallOpts): Promise<StatusLike>;
}
export interface TransactionLike {
  getTransactionId(): string;
  getResult(): Uint8Array;
  /** Serialized PreparedTransaction (fabric-gateway's Signable.getBytes). */
  getBytes(): Uint8Array;
  submit(options?: CallOpts): Promise<SubmittedLike>;
}
export interface ProposalLike {
  getTransactionId(): string;
  endorse(options?: CallOpts): Promise<TransactionLike>;
  evaluate(options?: CallOpts): Promise<Uint8Array>;
}
export interface ContractLike {
  newProposal(name: string, options: { arguments: string[]; transientData?: Record<string, Uint8Array> }): ProposalLike;
}

export interface Deadlines {
  endorseMs: number;
  submitMs: number;
  commitStatusMs: number;
  /**
   * How long to wait for a commit before handing the same transaction to the
   * orderers again. Well above a commit's latency under load (p99 3.7 s at 128
   * in flight on the reference machine, docs/BENCHMARKS.md), so a healthy
   * network sees no second copies.
   */
  resubmitAfterMs: number;
  evaluateMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { endorseMs: 15_000, submitMs: 5_000, commitStatusMs: 60_000, resubmitAfterMs: 8_000, evaluateMs: 5_000 };

/**
 * Re-endorsing while the Gateway finds no endorsement plan (FAILED_PRECONDITION
 * "no combination of peers…": peers joining the channel's gossip, or one
 * restarting): about 6 s at most, then LEDGER_UNAVAILABLE.
 */
export const PLAN_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 2_000 };

export interface FlowOptions {
  retry?: RetryPolicy;
  /** Attempts to hand the same signed transaction to the orderer. */
  submitAttempts?: number;
  /** Attempts to read the commit status of one submitted transaction. */
  statusAttempts?: number;
  /** Re-endorsing while no endorsement plan exists (PLAN_RETRY by default). */
  planRetry?: RetryPolicy;
  deadlines?: Deadlines;
  /** Overall budget of this call, ms; each gRPC deadline is capped by it. */
  deadlineMs?: number;
  /** The proposal's transient map (never ordered: fabric-gateway leaves it out of the transaction). */
  transient?: Readonly<Record<string, Uint8Array>> | undefined;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /**
   * Looks a transaction up on the channel (the connector's qscc query). Asked
   * once after submits whose outcome is uncertain; a rejection means unknown.
   */
  commitStatus?: (txId: string) => Promise<TransactionStatus>;
  /** Whether an endorsed transaction changes nothing (then it is not ordered); see rwset.ts. */
  writesNothing?: (transaction: TransactionLike) => boolean;
  /** The keys an endorsed transaction writes (undefined: unreadable), for the lanes' hot keys; see rwset.ts. */
  writeKeys?: (transaction: TransactionLike) => readonly string[] | undefined;
  /**
   * The connector's conflict lanes: after a read conflict the retries of this
   * function wait their turn there (conflict-lane.ts). Without, every retry
   * races on its own after a jittered backoff.
   */
  lanes?: ConflictLanes;
}


class Budget {
  private readonly end: number;
  constructor(
    private readonly now: () => number,
    totalMs: number | undefined,
  ) {
    this.end = totalMs === undefined ? Number.POSITIVE_INFINITY : now() + totalMs;
  }
  deadline(perCallMs: number): Date {
    return new Date(Math.min(this.now() + perCallMs, this.end));
  }
  expired(): boolean {
    return this.now() >= this.end;
  }
  /** When the call's budget ends, epoch ms (Infinity without one). */
  endMs(): number {
    return this.end;
  }
}

function proposalOptions(
  args: string[],
  transient: Readonly<Record<string, Uint8Array>> | undefined,
): { arguments: string[]; transientData?: Record<string, Uint8Array> } {
  return transient === undefined ? { arguments: args } : { arguments: args, transientData: { ...transient } };
}

export async function submitFlow(
  contract: ContractLike,
  name: string,
  command: object,
  options: FlowOptions = {},
): Promise<SubmitResult> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const deadlines = options.deadlines ?? DEFAULT_DEADLINES;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const budget = new Budget(options.now ?? Date.now, options.deadlineMs);
  const args = [JSON.stringify(command)];

  const planRetry = options.planRetry ?? PLAN_RETRY;
  let planAttempt = 0;
  const lanes = options.lanes;
  // After the first conflict, retries of this function queue in the lane
  // (conflict-lane.ts) and keep their turn until this submit is done.
  let releaseLane: (() => void) | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      const proposal = contract.newProposal(name, proposalOptions(args, options.transient));
      const txId = proposal.getTransactionId();
      let transaction: TransactionLike | undefined;
      try {
        transaction = await proposal.endorse({ deadline: budget.deadline(deadlines.endorseMs) });
      } catch (err) {
        // Nothing was ordered: a new proposal after a pause is safe.
        if (isNoEndorsementPlan(err) && ++planAttempt < planRetry.maxAttempts) {
          await sleep(backoffDelay(planRetry, planAttempt, random));
          if (!budget.expired()) {
            attempt--; // not a conflict retry
            continue;
          }
        }
        if (!isEndorsementMismatch(err)) throw mapProposalError(err);
      }
      // What the conflict was, and the tx id to report if we give up (none when nothing was ordered).
      let conflict: { what: string; txId?: string };
      // What the transaction writes, read only where the lane needs it.
      let writes: readonly string[] | undefined;
      if (transaction === undefined) {
        conflict = { what: 'the endorsing peers read different states' };
      } else {
        if (options.writesNothing?.(transaction)) {
          return { txId, result: decodeResult(transaction.getResult()), blockNumber: undefined };
        }
        if (lanes && !releaseLane && lanes.hasHotKeys(name)) {
          writes = options.writeKeys?.(transaction);
          if (writes && lanes.contended(name, writes)) {
            // It would race the lane's holder for a key: queue first, endorse again on the turn.
            releaseLane = await lanes.acquire(name, budget.endMs(), options.now);
            if (releaseLane && !budget.expired()) {
              attempt--; // never ordered: not an attempt
              continue;
            }
            throw new LedgerError('LEDGER_UNAVAILABLE', 'writes a key in contention and its turn did not come within the deadline; retry');
          }
        }
        const outcome = await submitSame(transaction, budget, deadlines, options.submitAttempts ?? 3, retry, sleep, random);
        if ('uncertain' in outcome) return settleUncertain(transaction, outcome.uncertain, options.commitStatus);
        const submitted = outcome;
        const status = await readStatus(transaction, submitted, budget, deadlines, options.statusAttempts ?? 3, retry, sleep, random);
        if (status.successful) {
          return { txId, result: decodeResult(submitted.getResult()), blockNumber: Number(status.blockNumber) };
        }
        if (status.code !== MVCC_READ_CONFLICT && status.code !== PHANTOM_READ_CONFLICT) {
          throw new LedgerError('LEDGER_UNAVAILABLE', `transaction committed invalid (validation code ${status.code})`, { txId });
        }
        conflict = { what: `validation code ${status.code}`, txId };
      }
      // The conflicted transaction's writes become the lane's hot keys; read only when a lane takes them.
      const hot = (): readonly string[] => (transaction === undefined ? [] : (writes ?? options.writeKeys?.(transaction) ?? []));
      if (lanes && !releaseLane && attempt < retry.maxAttempts) {
        releaseLane = await lanes.acquire(name, budget.endMs(), options.now, hot());
      } else if (lanes && releaseLane) {
        lanes.markHot(name, hot());
      }
      if (attempt >= retry.maxAttempts || budget.expired() || (lanes && !releaseLane)) {
        // Decision: persistent contention is a transient condition, not a business
        // outcome; 503 tells the client to retry (safely, with its Idempotency-Key).
        throw new LedgerError('LEDGER_UNAVAILABLE', `read conflict with concurrent transactions (${conflict.what}) after ${attempt} attempts; retry`, {
          txId: conflict.txId,
        });
      }
      // Holding the lane, only the first step's short pause (the peers catch up
      // with the block that invalidated us); without one, the full backoff.
      await sleep(backoffDelay(retry, lanes ? 1 : attempt, random));
    }
  } finally {
    releaseLane?.();
  }
}

async function submitSame(
  transaction: TransactionLike,
  budget: Budget,
  deadlines: Deadlines,
  attempts: number,
  retry: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
  random: () => number,
): Promise<SubmittedLike | { uncertain: unknown }> {
  const txId = transaction.getTransactionId();
  // fabric-gateway wraps every failed submit RPC in SubmitError. Only
  // UNAVAILABLE (no connection: nothing was sent) is a definite refusal; a
  // deadline, a cancel or anything else may have reached the orderer.
  let maybeSent = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction.submit({ deadline: budget.deadline(deadlines.submitMs) });
    } catch (err) {
      const ge = asGatewayError(err);
      if (ge?.name !== 'SubmitError') throw mapProposalError(err);
      if (ge.code !== GRPC.UNAVAILABLE) maybeSent = true;
      if (attempt >= attempts || budget.expired()) {
        if (maybeSent) return { uncertain: err };
        throw new LedgerError('LEDGER_UNAVAILABLE', `orderer did not accept transaction: ${(err as Error).message}`, {
          txId,
          cause: err,
        });
      }
      await sleep(backoffDelay(retry, attempt, random));
    }
  }
}

/**
 * The submits failed but the orderer may hold the transaction: ask the
 * channel once. Committed valid is a success; committed invalid is definite
 * (nothing applied, a retry is safe); otherwise COMMIT_TIMEOUT with the tx id,
 * never a retryable 503 that would invite a second transaction.
 */
async function settleUncertain(
  transaction: TransactionLike,
  cause: unknown,
  commitStatus: ((txId: string) => Promise<TransactionStatus>) | undefined,
): Promise<SubmitResult> {
  const txId = transaction.getTransactionId();
  let known: TransactionStatus | undefined;
  try {
    known = await commitStatus?.(txId);
  } catch {
    known = undefined; // not found yet, or the lookup failed: still unknown
  }
  if (known?.valid) return { txId, result: decodeResult(transaction.getResult()), blockNumber: known.blockNumber };
  if (known) {
    throw new LedgerError('LEDGER_UNAVAILABLE', `transaction committed invalid (validation code ${known.validationCode})`, { txId, cause });
  }
  throw new LedgerError('COMMIT_TIMEOUT', 'transaction may have been ordered; commit outcome unknown, query /transactions/{txId}', {
    txId,
    cause,
  });
}

/**
 * Waits for the commit of a submitted transaction. A wait that times out
 * (no commit within resubmitAfterMs) submits the same transaction again and
 * waits on, for commitStatusMs in all; other failures of the status call are
 * retried `attempts` times. The call's budget bounds it all.
 */
async function readStatus(
  transaction: TransactionLike,
  submitted: SubmittedLike,
  budget: Budget,
  deadlines: Deadlines,
  attempts: number,
  retry: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
  random: () => number,
): Promise<StatusLike> {
  const txId = submitted.getTransactionId();
  let current = submitted;
  let failures = 0;
  let waits = 0;
  const waitMs = Math.min(deadlines.resubmitAfterMs, deadlines.commitStatusMs);
  // Waits that time out are bounded by the commit-status deadline as a whole,
  // so a call never waits longer than commitStatusMs for its commit in total.
  const maxWaits = Math.max(1, Math.ceil(deadlines.commitStatusMs / waitMs));
  for (;;) {
    let err: unknown;
    try {
      return await current.getStatus({ deadline: budget.deadline(waitMs) });
    } catch (e) {
      err = e;
    }
    const timedOut = asGatewayError(err)?.code === GRPC.DEADLINE_EXCEEDED;
    if (timedOut) waits++;
    else failures++;
    if (failures >= attempts || waits >= maxWaits || budget.expired()) {
      throw new LedgerError('COMMIT_TIMEOUT', 'transaction submitted; commit outcome unknown, query /transactions/{txId}', {
        txId,
        cause: err,
      });
    }
    if (timedOut) {
      try {
        current = await transaction.submit({ deadline: budget.deadline(deadlines.submitMs) });
      } catch {
        // The orderers did not take the copy: wait on for the first one.
      }
    } else {
      await sleep(backoffDelay(retry, failures, random));
    }
  }
}

export async function evaluateFlow(
  contract: ContractLike,
  name: string,
  command: object,
  options: FlowOptions = {},
): Promise<unknown> {
  const deadlines = options.deadlines ?? DEFAULT_DEADLINES;
  const budget = new Budget(options.now ?? Date.now, options.deadlineMs);
  const proposal = contract.newProposal(name, proposalOptions([JSON.stringify(command)], options.transient));
  try {
    return decodeResult(await proposal.evaluate({ deadline: budget.deadline(deadlines.evaluateMs) }));
  } catch (err) {
    throw mapProposalError(err);
  }
}
