import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { ErrorCode } from '../../../chaincode/src/domain/errors';
import type { TokenDirectory } from '../credentials';
import type { CallContext, Written } from '../services/calls';
import { idempotencyKeyOf, principalFrom } from './auth';
import { HTTP_STATUS, RequestValidationError } from './problem';
import { Problem } from './schemas/common';

/*
 * One declaration per route drives both the express handler and its OpenAPI
 * entry, so the document cannot drift from what is enforced. A route file is
 * a list of these; adding a resource is adding a file.
 */

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Input<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

/** What a handler returns: a body, and for writes the transaction behind it. */
export interface Reply {
  body: unknown;
  status?: number;
  txId?: string | undefined;
  replayed?: boolean;
  /** Extra response headers (`Cache-Control: no-store` on an answer carrying a secret). */
  headers?: Record<string, string>;
  /** The same answer as CSV, sent instead of JSON when the request prefers `Accept: text/csv` (reports). */
  csv?: () => string;
}

const isApproval = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { docType?: unknown }).docType === 'approval';

/**
 * A write's reply. When dual control applies the chaincode answers with a
 * PENDING approval instead of the record: that is 202 Accepted (DESIGN.md section 6).
 */
export const written = <T>(w: Written<T>): Reply => ({
  body: w.value,
  txId: w.txId,
  replayed: w.replayed,
  ...(isApproval(w.value) ? { status: 202 } : {}),
});

export interface RouteSpec<P extends Schema | undefined = Schema | undefined, Q extends Schema | undefined = Schema | undefined, B extends Schema | undefined = Schema | undefined> {
  method: 'get' | 'post' | 'delete';
  /** Express syntax (`/vouchers/:id`). */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  success: { status: 200 | 201 | 202; description: string; schema: Schema; csv?: string };
  /** Documents a 202 with this approval schema, for writes under dual control. */
  accepted?: Schema;
  /** Codes this route can answer with besides VALIDATION_FAILED and UNAUTHENTICATED (always possible). */
  errors: ErrorCode[];
  /**
   * What a repeated Idempotency-Key does, for a write the gateway serves
   * itself (not the chaincode's replay, which the header says by default).
   */
  idempotency?: string;
  handle(input: Input<Out<P>, Out<Q>, Out<B>>, ctx: CallContext): Promise<Reply>;
}

/** Helper that keeps the generic parameters inferred from the schemas. */
export function route<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec;
}

/**
 * A field's problem as the schema says it, but a field that is missing says
 * so ("required") instead of zod's "expected number, received undefined".
 */
function fieldMessage(issue: { code: string; message: string; expected?: unknown }): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `required (${String(issue.expected)})`;
  return issue.message;
}

function parsePart(schema: Schema | undefined, value: unknown, where: string, issues: Array<{ path: string; message: string }>): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const i of r.error.issues) issues.push({ path: [where, ...i.path.map(String)].join('.'), message: fieldMessage(i) });
  return undefined;
}

/** Validates params, query and body and returns the PARSED values; handlers never re-parse. */
function validated(spec: RouteSpec, req: Request): Input<unknown, unknown, unknown> {
  const issues: Array<{ path: string; message: string }> = [];
  const input = {
    params: parsePart(spec.params, req.params, 'params', issues),
    // req.query parses the query string on every read: only for routes that take one.
    query: spec.query === undefined ? undefined : parsePart(spec.query, { ...(req.query as object) }, 'query', issues),
    // No body (or an empty one) on a POST means `{}`.
    body: parsePart(spec.body, req.body ?? {}, 'body', issues),
  };
  if (issues.length > 0) throw new RequestValidationError(issues);
  return input;
}

/** A non-empty body must be JSON: anything else is 415, never silently ignored. */
function assertJsonBody(req: Request): void {
  const length = req.get('content-length');
  const nonEmpty = req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
  if (nonEmpty && req.is(['application/json', 'application/*+json']) === false) {
    throw new RequestValidationError([{ path: 'header.Content-Type', message: 'the body must be application/json' }], 415);
  }
}

const parseJson = express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] });

/** body-parser's JSON parser, awaited: sets req.body, or rejects with its (4xx) error. */
function readJsonBody(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => parseJson(req, res, (err?: Error) => (err === undefined ? resolve() : reject(err))));
}

