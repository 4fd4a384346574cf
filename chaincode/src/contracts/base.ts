import { createHash } from 'node:crypto';
import { Contract, type Context } from 'fabric-contract-api';
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import { txInfoFrom } from '../domain/dates';
import { assertNoPendingApproval, requestApproval, type Approval, type FreezeTarget } from '../domain/controls';
import { EVENTS, type EventName, type EventPayload } from '../domain/events';
import { assertActive, assertNotAuditor, requiresDualControl } from '../domain/members';
import type { Actor, TxInfo } from '../domain/types';
import { marshal, marshalString } from '../ledger/codec';
import { resolveActor } from '../ledger/identity';
import { RecordType } from '../ledger/keys';
import { flushWrites, Store, type RecordRef } from '../ledger/store';
import { assertNotFrozen, freezeRefs } from '../ledger/freezes';
import { ApprovalSpec } from '../ledger/specs';

/** What a transaction body sees: the store, the resolved actor and the tx time. */
export interface TxEnv {
  readonly ctx: Context;
  readonly store: Store;
  readonly actor: Actor;
  readonly tx: TxInfo;
  /** What the operation's `transient` reader made of the proposal's transient map (undefined without one). */
  readonly transient?: unknown;
}

/**
 * The JSON under `key` in the proposal's transient map (DESIGN 8), undefined
 * when the key is absent. The transient map reaches the chaincode at
 * endorsement and is not part of the transaction that is ordered.
 */
export function transientJson(ctx: Context, key: string): unknown {
  const bytes = ctx.stub.getTransient().get(key);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new DomainError('VALIDATION_FAILED', `the transient map's ${key} is not valid JSON`);
  }
}

/** A mutating transaction's result and the one event it emits. */
export interface Outcome<R> {
  readonly result: R;
  readonly event: { readonly name: EventName; readonly ids: Record<string, string | string[]>; readonly changes: object };
}

/** The stored first result of a request, for exactly-once retries. */
interface RequestRecord {
  docType: 'request';
  memberId: string;
  requestId: string;
  transaction: string;
  /** SHA-256 of the command without its requestId: a retry must repeat the request, not change it. */
  commandHash: string;
  txId: string;
  result: string;
}

export const requestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'requestId: 1-128 characters of A-Z a-z 0-9 . _ : -');

/** Parses a command: JSON, then the schema; every failure is VALIDATION_FAILED naming the field. */
export function parseCommand<S extends z.ZodType>(schema: S, raw: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'the command is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'command'}: ${i.message}`)
      .join('; ');
    throw new DomainError('VALIDATION_FAILED', detail);
  }
  return parsed.data;
}

export function txInfoOf(ctx: Context): TxInfo {
  return txInfoFrom(ctx.stub.getTxID(), ctx.stub.getDateTimestamp().toISOString());
}

/**
 * A mutating operation. Registered by name so that an approved dual-control
 * request can execute the stored command later, in the checker's transaction.
 */
export interface Operation<S extends z.ZodType = z.ZodType, R = unknown> {
  readonly name: string;
  readonly schema: S;
  /**
   * For two-step operations: the amount compared with the member's
   * dual-control threshold. It may read committed state (a credit line's
   * adjustment compares the larger of its old and new limit).
   */
  readonly dualControlAmount?: (cmd: z.infer<S>, env: TxEnv) => string | Promise<string>;
  /**
   * Reads what the operation takes from the proposal's transient map, after
   * the caller and the command are checked; the body gets it as
   * `env.transient`. It joins the command in the requestId hash (so a retry
   * must send the same documents), which is why it must hold only what may be
   * hashed into state (fingerprints, never the fields themselves).
   */
  readonly transient?: (ctx: Context) => unknown;
  /**
   * Records the body reads on its way to success, named from the command
   * alone, so that a peer that takes multi-key reads returns them in the
   * same message as the caller's identity binding (Store.readAheadOf).
   * Leaves every check and answer as it is.
   */
  readonly readsAhead?: (cmd: z.infer<S>) => RecordRef[];
  /**
   * For two-step operations whose requests about one target exclude each
   * other (two sets of terms for one financing): the target, from the
   * command. While one request about it awaits its checker, the member's
   * next is refused (assertNoPendingApproval).
   */
  readonly approvalTarget?: (cmd: z.infer<S>) => string[];
  readonly body: (env: TxEnv, cmd: z.infer<S>) => Promise<Outcome<R>>;
}

