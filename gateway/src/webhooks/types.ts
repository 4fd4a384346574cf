/*
 * Webhooks (issue 17, DESIGN.md section 8): what the gateway keeps in its
 * data folder to deliver ledger events and notifications to members'
 * endpoints, signed per Standard Webhooks.
 */

/** ACTIVE endpoints are delivered to; a DISABLED one holds its queue until it is enabled again; DELETED is final. */
export type EndpointStatus = 'ACTIVE' | 'DISABLED' | 'DELETED';

export interface EndpointActor {
  memberId: string;
  identityId: string;
}

export interface Endpoint {
  /** `WHK-` and 16 upper-case hex digits. */
  id: string;
  memberId: string;
  /** The member was an AUDITOR or OPERATOR when it registered: it sees every ledger event (as on GET /events). */
  seesAll: boolean;
  url: string;
  /** Event and notification types delivered; `*` for all. */
  eventTypes: string[];
  description?: string;
  /** `whsec_` and base64: signs every message (shown once, at registration). */
  secret: string;
  status: EndpointStatus;
  createdAt: string;
  /**
   * The ledger's height when the endpoint was registered: events in the
   * blocks before it were committed before the endpoint existed and are not
   * sent to it, even when the outbox's feed reads them later (a gateway
   * catching up with the chain). Absent on endpoints registered before it
   * was kept, which take every event the feed reads.
   */
  fromBlock?: number;
  createdBy: EndpointActor;
  /** The Idempotency-Key it was registered under, if any. */
  requestId?: string;
  /** Failed attempts in a row (reset by any success); at the configured maximum the endpoint is disabled. */
  consecutiveFailures: number;
  /** Epoch ms before which nothing is sent to it (backoff after a failure). */
  nextAttemptAt: number;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  lastError?: string;
  /** While DISABLED: when and why, and the delivery that failed (enable sends it first again). */
  disabledAt?: string;
  disabledReason?: string;
  disabledDeliveryId?: string;
  enabledAt?: string;
  deletedAt?: string;
}

/** One message: the same bytes, id and type to every endpoint it goes to. */
export interface Message {
  /** The `webhook-id`: `evt_<txId>` for a ledger event, `ntf_…` for a notification; stable across retries, restarts and gateways. */
  id: string;
  type: string;
  /** The exact JSON body sent and signed. */
  body: string;
  createdAt: string;
}

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** A message to one endpoint. */
export interface Delivery {
  /** `DLV-` and 20 upper-case hex digits, derived from the endpoint and the message. */
  id: string;
  endpointId: string;
  messageId: string;
  type: string;
  status: DeliveryStatus;
  /** Position in the endpoint's queue (deliveries go out in this order). */
  seq: number;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  lastStatusCode?: number;
  lastError?: string;
  succeededAt?: string;
  failedAt?: string;
  /** How many times it was queued again by POST …/redeliver. */
  redeliveries: number;
}

/** One HTTP attempt of a delivery. */
export interface Attempt {
  deliveryId: string;
  /** 1, 2, ... over the delivery's life (redeliveries continue the count). */
  n: number;
  startedAt: string;
  durationMs: number;
  /** The `webhook-timestamp` sent (Unix seconds): each attempt is signed afresh, the id stays. */
  webhookTimestamp: number;
  outcome: 'SUCCEEDED' | 'FAILED';
  statusCode?: number;
  /** Why it failed when there was no 2xx (connection refused, timeout, address not allowed, HTTP status). */
  error?: string;
  /** The receiver's answer, first 1 KiB. */
  responseBody?: string;
}

/** A reminder or escalation that was emitted (kept so that it is emitted once). */
export interface FiredNotification {
  id: string;
  type: string;
  assetType: string;
  assetId: string;
  milestone: string;
  dueDate: string;
  firedAt: string;
  /** The ledger's date when it fired. */
  ledgerDate: string;
  /** Recorded, not sent: a reminder whose day had passed, or one whose every recipient was told for the piece it came from. */
  skipped?: boolean;
  /** Who it was sent to (absent in records from before they were kept). */
  recipients?: string[];
}
