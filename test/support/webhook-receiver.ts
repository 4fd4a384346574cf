import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/*
 * A webhook receiver on 127.0.0.1 for tests: it keeps every request, checks
 * its Standard Webhooks signature with the endpoint's secret (the reference
 * library), and answers as `respond` says (200 by default; `hang` keeps the
 * request open, as a receiver that is slow or mid-crash).
 */

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The parsed body: { type, timestamp, data }. */
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Whether the signature verified with the secret known when it arrived. */
  verified: boolean;
  at: number;
}

export type Answer = number | 'hang';

export class WebhookReceiver {
  readonly received: Received[] = [];
  secret: string | undefined;
  respond: (r: Received, n: number) => Answer = () => 200;
  private readonly hanging = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/hooks'): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((req, res) => holder.receiver?.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    holder.receiver = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return holder.receiver;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verified = false;
      try {
        if (this.secret !== undefined) {
          new Webhook(this.secret).verify(body, headers);
          verified = true;
        }
      } catch {
        verified = false;
      }
      let json: Received['json'];
      try {
        json = JSON.parse(body) as Received['json'];
      } catch {
        json = { type: '', timestamp: '', data: {} };
      }
      const r: Received = { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, json, verified, at: Date.now() };
      this.received.push(r);
      const answer = this.respond(r, this.received.length);
      for (const w of this.waiters.splice(0)) w();
      if (answer === 'hang') {
        this.hanging.add(res);
        return;
      }
      res.statusCode = answer;
      res.end(answer >= 200 && answer < 300 ? 'ok' : 'not now');
    });
  }

  /** Answers every request kept open by `hang` with `status`. */
  answerHanging(status: number): void {
    for (const res of this.hanging) {
      res.statusCode = status;
      res.end('late');
    }
    this.hanging.clear();
  }

  /** Ids of the requests answered 2xx... as far as the receiver knows: every id received. */
  ids(): Set<string> {
    return new Set(this.received.map((r) => r.id));
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.json.type === type);
  }

  /** Resolves once `ready()` holds, re-checked on every request; rejects after `timeoutMs` saying `what`. */
  async until(ready: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`webhook receiver: timed out waiting for ${what} (received ${this.received.length}: ${this.received.map((r) => r.json.type).join(', ')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** An open GET /events stream whose text is kept as it arrives. */
export interface SseCapture {
  text(): string;
  /** Resolves once `ready(text)` holds, re-checked as each chunk arrives; rejects after `timeoutMs` saying `what`. */
  until(ready: (text: string) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function captureSse(url: string, authorization: string): Promise<SseCapture> {
  const res = await fetch(url, { headers: { Authorization: authorization } });
  if (res.status !== 200 || !res.body) throw new Error(`event stream: ${res.status}`);
  const reader = res.body.getReader();
  let text = '';
  let waiters: Array<() => void> = [];
  const reading = (async () => {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      text += Buffer.from(chunk.value).toString('utf8');
      for (const w of waiters.splice(0)) w();
    }
  })().catch(() => undefined);
  return {
    text: () => text,
    async until(ready, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!ready(text)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`event stream: timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      waiters = [];
    },
    async close() {
      await reader.cancel().catch(() => undefined);
      await reading;
    },
  };
}