/**
 * Which approval was last requested about an operation's target
 * (Operation.approvalTarget). Only a pointer: what refuses a second request
 * is that approval's status, so deciding an approval writes nothing here,
 * and the next request overwrites it.
 */
interface OpenApproval {
  approvalId: string;
}

function openApprovalRef(memberId: string, transaction: string, target: readonly string[]): RecordRef {
  return [RecordType.OPEN_APPROVAL, [memberId, transaction, ...target]];
}

async function assertNonePending(store: Store, memberId: string, transaction: string, target: readonly string[]): Promise<void> {
  const open = await store.get<OpenApproval>(...openApprovalRef(memberId, transaction, target));
  const approval = open ? await store.get<Approval>(ApprovalSpec.type, [open.approvalId]) : undefined;
  assertNoPendingApproval(approval, `${transaction} on ${target.join(' ')}`);
}

/** Where the first result of a member's request is kept. */
function requestRef(memberId: string, requestId: string): RecordRef {
  return [RecordType.REQUEST, [memberId, requestId]];
}

const operations = new Map<string, Operation>();

export function operation<S extends z.ZodType, R>(op: Operation<S, R>): Operation<S, R> {
  operations.set(op.name, op);
  return op;
}

export function operationNamed(name: string): Operation | undefined {
  return operations.get(name);
}

/**
 * Shared shape of every SCF contract: parse the command, resolve who calls
 * (an active member that is not frozen), run the domain, store, emit one
 * event; `requestId` makes a submit exactly-once per member (a retry gets
 * the first result, acting nothing).
 */
export abstract class ScfContract extends Contract {
  /**
   * Sends the writes the store held back for a peer that takes write batches
   * (one message for the whole write set). It runs only after a transaction
   * that returned: one that threw is not endorsed, so its writes never leave.
   */
  override async afterTransaction(ctx: Context, _result: unknown): Promise<void> {
    await flushWrites(ctx.stub);
  }

  protected async mutate<S extends z.ZodType, R>(
    ctx: Context,
    transaction: string,
    raw: string,
    schema: S,
    body: (env: TxEnv, cmd: z.infer<S>) => Promise<Outcome<R>>,
    transient?: (ctx: Context) => unknown,
  ): Promise<string> {
    return this.run(ctx, raw, transient ? { name: transaction, schema, body, transient } : { name: transaction, schema, body });
  }

  /**
   * Runs an operation. When it is subject to dual control and the amount is
   * at or above the member's threshold, the operation is first run against a
   * dry-run store (so an invalid request fails now, not at approval), then an
   * approval `APR-…` is recorded and returned instead.
   */
  protected async run<S extends z.ZodType, R>(ctx: Context, raw: string, op: Operation<S, R>): Promise<string> {
    // The caller first (README, check order): an auditor never writes, so it is
    // FORBIDDEN whatever it sends, and learns nothing from validation.
    const store = new Store(ctx.stub);
    // The command is parsed first only to name what to read ahead; when it is
    // not valid, that is said after the caller's checks, as before.
    let parsed: (z.infer<S> & { requestId?: string }) | undefined;
    let invalid: unknown;
    try {
      parsed = parseCommand(op.schema, raw) as z.infer<S> & { requestId?: string };
    } catch (err) {
      invalid = err;
    }
    // Two messages to a peer that takes multi-key reads: the caller's binding
    // with what the command names, then its member with the member's freeze
    // key and request record.
    const actor = await resolveActor(store, ctx, {
      withBinding: parsed ? (op.readsAhead?.(parsed) ?? []) : [],
      withMember: (memberId) => [
        ...(parsed?.requestId !== undefined ? [requestRef(memberId, parsed.requestId)] : []),
        ...freezeRefs([{ type: 'MEMBER', id: memberId }]),
      ],
    });
    assertNotAuditor(actor);
    if (parsed === undefined) throw invalid;
    const cmd = parsed;
    const ownFreeze: FreezeTarget = { type: 'MEMBER', id: actor.member.id };
    const transient = op.transient?.(ctx);
    const env: TxEnv = { ctx, store, actor, tx: { ...txInfoOf(ctx), actor: actor.member.id }, transient };
    return this.once<R | Approval>(ctx, store, actor.member.id, op.name, cmd, async () => {
      // Checked after the requestId lookup: a retry of a request that already
      // committed gets its first result even if the member was suspended or
      // frozen since.
      assertActive(actor);
      await assertNotFrozen(store, [ownFreeze], { own: true });
      // While a request about the target awaits its checker, nothing else about it goes
      // ahead, below the threshold either: the pending one could never execute after.
      const target = op.approvalTarget?.(cmd);
      if (target !== undefined) await assertNonePending(store, actor.member.id, op.name, target);
      const amount = await op.dualControlAmount?.(cmd, env);
      if (amount === undefined || !requiresDualControl(actor.member, amount)) return op.body(env, cmd);
      await op.body({ ...env, store: new Store(ctx.stub, { dryRun: true }) }, cmd);
      const { requestId: _ignored, ...command } = cmd as Record<string, unknown>;
      const approval = requestApproval(
        { id: `APR-${env.tx.txId.slice(0, 16).toUpperCase()}`, transaction: op.name, command, amount },
        actor,
        env.tx,
      );
      await store.save(ApprovalSpec, undefined, approval);
      if (target !== undefined) await store.put(...openApprovalRef(actor.member.id, op.name, target), { approvalId: approval.id } satisfies OpenApproval);
      return {
        result: approval,
        event: {
          name: EVENTS.ApprovalRequested,
          ids: { approvalId: approval.id, memberId: approval.memberId },
          changes: { transaction: op.name, amount, status: approval.status },
        },
      };
    }, transient);
  }

