import { Contract, type Context } from 'fabric-contract-api';
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import { txInfoFrom } from '../domain/dates';
import { assertActive } from '../domain/members';
import type { Actor, TxInfo } from '../domain/types';
import { marshal, marshalString } from '../ledger/codec';
import { resolveActor } from '../ledger/identity';
import { RecordType } from '../ledger/keys';
import { Store } from '../ledger/store';

/** What a transaction body sees: the store, the resolved actor and the tx time. */
export interface TxEnv {
  readonly ctx: Context;
  readonly store: Store;
  readonly actor: Actor;
  readonly tx: TxInfo;
}

/** A mutating transaction's result and the one event it emits. */
export interface Outcome<R> {
  readonly result: R;
  readonly event: { readonly name: string; readonly ids: Record<string, string | string[]>; readonly changes: object };
}

/** The stored first result of a request, for exactly-once retries. */
interface RequestRecord {
  docType: 'request';
  memberId: string;
  requestId: string;
  transaction: string;
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
 * Shared shape of every SCF contract: parse the command, resolve who calls,
 * run the domain, store, emit one event; `requestId` makes a submit
 * exactly-once per member (a retry gets the first result, acting nothing).
 */
export abstract class ScfContract extends Contract {
  protected async mutate<S extends z.ZodType, R>(
    ctx: Context,
    transaction: string,
    raw: string,
    schema: S,
    body: (env: TxEnv, cmd: z.infer<S>) => Promise<Outcome<R>>,
  ): Promise<string> {
    const cmd = parseCommand(schema, raw) as z.infer<S> & { requestId?: string };
    const store = new Store(ctx.stub);
    const actor = await resolveActor(store, ctx);
    assertActive(actor);
    return this.once(ctx, store, actor.member.id, transaction, cmd.requestId, () =>
      body({ ctx, store, actor, tx: txInfoOf(ctx) }, cmd),
    );
  }

  protected async query<S extends z.ZodType, R>(
    ctx: Context,
    raw: string,
    schema: S,
    body: (env: TxEnv, cmd: z.infer<S>) => Promise<R>,
  ): Promise<string> {
    const cmd = parseCommand(schema, raw);
    const store = new Store(ctx.stub);
    const actor = await resolveActor(store, ctx);
    return marshalString(await body({ ctx, store, actor, tx: txInfoOf(ctx) }, cmd));
  }

  /** Runs `act` unless this member already used `requestId`; records and emits. */
  protected async once<R>(
    ctx: Context,
    store: Store,
    memberId: string,
    transaction: string,
    requestId: string | undefined,
    act: () => Promise<Outcome<R>>,
  ): Promise<string> {
    if (requestId !== undefined) {
      const seen = await store.get<RequestRecord>(RecordType.REQUEST, [memberId, requestId]);
      if (seen) {
        if (seen.transaction !== transaction) {
          throw new DomainError(
            'ALREADY_EXISTS',
            `requestId ${requestId} was already used for ${seen.transaction} in tx ${seen.txId}`,
          );
        }
        return seen.result;
      }
    }
    const outcome = await act();
    const result = marshalString(outcome.result);
    const txId = ctx.stub.getTxID();
    if (requestId !== undefined) {
      const record: RequestRecord = { docType: 'request', memberId, requestId, transaction, txId, result };
      await store.put(RecordType.REQUEST, [memberId, requestId], record);
    }
    ctx.stub.setEvent(
      outcome.event.name,
      marshal({
        actor: { memberId, mspId: ctx.clientIdentity.getMSPID(), identityId: ctx.clientIdentity.getID() },
        changes: outcome.event.changes,
        ids: outcome.event.ids,
        txId,
      }),
    );
    return result;
  }
}