/**
 * Each route is one express handler that takes the request through the same
 * steps, in this order: the bearer token (401 before anything else, so an
 * anonymous caller never learns how its body would parse), a JSON content
 * type (415), the body (400), the Idempotency-Key (400), the schemas (400),
 * then the service. One handler rather than a chain of six middlewares, so
 * the order is read in one place and each request takes one router dispatch
 * instead of six (a gain within the noise of the benchmark, docs/BENCHMARKS.md).
 */
export function mount(router: Router, specs: readonly RouteSpec[], directory: TokenDirectory): void {
  for (const spec of specs) {
    router[spec.method](spec.path, async (req, res) => {
      const principal = principalFrom(directory, req);
      res.locals.principal = principal;
      // A member's data: never kept by a shared cache (a proxy), revalidated by
      // the caller's own (ETag); an answer carrying a secret says no-store.
      res.setHeader('Cache-Control', 'private, no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      assertJsonBody(req);
      await readJsonBody(req, res);
      const ctx: CallContext = { principal, requestId: idempotencyKeyOf(req) };
      const input = validated(spec, req);
      const reply = await spec.handle(input, ctx);
      if (reply.txId !== undefined) res.setHeader('Transaction-Id', reply.txId);
      if (reply.replayed) res.setHeader('Idempotent-Replayed', 'true');
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      if (reply.csv !== undefined) {
        res.vary('Accept');
        if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
          res.status(reply.status ?? spec.success.status).type('text/csv; charset=utf-8').send(reply.csv());
          return;
        }
      }
      if (spec.method === 'get') res.status(reply.status ?? spec.success.status).json(reply.body);
      else sendJson(res, reply.status ?? spec.success.status, reply.body);
    });
  }
}

/**
 * A write's JSON answer, sent as one string. Express's res.json hashes the
 * body for an ETag and then sends it as a Buffer, which Node writes after
 * the headers as a second chunk (a writev): on the transfer benchmark that
 * was a fifth of the gateway thread's CPU per request (docs/BENCHMARKS.md).
 * A write's answer is never cached or revalidated, so it has no ETag; reads
 * keep res.json, their ETag and conditional 304s.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  // As res.json: no body at all when there is nothing to serialise.
  const text = (JSON.stringify(body) as string | undefined) ?? '';
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const IDEMPOTENCY_HEADER = {
  in: 'header' as const,
  name: 'Idempotency-Key',
  required: false,
  description: 'Passed to the chaincode as requestId: a replay returns the first result and writes nothing',
  schema: { type: 'string' as const, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' },
};

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Problem responses of a route, grouped by HTTP status. */
function problemResponses(codes: readonly ErrorCode[]): RouteConfig['responses'] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ['VALIDATION_FAILED', 'UNAUTHENTICATED', ...codes] as ErrorCode[]) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  const out: RouteConfig['responses'] = {};
  for (const [status, list] of byStatus) {
    out[status] = { description: list.join(', '), content: { 'application/problem+json': { schema: Problem } } };
  }
  return out;
}

export function registerOpenApi(registry: OpenAPIRegistry, specs: readonly RouteSpec[]): void {
  for (const spec of specs) {
    const request: NonNullable<RouteConfig['request']> = {};
    if (spec.params) request.params = spec.params as NonNullable<RouteConfig['request']>['params'];
    if (spec.query) request.query = spec.query as NonNullable<RouteConfig['request']>['query'];
    if (spec.body) request.body = { content: { 'application/json': { schema: spec.body } } };
    registry.registerPath({
      method: spec.method,
      path: openApiPath(spec.path),
      summary: spec.summary,
      tags: [spec.tag],
      security: [{ bearer: [] }],
      request,
      ...(spec.method !== 'get' ? { parameters: [spec.idempotency === undefined ? IDEMPOTENCY_HEADER : { ...IDEMPOTENCY_HEADER, description: spec.idempotency }] } : {}),
      responses: {
        [spec.success.status]: {
          description: spec.success.description,
          content: {
            'application/json': { schema: spec.success.schema },
            ...(spec.success.csv === undefined ? {} : { 'text/csv': { schema: { type: 'string', description: spec.success.csv } } }),
          },
        },
        ...(spec.accepted
          ? { 202: { description: 'Dual control: a PENDING approval for a checker', content: { 'application/json': { schema: spec.accepted } } } }
          : {}),
        // A chaincode write answers 409 ALREADY_EXISTS to an Idempotency-Key
        // reused for another request; a route that says what the key does
        // there lists its own codes.
        ...problemResponses(spec.method === 'get' || spec.idempotency !== undefined ? spec.errors : [...spec.errors, 'ALREADY_EXISTS']),
      },
    });
  }
}
