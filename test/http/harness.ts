import '../../gateway/src/chaincode-logs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import supertest from 'supertest';
import { demoMember } from '../../gateway/src/demo/plan';
import { createApp } from '../../gateway/src/http/app';
import { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger';
import { FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger';
import { type LedgerRuntime, openEmbeddedRuntime, openFabricRuntime } from '../../gateway/src/runtime';
import { fingerprint, type InvoiceDoc } from '../../chaincode/src/domain/canonical';
import { createServices } from '../../gateway/src/services';
import { type Notifications, openNotifications, readerIdentity, type WebhookSettings } from '../../gateway/src/webhooks';
import { worldStateDump } from '../support/ledger-dump';
import { makeEmulatedFabricLedger } from './fabric-emulated-ledger';

/**
 * The HTTP suite runs against a real ledger: the embedded connector in a
 * fresh data folder by default, or the Fabric connector when
 * SCF_TEST_LEDGER=fabric and SCF_FABRIC_PROFILE point at a running network,
 * or the Fabric connector against the Gateway-protocol emulator (a fresh one
 * per gateway) when SCF_TEST_LEDGER=fabric-emulated, or the embedded
 * connector on a thread of its own (ThreadedLedger, what npm start runs) when
 * SCF_TEST_LEDGER=embedded-thread. Only the embedded ledger on the test's own
 * thread can be dumped: the other's world state lives in its worker.
 */
export interface LedgerHarness {
  runtime: LedgerRuntime;
  /** Blocks on the ledger: unchanged height proves a request wrote nothing. */
  height(): Promise<number>;
  /**
   * What the ledger keeps, as text (blocks, state and history values,
   * events), for tests proving something was never written; absent on a
   * real network, whose blocks and state this harness cannot read whole.
   */
  dump?(): Promise<string[]>;
  close(): Promise<void>;
}

export async function makeLedger(): Promise<LedgerHarness> {
  if (process.env.SCF_TEST_LEDGER === 'fabric-emulated') return makeEmulatedFabricLedger();
  if (process.env.SCF_TEST_LEDGER === 'fabric') {
    const runtime = await openFabricRuntime({ fabricProfile: process.env.SCF_FABRIC_PROFILE, demo: true });
    const ledger = runtime.ledger as FabricLedger;
    return { runtime, height: () => ledger.height(), close: () => ledger.close() };
  }
  return makeEmbeddedLedger({ ledgerThread: process.env.SCF_TEST_LEDGER === 'embedded-thread' ? 'worker' : 'main' });
}

/**
 * The embedded ledger in a fresh data folder, on the test's thread or on its
 * own. Only the one on the test's thread can be dumped: the other's world
 * state lives in its worker.
 */
export async function makeEmbeddedLedger(options: { ledgerThread: 'worker' | 'main'; sandboxClock?: boolean }): Promise<LedgerHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'scf-http-'));
  const config = { dataDir, batchTimeoutMs: 2, batchMaxTx: 100, submitDeadlineMs: 15_000, demo: true, ...options };
  const runtime = await openEmbeddedRuntime(config, undefined, (err) => {
    throw new Error(`the ledger thread of an HTTP test stopped: ${err.message}`);
  });
  const ledger = runtime.ledger;
  return {
    runtime,
    height: () => ledger.height(),
    ...(ledger instanceof EmbeddedLedger ? { dump: () => worldStateDump(ledger.world) } : {}),
    close: async () => {
      await ledger.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type Label =
  | 'operator-admin'
  | 'auditor'
  | 'supplier1'
  | 'supplier2'
  | 'supplier3'
  | 'warehouse'
  | 'core-maker'
  | 'core-checker'
  | 'bank-maker'
  | 'bank-checker';

export interface TestGateway {
  app: Express;
  ledger: LedgerHarness;
  shutdown: AbortController;
  http: ReturnType<typeof supertest>;
  /** The gateway's webhook outbox and reminders (tests trigger a reminder scan with it). */
  notifications: Notifications;
  /** `Authorization` header value of a demo identity. */
  auth(label: Label): string;
  /** Listens on port 0 (for SSE); closed by close(). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Webhooks in HTTP tests: loopback receivers, quick retries, an endpoint disabled after 3 failures in a row. */
export const TEST_WEBHOOKS: WebhookSettings = { allowPrivate: true, maxAttempts: 3, retryScheduleMs: [50, 100, 200], timeoutMs: 2000 };

export async function startGateway(): Promise<TestGateway> {
  const ledger = await makeLedger();
  const shutdown = new AbortController();
  // The webhook outbox and reminders, in a folder of their own (every ledger kind).
  const notificationsDir = await mkdtemp(join(tmpdir(), 'scf-webhooks-'));
  const notifications = await openNotifications(ledger.runtime.ledger, {
    dataDir: notificationsDir,
    webhooks: TEST_WEBHOOKS,
    reminders: { intervalMs: 60_000, reader: readerIdentity(ledger.runtime.identities, undefined) },
    tickMs: 20,
  });
  const app = createApp({
    services: createServices(ledger.runtime.ledger, { credentials: ledger.runtime.credentials, notifications }),
    directory: ledger.runtime.directory,
    ledgerKind: ledger.runtime.kind,
    shutdown: shutdown.signal,
    sseHeartbeatMs: 200,
  });
  let server: Server | undefined;
  return {
    app,
    ledger,
    shutdown,
    http: supertest(app),
    notifications,
    auth(label) {
      const token = ledger.runtime.tokens.get(label);
      if (!token) throw new Error(`no token for ${label}`);
      return `Bearer ${token}`;
    },
    async listen() {
      server ??= await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      shutdown.abort();
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server?.close(resolve));
      }
      await notifications.close();
      await ledger.close();
      await rm(notificationsDir, { recursive: true, force: true });
    },
  };
}

export const member = (key: string): string => demoMember(key).id;

export const OPERATOR = () => member('operator');
export const SUPPLIER1 = () => member('supplier1');
export const SUPPLIER2 = () => member('supplier2');
export const SUPPLIER3 = () => member('supplier3');
export const CORE = () => member('core');
export const BANK = () => member('bank');

/**
 * The canonical fields of a fresh invoice (so each test claims its own), as
 * POST /receivables takes them; the ledger computes its fingerprint. Billed
 * for more than any receivable a test registers on it (a receivable is at
 * most its invoices' total).
 */
export const freshInvoice = (overrides: Partial<InvoiceDoc> = {}): InvoiceDoc => ({
  kind: 'INVOICE',
  sellerTaxId: SUPPLIER1(),
  invoiceCode: '',
  invoiceNumber: `T${randomBytes(10).toString('hex').toUpperCase()}`,
  amount: '1000000000000',
  issueDate: '2026-01-02',
  ...overrides,
});

/** The fingerprint the ledger computes for an invoice's fields. */
export const fingerprintOf = (doc: InvoiceDoc): string => fingerprint(doc).fingerprint;

export const uniqueKey = (prefix = 'k'): string => `${prefix}-${randomBytes(8).toString('hex')}`;

/** A POST /warehouse-receipts body: a lot of steel coil owned by supplier1, on a fresh lot id unless patched. */
export const receiptBody = (patch: object = {}): Record<string, unknown> => ({
  owner: SUPPLIER1(),
  commodity: 'hot-rolled steel coil',
  grade: 'Q235B',
  quantity: 500,
  unit: 't',
  location: 'Qingdao Qianwan bonded zone, shed 7',
  lotId: `QD-${uniqueKey('lot')}`,
  valuation: '200000000',
  ...patch,
});

/** UTC dates relative to today, as the chaincode sees "today" (the tx timestamp's UTC date). */
export function isoDate(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function expectProblem(res: supertest.Response, status: number, code: string): void {
  if (res.status !== status || res.body?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${res.headers['content-type']}`);
  }
}

/** A PENDING receivable of supplier1 (creditor) on the core enterprise (debtor), with a fresh invoice. */
export async function pendingReceivable(
  gw: TestGateway,
  amount = '1000000',
): Promise<{ id: string; fingerprint: string; invoice: InvoiceDoc; body: Record<string, unknown> }> {
  const invoice = freshInvoice({ amount });
  const res = await gw.http
    .post('/receivables')
    .set('Authorization', gw.auth('supplier1'))
    .send({ debtor: CORE(), amount, dueDate: isoDate(120), documents: [invoice] });
  if (res.status !== 201) throw new Error(`receivable setup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, fingerprint: fingerprintOf(invoice), invoice, body: res.body };
}

export async function confirmedReceivable(gw: TestGateway, amount = '1000000'): Promise<string> {
  const { id } = await pendingReceivable(gw, amount);
  const res = await gw.http.post(`/receivables/${id}/confirm`).set('Authorization', gw.auth('core-maker')).send({});
  // At or above the core enterprise's dual-control threshold the maker's
  // confirmation is an approval, which its checker executes.
  const done =
    res.status === 202 ? await gw.http.post(`/approvals/${res.body.id}/approve`).set('Authorization', gw.auth('core-checker')).send({}) : res;
  if (done.status !== 200) throw new Error(`confirm setup failed: ${done.status} ${JSON.stringify(done.body)}`);
  return id;
}

/** A root voucher held by supplier1, issued by the core enterprise. */
export async function issuedVoucher(gw: TestGateway, amount = '1000000', maturityDate = isoDate(90)): Promise<Record<string, unknown> & { id: string }> {
  const receivableId = await confirmedReceivable(gw, amount);
  const res = await gw.http.post('/vouchers').set('Authorization', gw.auth('core-maker')).send({ receivableId, amount, maturityDate });
  if (res.status !== 201) throw new Error(`issue setup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Pages through a list to the end, `pageSize` at a time, calling `between`
 * after every page but the last (to change the ledger mid-walk); answers how
 * many times the walk met each id.
 */
export async function walkList(
  gw: TestGateway,
  path: string,
  query: Record<string, string>,
  label: Label,
  between: (met: ReadonlyMap<string, number>) => Promise<void>,
): Promise<Map<string, number>> {
  const met = new Map<string, number>();
  let bookmark = '';
  for (let pages = 0; pages < 1000; pages++) {
    const page = await gw.http.get(path).query({ ...query, bookmark }).set('Authorization', gw.auth(label));
    if (page.status !== 200) throw new Error(`page ${pages + 1} of ${path}: ${page.status} ${JSON.stringify(page.body)}`);
    for (const r of page.body.records as Array<{ id: string }>) met.set(r.id, (met.get(r.id) ?? 0) + 1);
    bookmark = page.body.bookmark as string;
    if (!bookmark) return met;
    await between(met);
  }
  throw new Error(`${path} did not end in 1000 pages`);
}

/**
 * Walks one party's list of `assets` (with others of the party's) in pages of
 * one while financing requests on them come and go: the first two are
 * requested before the walk; between pages the request on the first asset
 * not met yet is rejected by the bank (its status goes back), and the first
 * asset met without a request gets one from supplier1 (its status moves on).
 * Answers how many times the walk met each asset, and how many of each move
 * it made.
 */
export async function walkWhileFinancingsMove(
  gw: TestGateway,
  list: { path: string; query: Record<string, string> },
  asset: (id: string) => Record<string, unknown>,
  assets: readonly string[],
): Promise<{ met: number[]; requested: number; rejected: number }> {
  const pending = new Map<string, string | undefined>(assets.map((id) => [id, undefined]));
  const request = async (id: string) => {
    const res = await gw.http.post('/financings').set('Authorization', gw.auth('supplier1')).send({ ...asset(id), bank: BANK() });
    if (res.status !== 201) throw new Error(`financing request: ${res.status} ${JSON.stringify(res.body)}`);
    pending.set(id, res.body.id as string);
  };
  const reject = async (id: string) => {
    const res = await gw.http.post(`/financings/${pending.get(id)}/reject`).set('Authorization', gw.auth('bank-maker')).send({ reason: 'not this week' });
    if (res.status !== 200) throw new Error(`reject: ${res.status} ${JSON.stringify(res.body)}`);
    pending.set(id, undefined);
  };
  for (const id of assets.slice(0, 2)) await request(id);
  let requested = 0;
  let rejected = 0;
  const met = await walkList(gw, list.path, { ...list.query, pageSize: '1' }, 'supplier1', async (met) => {
    const ahead = [...pending].find(([id, fin]) => fin && !met.has(id));
    if (ahead) {
      await reject(ahead[0]);
      rejected += 1;
    }
    const behind = [...pending].find(([id, fin]) => !fin && met.has(id));
    if (behind) {
      await request(behind[0]);
      requested += 1;
    }
  });
  return { met: assets.map((id) => met.get(id) ?? 0), requested, rejected };
}
