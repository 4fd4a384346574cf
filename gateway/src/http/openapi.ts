import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { registerOpenApi, type RouteSpec } from './route';
import { Problem } from './schemas/common';
import { ClockState } from './schemas/sandbox';

/** OpenAPI 3.1, generated from the same route declarations and zod schemas the gateway enforces. */
export function openApiDocument(specs: readonly RouteSpec[]): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  registerOpenApi(registry, specs);
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Liveness',
    tags: ['ledger'],
    responses: { 200: { description: 'Up', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), ledger: z.string() }) } } } },
  });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    summary: 'Readiness: the ledger can be read (embedded store, or a peer answering qscc)',
    tags: ['ledger'],
    responses: {
      200: {
        description: 'Ready',
        content: {
          'application/json': {
            schema: z.object({ status: z.literal('ready'), ledger: z.string(), height: z.number().int(), sandboxClock: ClockState }),
          },
        },
      },
      503: { description: 'LEDGER_UNAVAILABLE', content: { 'application/problem+json': { schema: Problem } } },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/events',
    summary: 'Committed chaincode events as Server-Sent Events; resumes after Last-Event-ID',
    tags: ['ledger'],
    security: [{ bearer: [] }],
    request: {
      headers: z.object({ 'Last-Event-ID': z.string().optional() }),
      query: z.object({ lastEventId: z.string().optional() }),
    },
    responses: {
      200: { description: 'text/event-stream; each event: id = cursor, event = name, data = {txId, blockNumber, txIndex, name, payload}', content: { 'text/event-stream': { schema: z.string() } } },
      400: { description: 'VALIDATION_FAILED (malformed cursor)', content: { 'application/problem+json': { schema: Problem } } },
      401: { description: 'UNAUTHENTICATED', content: { 'application/problem+json': { schema: Problem } } },
      404: { description: 'NOT_FOUND (the cursor is not on this ledger: another chain or data folder)', content: { 'application/problem+json': { schema: Problem } } },
    },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'SCF Ledger gateway',
      version: '0.1.0',
      description: 'Supply-chain finance ledger: members, receivables, credit vouchers, financing, warehouse receipts, dual-control approvals, judicial freezes, fingerprints. Errors are RFC 9457 problem+json.',
    },
  });
}
