import type { Services } from '../../services';
import { EmptyBody } from '../schemas/receivables';
import { route, type RouteSpec } from '../route';
import { DeliveryList, DeliveryParams, DeliveryQuery, EndpointParams, RegisteredWebhook, RegisterWebhookBody, WebhookDelivery, WebhookEndpoint, WebhookList } from '../schemas/webhooks';

/** The secret is in this answer only: no cache keeps it. */
const NO_STORE = { 'Cache-Control': 'no-store' };

/*
 * Webhooks (DESIGN.md section 8): a member's endpoints get every ledger
 * event the member may see and its notifications, signed per Standard
 * Webhooks (webhook-id, webhook-timestamp, webhook-signature).
 */
export function webhookRoutes({ webhooks }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/webhooks',
      summary: "Register an endpoint for the caller's member; its signing secret is shown once",
      tag: 'webhooks',
      body: RegisterWebhookBody,
      success: { status: 201, description: 'The endpoint and its whsec_ secret (shown once)', schema: RegisteredWebhook },
      errors: ['FORBIDDEN', 'INVALID_STATE', 'ALREADY_EXISTS', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Kept with the endpoint: a repeat is 409 ALREADY_EXISTS naming it, also while the first request is being served (its secret is shown once)',
      handle: async ({ body }, ctx) => ({ body: await webhooks.register(ctx, body), headers: NO_STORE }),
    }),
    route({
      method: 'get',
      path: '/webhooks',
      summary: "The caller's member's endpoints, with their status (why one was disabled)",
      tag: 'webhooks',
      success: { status: 200, description: 'Endpoints, oldest first, deleted ones left out', schema: WebhookList },
      errors: ['FORBIDDEN', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      handle: async (_input, ctx) => ({ body: { endpoints: await webhooks.list(ctx) } }),
    }),
    route({
      method: 'get',
      path: '/webhooks/:id',
      summary: 'One endpoint of the caller’s member',
      tag: 'webhooks',
      params: EndpointParams,
      success: { status: 200, description: 'The endpoint', schema: WebhookEndpoint },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await webhooks.get(ctx, params.id) }),
    }),
    route({
      method: 'delete',
      path: '/webhooks/:id',
      summary: 'Delete an endpoint: nothing more is sent to it',
      tag: 'webhooks',
      params: EndpointParams,
      success: { status: 200, description: 'The deleted endpoint', schema: WebhookEndpoint },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Not needed: deleting again is 404 and changes nothing',
      handle: async ({ params }, ctx) => ({ body: await webhooks.remove(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/webhooks/:id/enable',
      summary: 'Enable a disabled endpoint: what it holds is sent, oldest first',
      tag: 'webhooks',
      params: EndpointParams,
      body: EmptyBody,
      success: { status: 200, description: 'The endpoint, ACTIVE', schema: WebhookEndpoint },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Not needed: enabling an endpoint that is not DISABLED is 409 INVALID_STATE and changes nothing',
      handle: async ({ params }, ctx) => ({ body: await webhooks.enable(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/webhooks/:id/deliveries',
      summary: 'Deliveries to an endpoint, newest first, each with every attempt',
      tag: 'webhooks',
      params: EndpointParams,
      query: DeliveryQuery,
      success: { status: 200, description: 'Deliveries and their attempts', schema: DeliveryList },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params, query }, ctx) => ({ body: { deliveries: await webhooks.deliveries(ctx, params.id, query.limit ?? 100) } }),
    }),
    route({
      method: 'post',
      path: '/webhooks/:id/deliveries/:deliveryId/redeliver',
      summary: 'Send a delivery again (same body, same webhook-id), at the end of the endpoint’s queue',
      tag: 'webhooks',
      params: DeliveryParams,
      body: EmptyBody,
      success: { status: 202, description: 'The delivery, PENDING again', schema: WebhookDelivery },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Not used: every call queues the delivery again (the receiver gets the same webhook-id, as for any retry)',
      handle: async ({ params }, ctx) => ({ body: await webhooks.redeliver(ctx, params.id, params.deliveryId), status: 202 }),
    }),
  ];
}
