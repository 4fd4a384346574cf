import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { guardedLookup, urlProblem } from './address';

/** What one POST to an endpoint came to. */
export interface SendResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
  responseBody?: string;
  /** Seconds the receiver asked to wait (Retry-After), when it did. */
  retryAfterS?: number;
  /** 410 Gone: the receiver says the endpoint is no more. */
  gone: boolean;
  durationMs: number;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks headers for `body` (signed as is: the bytes signed are
 * the bytes sent), with the `standardwebhooks` library: HMAC-SHA256 over
 * `${id}.${timestamp}.${body}` with the endpoint's whsec_ secret.
 */
export function signedHeaders(secret: string, id: string, at: Date, body: string): SignedHeaders {
  const signature = new Webhook(secret).sign(id, at, body);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

const RESPONSE_LIMIT = 1024;

/** Seconds a Retry-After header asks to wait: delay-seconds, or an HTTP date (RFC 9110 10.2.3); undefined when absent, past or unreadable. */
export function retryAfterSeconds(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds > 0 ? seconds : undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) && at > now ? Math.ceil((at - now) / 1000) : undefined;
}

/** One POST: no redirect is followed (a 3xx is a failure), only 2xx succeeds. */
export function send(url: string, headers: SignedHeaders, body: string, options: { timeoutMs: number; allowPrivate: boolean }): Promise<SendResult> {
  const started = Date.now();
  // Checked again now: the gateway may no longer allow what it allowed at registration.
  const problem = urlProblem(url, options.allowPrivate);
  if (problem !== undefined) return Promise.resolve({ ok: false, gone: false, error: `not sent: ${problem}`, durationMs: 0 });
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'durationMs' | 'gone'> & { gone?: boolean }) => {
      if (settled) return;
      settled = true;
      resolve({ gone: false, ...r, durationMs: Date.now() - started });
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'scf-ledger-webhooks/1',
        },
        lookup: guardedLookup(options.allowPrivate),
        timeout: options.timeoutMs,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < RESPONSE_LIMIT) text += chunk;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const retryAfter = retryAfterSeconds(res.headers['retry-after'], Date.now());
          done({
            ok: status >= 200 && status < 300,
            statusCode: status,
            responseBody: text.slice(0, RESPONSE_LIMIT),
            gone: status === 410,
            ...(status >= 200 && status < 300 ? {} : { error: `HTTP ${status}` }),
            ...(retryAfter === undefined ? {} : { retryAfterS: retryAfter }),
          });
        });
        res.on('error', (err) => done({ ok: false, statusCode: res.statusCode, error: err.message }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ? `${err.code}: ${err.message}` : err.message }));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
