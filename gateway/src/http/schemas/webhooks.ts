import { z } from 'zod';
import { EVENTS } from '../../../../chaincode/src/domain/events';
import { MATURITY_REMINDER, OVERDUE_ESCALATION } from '../../webhooks/reminders';
import { WEBHOOK_ENDPOINT_DISABLED } from '../../webhooks/outbox';
import { urlProblem } from '../../webhooks/address';
import { MemberId, Text } from './common';

/** Every type an endpoint can ask for: the chaincode's events and the gateway's notifications. */
export const WEBHOOK_TYPES = [...Object.values(EVENTS), MATURITY_REMINDER, OVERDUE_ESCALATION, WEBHOOK_ENDPOINT_DISABLED] as const;

export const EndpointId = z.string().regex(/^WHK-[0-9A-F]{16}$/, 'an endpoint id is WHK- and 16 upper-case hex digits').openapi({ example: 'WHK-4F1A9C0B7D2E3F60' });
export const DeliveryId = z.string().regex(/^DLV-[0-9A-F]{20}$/, 'a delivery id is DLV- and 20 upper-case hex digits').openapi({ example: 'DLV-0A1B2C3D4E5F60718293' });

export const EndpointParams = z.strictObject({ id: EndpointId });
export const DeliveryParams = z.strictObject({ id: EndpointId, deliveryId: DeliveryId });

export const RegisterWebhookBody = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(2048)
      // The URL's form, reported with the body's other problems; whether its address may be private depends on the gateway's setting (the service).
      .superRefine((url, ctx) => {
        const problem = urlProblem(url, true);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({
      description:
        'Where to POST (https or http, no credentials, no fragment). Loopback, private and link-local addresses are refused unless the gateway runs with SCF_WEBHOOK_ALLOW_PRIVATE=true',
      example: 'https://erp.example.com/scf/webhooks',
    }),
    eventTypes: z
      .array(z.enum(['*', ...WEBHOOK_TYPES]))
      .min(1)
      .max(64)
      .openapi({ description: 'Event and notification types to deliver; `*` for every one', example: ['VoucherTransferred', 'MaturityReminder', 'OverdueEscalation'] }),
    description: Text(200).optional(),
  })
  .openapi('RegisterWebhook');

const Actor = z.object({ memberId: MemberId, identityId: z.string() });

export const WebhookEndpoint = z
  .object({
    id: EndpointId,
    memberId: MemberId,
    seesAll: z.boolean().openapi({ description: 'The member is an AUDITOR or OPERATOR: every ledger event is delivered (as on GET /events)' }),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().optional(),
    status: z.enum(['ACTIVE', 'DISABLED', 'DELETED']),
    createdAt: z.string(),
    createdBy: Actor,
    consecutiveFailures: z.number().int(),
    nextAttemptAt: z.string().optional().openapi({ description: 'Backing off after a failure: nothing is sent before this time' }),
    pendingDeliveries: z.number().int(),
    lastSuccessAt: z.string().optional(),
    lastFailureAt: z.string().optional(),
    lastError: z.string().optional(),
    disabledAt: z.string().optional(),
    disabledReason: z.string().optional().openapi({ description: 'Why the gateway disabled it (attempts in a row that failed, and the last error; or 410 Gone); gone once it is enabled' }),
    disabledDeliveryId: z.string().optional().openapi({ description: 'While DISABLED: the delivery that failed, sent first again when the endpoint is enabled' }),
    enabledAt: z.string().optional(),
    deletedAt: z.string().optional(),
  })
  .openapi('WebhookEndpoint', { description: 'A webhook endpoint; never its secret' });

export const RegisteredWebhook = z
  .object({
    endpoint: WebhookEndpoint,
    secret: z.string().openapi({ description: 'whsec_… signing secret (Standard Webhooks). Shown this once', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
  })
  .openapi('RegisteredWebhook');

export const WebhookList = z.object({ endpoints: z.array(WebhookEndpoint) }).openapi('WebhookList');

export const DeliveryAttempt = z.object({
  n: z.number().int(),
  startedAt: z.string(),
  durationMs: z.number().int(),
  webhookTimestamp: z.number().int().openapi({ description: 'The webhook-timestamp this attempt was signed with (Unix seconds)' }),
  outcome: z.enum(['SUCCEEDED', 'FAILED']),
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  responseBody: z.string().optional().openapi({ description: "The receiver's answer, first 1 KiB" }),
});

export const WebhookDelivery = z
  .object({
    id: DeliveryId,
    endpointId: EndpointId,
    messageId: z.string().openapi({ description: 'The webhook-id: evt_<txId> for a ledger event, ntf_… for a notification' }),
    type: z.string(),
    status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED']),
    attempts: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastStatusCode: z.number().int().optional(),
    lastError: z.string().optional(),
    succeededAt: z.string().optional(),
    failedAt: z.string().optional(),
    redeliveries: z.number().int(),
    attemptLog: z.array(DeliveryAttempt),
  })
  .openapi('WebhookDelivery');

export const DeliveryList = z.object({ deliveries: z.array(WebhookDelivery) }).openapi('WebhookDeliveryList');

export const DeliveryQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit is a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1000))
    .optional()
    .openapi({ type: 'integer', description: '1-1000, newest first; default 100' }),
});
