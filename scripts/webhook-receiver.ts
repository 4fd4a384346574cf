import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/*
 * A local webhook receiver for the walkthrough (docs/API.md, "Webhooks"):
 *
 *   WEBHOOK_SECRET=whsec_… PORT=4000 node -r ts-node/register/transpile-only scripts/webhook-receiver.ts
 *
 * It verifies each POST with the Standard Webhooks reference library
 * (HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` as
 * received, five minutes' tolerance), answers 401 to anything that does not
 * verify, and 200 to the rest, printing one line each. It de-duplicates on
 * webhook-id (in memory): a retry or a redelivery carries the same id, so
 * it is acknowledged and printed as a repeat, not processed twice.
 */

const secret = process.env.WEBHOOK_SECRET;
if (!secret?.startsWith('whsec_')) {
  process.stderr.write('set WEBHOOK_SECRET to the whsec_… secret POST /webhooks answered\n');
  process.exit(2);
}
const webhook = new Webhook(secret);
const seen = new Set<string>();
const port = Number(process.env.PORT ?? 4000);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    try {
      const message = webhook.verify(body, headers) as { type: string; data: unknown };
      const repeat = seen.has(headers['webhook-id']);
      seen.add(headers['webhook-id']);
      process.stdout.write(`${repeat ? 'repeat ' : 'verified'} ${headers['webhook-id']} ${message.type} ${JSON.stringify(message.data).slice(0, 160)}\n`);
      res.writeHead(200).end();
    } catch (err) {
      process.stdout.write(`REFUSED  ${headers['webhook-id'] || '(no id)'}: ${err instanceof WebhookVerificationError ? err.message : String(err)}\n`);
      res.writeHead(401).end();
    }
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${port}/hooks\n`));
process.on('SIGINT', () => server.close(() => process.exit(0)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
