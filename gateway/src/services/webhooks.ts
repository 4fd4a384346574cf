import type { Actor } from '../../../chaincode/src/domain/types';
import { LedgerError } from '../ledger/ledger';
import { SEE_ALL } from '../visibility';
import { urlProblem } from '../webhooks/address';
import type { WebhookOutbox } from '../webhooks/outbox';
import { RepeatedRegistration } from '../webhooks/store';
import type { Attempt, Delivery, Endpoint } from '../webhooks/types';
import type { CallContext, LedgerCalls } from './calls';

export interface RegisterWebhookInput {
  url: string;
  eventTypes: string[];
  description?: string | undefined;
}

/** An endpoint as shown: never its secret (shown once, at registration). */
export type EndpointView = Omit<Endpoint, 'secret' | 'requestId' | 'nextAttemptAt'> & { nextAttemptAt?: string; pendingDeliveries: number };

/** A delivery as its endpoint's owner reads it: without `seq`, the outbox's own place for it in the queue. */
export type DeliveryView = Omit<Delivery, 'seq'> & { attemptLog: Attempt[] };

const shown = ({ seq: _seq, ...d }: Delivery, attemptLog: Attempt[]): DeliveryView => ({ ...d, attemptLog });

/**
 * Webhooks (issue 17; DESIGN.md section 8): a member registers endpoints,
 * lists them, deletes them, enables a disabled one, reads each delivery's
 * attempts and redelivers any. Endpoints belong to the caller's member: any
 * identity of that member manages them, no one else sees them (another
 * member's endpoint is NOT_FOUND, even to the operator). The member must
 * be ACTIVE.
 */
export class WebhookService {
  constructor(
    private readonly calls: LedgerCalls,
    private readonly outbox: WebhookOutbox | undefined,
  ) {}

  async register(ctx: CallContext, input: RegisterWebhookInput): Promise<{ endpoint: EndpointView; secret: string }> {
    const outbox = this.enabled();
    const problem = urlProblem(input.url, outbox.settings.allowPrivate);
    if (problem !== undefined) throw new LedgerError('VALIDATION_FAILED', `url: ${problem}`);
    const { member, identity } = await this.caller(ctx);
    // A repeated Idempotency-Key is refused by the store, as the endpoint is
    // added (a check here, before the ledger's height is read, would let two
    // racing requests through).
    const endpoint = await outbox
      .register({
        memberId: member.id,
        seesAll: member.roles.some((r) => SEE_ALL.has(r)),
        url: input.url,
        eventTypes: [...new Set(input.eventTypes)],
        ...(input.description === undefined ? {} : { description: input.description }),
        createdBy: { memberId: member.id, identityId: identity.identityId },
        ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
      })
      .catch((err: unknown) => {
        throw err instanceof RepeatedRegistration ? new LedgerError('ALREADY_EXISTS', err.message, { cause: err }) : err;
      });
    return { endpoint: await this.view(endpoint), secret: endpoint.secret };
  }

  async list(ctx: CallContext): Promise<EndpointView[]> {
    const outbox = this.enabled();
    const { member } = await this.caller(ctx, false);
    return Promise.all(outbox.store.endpoints().filter((e) => e.memberId === member.id).map((e) => this.view(e)));
  }

  async get(ctx: CallContext, id: string): Promise<EndpointView> {
    return this.view(await this.own(ctx, id, false));
  }

  async remove(ctx: CallContext, id: string): Promise<EndpointView> {
    const e = await this.own(ctx, id, false);
    const deleted = await this.enabled().change(e.id, (current) => {
      // Deleted by another request since this one looked.
      if (current.status === 'DELETED') throw new LedgerError('NOT_FOUND', `no webhook endpoint ${id}`);
      return { ...current, status: 'DELETED', deletedAt: new Date().toISOString() };
    });
    return this.view(deleted);
  }

  /** A DISABLED endpoint becomes ACTIVE: the delivery that failed and its held queue are sent, from the oldest. */
  async enable(ctx: CallContext, id: string): Promise<EndpointView> {
    const e = await this.own(ctx, id);
    // Judged on the endpoint as it is when the change is made: a DELETE that
    // came meanwhile is not undone.
    const next = await this.enabled().enable(e.id, (current) => {
      if (current.status === 'DELETED') throw new LedgerError('NOT_FOUND', `no webhook endpoint ${id}`);
      if (current.status !== 'DISABLED') throw new LedgerError('INVALID_STATE', `endpoint ${id} is ${current.status}, not DISABLED`);
    });
    return this.view(next);
  }

  async deliveries(ctx: CallContext, id: string, limit: number): Promise<DeliveryView[]> {
    const e = await this.own(ctx, id, false);
    const store = this.enabled().store;
    const list = await store.deliveries(e.id, limit);
    return Promise.all(list.map(async (d) => shown(d, await store.attempts(d.id))));
  }

  /** Queues a delivery again (same message, same webhook-id), whatever its status. */
  async redeliver(ctx: CallContext, id: string, deliveryId: string): Promise<DeliveryView> {
    const e = await this.own(ctx, id);
    const outbox = this.enabled();
    const d = await outbox.store.delivery(deliveryId);
    if (!d || d.endpointId !== e.id) throw new LedgerError('NOT_FOUND', `no delivery ${deliveryId} on endpoint ${id}`);
    if (e.status !== 'ACTIVE') throw new LedgerError('INVALID_STATE', `endpoint ${id} is ${e.status}: enable it first (POST /webhooks/${id}/enable)`);
    const next = await outbox.redeliver(d.id);
    if (!next) throw new LedgerError('NOT_FOUND', `no delivery ${deliveryId} on endpoint ${id}`);
    return shown(next, await outbox.store.attempts(d.id));
  }

  private enabled(): WebhookOutbox {
    if (!this.outbox) throw new LedgerError('INVALID_STATE', 'webhooks are not set up on this gateway (it has no data folder for the outbox)');
    return this.outbox;
  }

  /**
   * The calling member. A suspended member reads its endpoints and their
   * deliveries and may delete one (which only stops deliveries), as it still
   * reads its records and GET /events; what starts or resumes deliveries
   * (register, enable, redeliver) needs an ACTIVE member (403).
   */
  private async caller(ctx: CallContext, starts = true): Promise<Actor> {
    const actor = await this.calls.read<Actor>(ctx, 'member:WhoAmI', {});
    if (starts && actor.member.status !== 'ACTIVE') throw new LedgerError('FORBIDDEN', `member ${actor.member.id} is ${actor.member.status}: it cannot start or resume deliveries`);
    return actor;
  }

  private async own(ctx: CallContext, id: string, starts = true): Promise<Endpoint> {
    const outbox = this.enabled();
    const { member } = await this.caller(ctx, starts);
    const e = outbox.store.endpoint(id);
    if (!e || e.memberId !== member.id || e.status === 'DELETED') throw new LedgerError('NOT_FOUND', `no webhook endpoint ${id}`);
    return e;
  }

  private async view(e: Endpoint): Promise<EndpointView> {
    const { secret: _s, requestId: _r, fromBlock: _f, nextAttemptAt, ...shown } = e;
    const pendingDeliveries = await this.enabled().store.pendingCount(e.id);
    return { ...shown, ...(nextAttemptAt > Date.now() ? { nextAttemptAt: new Date(nextAttemptAt).toISOString() } : {}), pendingDeliveries };
  }
}