  protected async query<S extends z.ZodType, R>(
    ctx: Context,
    raw: string,
    schema: S,
    body: (env: TxEnv, cmd: z.infer<S>) => R | Promise<R>,
  ): Promise<string> {
    const cmd = parseCommand(schema, raw);
    const store = new Store(ctx.stub);
    const actor = await resolveActor(store, ctx);
    return marshalString(await body({ ctx, store, actor, tx: { ...txInfoOf(ctx), actor: actor.member.id } }, cmd));
  }

  /** Every committed version of a record of `type`, to whoever `visible` lets read it (it throws NOT_FOUND otherwise). */
  protected async historyOf(
    ctx: Context,
    raw: string,
    byId: z.ZodType<{ id: string }>,
    type: string,
    visible: (store: Store, actor: Actor, id: string) => Promise<unknown>,
  ): Promise<string> {
    return this.query(ctx, raw, byId, async ({ store, actor }, cmd) => {
      await visible(store, actor, cmd.id);
      return { id: cmd.id, versions: await store.history(type, [cmd.id]) };
    });
  }

  /** Runs `act` unless this member already used `requestId`; records and emits. */
  protected async once<R>(
    ctx: Context,
    store: Store,
    memberId: string,
    transaction: string,
    command: { requestId?: string | undefined },
    act: () => Promise<Outcome<R>>,
    transient?: unknown,
  ): Promise<string> {
    const { requestId, ...rest } = command;
    // What came in the transient map counts as part of the request (hashed,
    // never stored); without any, the hash is the command's as before.
    const hashed = transient === undefined ? rest : { command: rest, transient };
    const commandHash = createHash('sha256').update(marshalString(hashed)).digest('hex');
    if (requestId !== undefined) {
      const seen = await store.get<RequestRecord>(...requestRef(memberId, requestId));
      if (seen) {
        if (seen.transaction !== transaction) {
          throw new DomainError(
            'ALREADY_EXISTS',
            `requestId ${requestId} was already used for ${seen.transaction} in tx ${seen.txId}`,
          );
        }
        if (seen.commandHash !== commandHash) {
          throw new DomainError(
            'ALREADY_EXISTS',
            `requestId ${requestId} was already used with a different ${transaction} command in tx ${seen.txId}`,
          );
        }
        return seen.result;
      }
    }
    const outcome = await act();
    const result = marshalString(outcome.result);
    const txId = ctx.stub.getTxID();
    if (requestId !== undefined) {
      const record: RequestRecord = { docType: 'request', memberId, requestId, transaction, commandHash, txId, result };
      await store.put(...requestRef(memberId, requestId), record);
    }
    const payload: EventPayload = {
      actor: { memberId, mspId: ctx.clientIdentity.getMSPID(), identityId: ctx.clientIdentity.getID() },
      changes: outcome.event.changes,
      ids: outcome.event.ids,
      txId,
    };
    ctx.stub.setEvent(outcome.event.name, marshal(payload));
    return result;
  }
}
