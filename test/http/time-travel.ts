import type { ClockState } from '../../gateway/src/ledger/ledger';
import { startGateway, type TestGateway } from './harness';

/*
 * Tests that travel in time move the ledger's clock through the HTTP API
 * (`POST /sandbox/clock`, the embedded ledger's sandbox clock), never the
 * client's. The clock moves forward only, so such a test runs on a gateway of
 * its own (onOwnGateway) and no other test sees its dates move.
 *
 * Only the embedded ledger (either thread) has a sandbox clock: on the Fabric connector
 * (SCF_TEST_LEDGER=fabric-emulated, or fabric for a real network) these tests
 * are not applicable. They are registered all the same, reported pending,
 * and named in a line each at the end of the run.
 */

const DAY_MS = 86_400_000;

/** The ledger the HTTP suite runs on (see makeLedger in harness.ts). */
export const testLedger = (): string => process.env.SCF_TEST_LEDGER ?? 'embedded';

/** Whether that ledger is the embedded one (on the gateway's thread, or on its own: embedded-thread). */
export const onEmbeddedLedger = (): boolean => testLedger() === 'embedded' || testLedger() === 'embedded-thread';

/** Whether that ledger has a sandbox clock. */
export const hasSandboxClock = (): boolean => onEmbeddedLedger();

const notApplicable: Array<{ title: string; why: string }> = [];

/**
 * Skips the running test on this ledger, saying why: it is pending in mocha's
 * output and named, with the reason, at the end of the run.
 */
export function notApplicableHere(ctx: Mocha.Context, why: string): never {
  notApplicable.push({ title: ctx.test?.fullTitle() ?? '', why });
  ctx.skip();
}

/**
 * `it` for a test that needs the sandbox clock. On a ledger without one the
 * test is skipped (pending in mocha's output) and its full title is listed at
 * the end of the run as NOT APPLICABLE, so none is dropped silently.
 */
export function itWithClock(title: string, fn: (this: Mocha.Context) => Promise<void>): Mocha.Test {
  return it(title, async function () {
    if (!hasSandboxClock()) notApplicableHere(this, 'needs the sandbox clock');
    await fn.call(this);
  });
}

// A root-level hook (this module is loaded while mocha loads the test files,
// outside any describe): it runs once, after every test.
if (typeof after === 'function') {
  after(function reportNotApplicable() {
    for (const { title, why } of notApplicable) {
      process.stdout.write(`NOT APPLICABLE on ${testLedger()} (${why}): ${title}\n`);
    }
  });
}

/** Runs `fn` on a gateway with a fresh ledger of its own, closed afterwards. */
export async function onOwnGateway<T>(fn: (gw: TestGateway) => Promise<T>): Promise<T> {
  const gw = await startGateway();
  try {
    return await fn(gw);
  } finally {
    await gw.close();
  }
}

/**
 * A test that moves the ledger's clock: `itWithClock` on a gateway with a
 * fresh ledger of its own, so no other test sees its dates move.
 */
export function itWithOwnClock(title: string, fn: (gw: TestGateway) => Promise<void>): Mocha.Test {
  return itWithClock(title, () => onOwnGateway(fn));
}

/** Moves the gateway's ledger clock forward by an ISO 8601 duration, as the operator. */
export async function advanceClock(gw: TestGateway, duration: string): Promise<ClockState> {
  const res = await gw.http.post('/sandbox/clock').set('Authorization', gw.auth('operator-admin')).send({ advance: duration });
  if (res.status !== 200) throw new Error(`advancing the sandbox clock by ${duration} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ClockState;
}

/** Moves the gateway's ledger clock forward by whole days. */
export const advanceDays = (gw: TestGateway, days: number): Promise<ClockState> => advanceClock(gw, `P${days}D`);

/** The ledger's clock, from GET /ready. */
export async function ledgerClock(gw: TestGateway): Promise<ClockState> {
  const res = await gw.http.get('/ready');
  if (res.status !== 200) throw new Error(`/ready failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.sandboxClock as ClockState;
}

/** A UTC date relative to the ledger's today (its clock, not the machine's). */
export async function ledgerDate(gw: TestGateway, offsetDays = 0): Promise<string> {
  const { now } = await ledgerClock(gw);
  return new Date(Date.parse(now) + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one date to another (`YYYY-MM-DD`). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
