import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { demoSignIns } from '../../gateway/src/demo/sign-in';
import { createApp } from '../../gateway/src/http/app';
import { createServices } from '../../gateway/src/services';
import { openNotifications, readerIdentity, type Notifications } from '../../gateway/src/webhooks';
import { buildConsole } from '../../scripts/build-console';
import { makeLedger, TEST_WEBHOOKS, type Label, type LedgerHarness } from '../http/harness';
import { SignInPage } from './pages';

/**
 * Debian's chromium, headless, driven by playwright-core (whose own browser
 * downloads are not used). CHROMIUM_PATH overrides; absent, the tests fail
 * with the reason: .ci/run installs it with apt.
 */
export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // next name
    }
  }
  throw new Error('chromium is not installed: the console tests need a real browser (apt-get install -y chromium; .ci/run installs it), or set CHROMIUM_PATH');
}

export const ARTIFACTS = join(__dirname, '..', '..', '.scf', 'artifacts', 'console');

/** The gateway with the console on port 0 over a fresh embedded ledger with the demo members, and one browser. */
export interface ConsoleRig {
  base: string;
  ledger: LedgerHarness;
  /** The gateway's webhook outbox, reminders and live notifications: only when the rig was started with them. */
  notifications: Notifications | undefined;
  browser: Browser;
  /** A new tab, in its own context (its own sessionStorage), on the sign-in page. */
  open(): Promise<{ context: BrowserContext; page: Page }>;
  /** Content-Security-Policy violations any page reported. */
  violations: string[];
  /** A new tab signed in as the demo identity `label`, once its views are shown. */
  signIn(label: string): Promise<Page>;
  /** A call to the API as a demo identity, outside the browser (to make a test's data); throws on a refusal. */
  call<T = any>(label: Label, method: string, path: string, body?: unknown): Promise<T>;
  /** The core enterprise confirms a receivable: its maker, and its checker at or above the dual-control threshold. */
  confirm(receivableId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `notifications`: the gateway runs the webhook outbox and reminders (as the
 * HTTP tests do: loopback receivers, quick retries), and its event streams
 * carry live notifications.
 */
export async function startConsoleRig(options: { notifications?: boolean } = {}): Promise<ConsoleRig> {
  const executablePath = chromiumPath();
  const webDir = await mkdtemp(join(tmpdir(), 'scf-console-web-'));
  await buildConsole(webDir);
  const ledger = await makeLedger();
  const notificationsDir = options.notifications ? await mkdtemp(join(tmpdir(), 'scf-console-webhooks-')) : undefined;
  const notifications = notificationsDir
    ? await openNotifications(ledger.runtime.ledger, {
        dataDir: notificationsDir,
        webhooks: TEST_WEBHOOKS,
        reminders: { intervalMs: 60_000, reader: readerIdentity(ledger.runtime.identities, undefined) },
        tickMs: 20,
      })
    : undefined;
  const closeNotifications = async () => {
    await notifications?.close();
    if (notificationsDir) await rm(notificationsDir, { recursive: true, force: true });
  };
  const shutdown = new AbortController();
  const app = createApp({
    services: createServices(ledger.runtime.ledger, { credentials: ledger.runtime.credentials, notifications }),
    directory: ledger.runtime.directory,
    ledgerKind: ledger.runtime.kind,
    shutdown: shutdown.signal,
    sseHeartbeatMs: 500,
    console: { webDir, demoIdentities: demoSignIns(ledger.runtime) },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  } catch (err) {
    server.closeAllConnections();
    server.close();
    await closeNotifications();
    await ledger.close();
    throw err;
  }
  const contexts: BrowserContext[] = [];
  const violations: string[] = [];
  const rig: ConsoleRig = {
    base,
    ledger,
    notifications,
    browser,
    violations,
    async open() {
      const context = await browser.newContext({ baseURL: base, viewport: { width: 1360, height: 900 }, locale: 'en-US' });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (/Content.Security.Policy/i.test(msg.text())) violations.push(`${page.url()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => violations.push(`${page.url()}: page error ${err.message}`));
      await page.goto('/');
      return { context, page };
    },
    async signIn(label: string): Promise<Page> {
      const { page } = await rig.open();
      await new SignInPage(page).asDemoIdentity(label);
      return page;
    },
    async call<T>(label: Label, method: string, path: string, body?: unknown): Promise<T> {
      const token = ledger.runtime.tokens.get(label) ?? '';
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async confirm(receivableId: string) {
      const answer = await rig.call<{ id: string; docType: string }>('core-maker', 'POST', `/receivables/${receivableId}/confirm`, {});
      if (answer.docType === 'approval') await rig.call('core-checker', 'POST', `/approvals/${answer.id}/approve`, {});
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      shutdown.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeNotifications();
      await ledger.close();
      await rm(webDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** Fails, listing them, when a page reported a Content-Security-Policy violation or a script error. */
export function expectNoViolations(rig: ConsoleRig): void {
  expect(rig.violations, rig.violations.join('\n')).to.deep.equal([]);
}

/**
 * The hooks of a suite over one console rig, installed in the `describe`
 * that calls this: the rig is started before its tests (with `artifacts`,
 * the screenshot folder is made first) and closed after them (its browser
 * and its server, through their handles). Unless `checkEachTest` is false,
 * after each test every page must have kept the strict
 * Content-Security-Policy: nothing refused, no script error. With
 * `notifications`, the gateway runs webhooks and reminders. Returns the
 * rig, for the tests and hooks that run inside the suite.
 */
export function consoleRigHooks(options: { artifacts?: boolean; checkEachTest?: boolean; notifications?: boolean } = {}): () => ConsoleRig {
  let rig: ConsoleRig | undefined;
  const current = (): ConsoleRig => {
    if (!rig) throw new Error('the console rig is not started: use it in a test or hook of the suite');
    return rig;
  };
  before(async () => {
    if (options.artifacts) await mkdir(ARTIFACTS, { recursive: true });
    rig = await startConsoleRig({ notifications: options.notifications ?? false });
  });
  after(async () => {
    await rig?.close();
  });
  if (options.checkEachTest !== false) {
    afterEach(() => {
      expectNoViolations(current());
    });
  }
  return current;
}

export type { Label };
