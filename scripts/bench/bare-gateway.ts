import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { type Ledger, LedgerError, type LedgerIdentity } from '../../gateway/src/ledger/ledger';
import { type LoopbackServer, serveOnLoopback } from './loopback';

/**
 * The least a REST gateway can do for a transfer, as the bench's ceiling
 * for ours: `node:http` with nothing on top. It answers one route,
 * `POST /vouchers/:id/transfer`, for one identity fixed at start: no bearer
 * token, no router, no content negotiation, no schema, no access log. It
 * reads the body, makes the same ledger call as the gateway's voucher
 * service and answers the chaincode's result as JSON with the
 * Transaction-Id header, as the gateway does.
 *
 * Driven by the same REST load client as the gateway, its throughput ÷ the
 * direct connector's is what any HTTP gateway on this machine can reach at
 * best (the cost of one HTTP exchange per transfer: the client's request and
 * parsing, the socket, the server's parsing and answer); the gateway's ÷ its
 * throughput is what our own HTTP code costs on top (docs/BENCHMARKS.md).
 * Benchmark apparatus only: never part of the product.
 */

const TRANSFER = /^\/vouchers\/([^/]+)\/transfer$/;

function answer(res: ServerResponse, status: number, body: unknown, txId?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  if (txId !== undefined) headers['transaction-id'] = txId;
  res.writeHead(status, headers);
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function transfer(ledger: Ledger, who: LedgerIdentity, req: IncomingMessage, res: ServerResponse, deadlineMs: number): Promise<void> {
  const match = req.method === 'POST' ? TRANSFER.exec(req.url ?? '') : null;
  const text = await readBody(req);
  if (!match) return answer(res, 404, { code: 'NOT_FOUND' });
  let body: { to?: unknown; amount?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return answer(res, 400, { code: 'VALIDATION_FAILED' });
  }
  try {
    const r = await ledger.submit(who, 'voucher:Transfer', { id: decodeURIComponent(match[1] as string), to: body.to, amount: body.amount }, { deadlineMs });
    answer(res, 200, r.result, r.txId);
  } catch (err) {
    if (err instanceof LedgerError) answer(res, 409, { code: err.code });
    else answer(res, 500, { code: 'INTERNAL' });
  }
}

/**
 * Listens on 127.0.0.1 (port 0) and submits every transfer as `who`. With
 * `inExpress` the same handler is the one middleware of an otherwise empty
 * express app: the difference is what express itself costs per request,
 * before any route, token or schema of ours.
 */
export function serveBare(ledger: Ledger, who: LedgerIdentity, options: { deadlineMs?: number; inExpress?: boolean } = {}): Promise<LoopbackServer> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    transfer(ledger, who, req, res, options.deadlineMs ?? 120_000).catch(() => {
      if (!res.headersSent) answer(res, 500, { code: 'INTERNAL' });
    });
  };
  return serveOnLoopback(options.inExpress ? express().use(handle) : handle);
}

/**
 * A ledger that answers every submit at once with the same recorded result:
 * with it under both the gateway and the bare handler, a phase measures the
 * HTTP code alone (no endorsement, no block, no commit). Only `submit` is
 * served; anything else is a bench bug and says so.
 */
export function answeringLedger(result: unknown): Ledger {
  let n = 0;
  const unserved = (what: string) => () => {
    throw new Error(`the answering ledger serves submit only, not ${what}`);
  };
  return {
    submit: () => Promise.resolve({ txId: (n++).toString(16).padStart(64, '0'), blockNumber: 0, result }),
    evaluate: unserved('evaluate'),
    transactionStatus: unserved('transactionStatus'),
    events: unserved('events'),
    checkCursor: unserved('checkCursor'),
    height: unserved('height'),
    ready: unserved('ready'),
    close: async () => {},
  };
}
