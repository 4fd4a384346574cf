/** A notification (reminder, escalation, endpoint disabled) as the event stream shows it live. */
export interface LiveNotification {
  /** The same id webhooks carry as `webhook-id`. */
  id: string;
  type: string;
  /** Members it is for. */
  recipients: readonly string[];
  timestamp: string;
  data: unknown;
}

/**
 * Notifications to open event streams (GET /events), in this process. Live
 * only: a stream that was not open when one was emitted does not get it
 * (webhooks are the durable path).
 */
export class NotificationHub {
  private readonly listeners = new Set<(n: LiveNotification) => void>();

  publish(n: LiveNotification): void {
    for (const l of this.listeners) l(n);
  }

  subscribe(listener: (n: LiveNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
