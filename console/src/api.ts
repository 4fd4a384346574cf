import { signal } from '@preact/signals';

/*
 * The gateway's REST API from the browser: same origin, the bearer token from
 * sessionStorage (this tab only, never in an address), problem+json answers
 * turned into ApiError.
 */

const TOKEN_KEY = 'scf.token';

export interface Problem {
  type?: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
  /** The transaction the request submitted, when one exists or may (a commit timeout): ask GET /transactions/{txId}. */
  txId?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
  }
}

/** Whether the tab holds a token (the token itself stays in sessionStorage). */
export const signedIn = signal<boolean>(sessionStorage.getItem(TOKEN_KEY) !== null);

/** Why the tab was signed out when the user did not ask (the gateway refused the token), for the sign-in page to say. */
export const signedOutBecause = signal<ApiError | undefined>(undefined);

export function signIn(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  signedOutBecause.value = undefined;
  signedIn.value = true;
}

/** `reason`: the refusal that ended the session; none when the user signed out. */
export function signOut(reason?: ApiError): void {
  sessionStorage.removeItem(TOKEN_KEY);
  signedOutBecause.value = reason;
  signedIn.value = false;
}

const authHeaders = (): Record<string, string> => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
};

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.code === 'string')
      return {
        title: body.title ?? res.statusText,
        status: res.status,
        code: body.code,
        detail: body.detail ?? '',
        ...(body.errors ? { errors: body.errors } : {}),
        ...(typeof body.txId === 'string' && body.txId ? { txId: body.txId } : {}),
      };
  } catch {
    // not JSON: below
  }
  return { title: res.statusText, status: res.status, code: res.status >= 500 ? 'INTERNAL' : 'HTTP', detail: text.slice(0, 200) };
}

/**
 * A fresh Idempotency-Key for one user intent (a form submission, a row
 * action). The same key sent again makes the gateway answer the first result
 * instead of writing twice (docs/API.md, Idempotency). From getRandomValues,
 * which, unlike randomUUID, a page served over plain http also has.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** `key`, when given, is sent as Idempotency-Key: a write retried with it acts once. */
export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, key?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json',
        ...authHeaders(),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(key ? { 'Idempotency-Key': key } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError({ title: 'Network', status: 0, code: 'NETWORK', detail: '' });
  }
  if (!res.ok) {
    const error = new ApiError(await problemOf(res));
    if (error.problem.code === 'UNAUTHENTICATED') signOut(error);
    throw error;
  }
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}, key?: string) => api<T>('POST', path, body, key);

/** A page of a list: an empty bookmark means the last page. */
export interface Page<T> {
  records: T[];
  bookmark: string;
}

/** `?a=1&b=2` from the defined values. */
export const query = (params: Record<string, string | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

export interface LedgerEvent {
  id: string;
  event: string;
  data: unknown;
}

/**
 * GET /events as a stream read with fetch: EventSource cannot send the
 * Authorization header, and the gateway takes the token only there. Parses
 * Server-Sent Events frames until `signal` aborts.
 */
export async function streamEvents(onEvent: (e: LedgerEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch('/events', { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal, cache: 'no-store' });
  if (!res.ok || !res.body) throw new ApiError(await problemOf(res));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id = '';
        let event = 'message';
        const data: string[] = [];
        for (const line of frame.split('\n')) {
          if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0) continue; // a comment (heartbeat)
        let parsed: unknown = data.join('\n');
        try {
          parsed = JSON.parse(parsed as string);
        } catch {
          // kept as text
        }
        onEvent({ id, event, data: parsed });
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
}
