import { testInvoice, withDocuments } from '../../support/documents';
import '../../../gateway/src/chaincode-logs';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../gateway/src/config';
import { DEMO_IDENTITIES, demoMember } from '../../../gateway/src/demo/plan';
import { setUpDemo } from '../../../gateway/src/demo/setup';
import { parseIsoDuration } from '../../../gateway/src/http/schemas/sandbox';
import { EmbeddedLedger } from '../../../gateway/src/ledger/embedded/embedded-ledger';
import { loadOrCreateIdentities, toLedgerIdentity } from '../../../gateway/src/ledger/embedded/identity-store';
import { LevelBackend } from '../../../gateway/src/ledger/embedded/level-backend';
import { type ClockStore, EmbeddedSandboxClock } from '../../../gateway/src/ledger/embedded/sandbox-clock';
import type { ClockAdvanceRequest, Ledger, LedgerIdentity } from '../../../gateway/src/ledger/ledger';
import { LedgerCalls } from '../../../gateway/src/services/calls';
import { SandboxClockService } from '../../../gateway/src/services/sandbox-clock';
import { rejectionOf } from '../../support/rejection';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const by = { memberId: '91310000100000001A', mspId: 'PlatformMSP', identityId: 'x509::CN=operator-admin' };
const request = (duration: string, advanceMs: number, extra: Partial<ClockAdvanceRequest> = {}): ClockAdvanceRequest => ({ duration, advanceMs, by, ...extra });

/** A ClockStore in memory, append-only like LevelBackend's; `failNext` makes the next append fail. */
class MemoryClockStore implements ClockStore {
  readonly records = new Map<number, object>();
  failNext = false;
  getClockRecords(): Promise<unknown[]> {
    return Promise.resolve([...this.records.entries()].sort(([a], [b]) => a - b).map(([, r]) => structuredClone(r)));
  }
  appendClockRecord(sequence: number, record: object): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    if (this.records.has(sequence)) return Promise.reject(new Error(`record ${sequence} exists`));
    this.records.set(sequence, structuredClone(record));
    return Promise.resolve();
  }
}

describe('sandbox clock: ISO 8601 durations', () => {
  const valid: Array<[string, number]> = [
    ['P30D', 30 * DAY_MS],
    ['P2W', 14 * DAY_MS],
    ['PT12H', 12 * HOUR_MS],
    ['PT90M', 90 * 60_000],
    ['PT45S', 45_000],
    ['P1DT12H', DAY_MS + 12 * HOUR_MS],
    ['P1DT1H1M1S', DAY_MS + HOUR_MS + 61_000],
    ['P0DT1M', 60_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${text} as ${ms} ms`, () => {
      expect(parseIsoDuration(text)).to.equal(ms);
    });
  }

  const refused: Array<[string, string]> = [
    ['-P1D', 'forward only'],
    ['−P1D', 'forward only'],
    ['P0D', 'more than zero'],
    ['PT0H0M0S', 'more than zero'],
    ['P1M', 'no fixed length'],
    ['P1Y2D', 'no fixed length'],
    ['P1.5D', 'ISO 8601 duration'],
    ['P', 'ISO 8601 duration'],
    ['PT', 'ISO 8601 duration'],
    ['P1D2W', 'ISO 8601 duration'],
    ['PT1D', 'ISO 8601 duration'],
    ['30D', 'ISO 8601 duration'],
    [' P1D', 'ISO 8601 duration'],
    ['p1d', 'ISO 8601 duration'],
  ];
  for (const [text, why] of refused) {
    it(`refuses ${JSON.stringify(text)} (${why})`, () => {
      const r = parseIsoDuration(text);
      expect(r).to.be.a('string').that.contains(why);
    });
  }
});

describe('sandbox clock: the embedded ledger clock', () => {
  const WALL = Date.parse('2026-03-01T08:00:00.000Z');
  const open = (store: ClockStore, enabled = true, height = 7) =>
    EmbeddedSandboxClock.open(store, { enabled, height: () => Promise.resolve(height), wallClock: () => WALL });

  it("starts with no offset: the ledger's time is the machine's", async () => {
    const clock = await open(new MemoryClockStore());
    expect(clock.state()).to.deep.equal({ enabled: true, offsetMs: 0, now: '2026-03-01T08:00:00.000Z' });
    expect(clock.advances()).to.deep.equal([]);
  });

  it('moves forward by each advance, recording who, by how much, from and to which ledger time, and at which height', async () => {
    const store = new MemoryClockStore();
    const clock = await open(store);
    const { advance, replayed } = await clock.advance(request('P30D', 30 * DAY_MS));
    expect(replayed).to.equal(false);
    expect(advance).to.deep.equal({
      sequence: 1,
      duration: 'P30D',
      advanceMs: 30 * DAY_MS,
      offsetMs: 30 * DAY_MS,
      from: '2026-03-01T08:00:00.000Z',
      to: '2026-03-31T08:00:00.000Z',
      recordedAt: '2026-03-01T08:00:00.000Z',
      height: 7,
      by,
    });
    await clock.advance(request('PT12H', 12 * HOUR_MS));
    expect(clock.state()).to.deep.equal({ enabled: true, offsetMs: 30 * DAY_MS + 12 * HOUR_MS, now: '2026-03-31T20:00:00.000Z' });
    expect(clock.nowMs()).to.equal(WALL + 30 * DAY_MS + 12 * HOUR_MS);
    expect([...store.records.keys()]).to.deep.equal([1, 2]);
  });

  it('moves forward only: a zero or negative advance is refused (VALIDATION_FAILED) and changes nothing', async () => {
    const store = new MemoryClockStore();
    const clock = await open(store);
    for (const ms of [0, -DAY_MS, 0.5, Number.NaN]) {
      const err = await rejectionOf(clock.advance(request('P-', ms)));
      expect(err.code).to.equal('VALIDATION_FAILED');
    }
    expect(clock.state().offsetMs).to.equal(0);
    expect(store.records.size).to.equal(0);
  });

  it('refuses to advance while disabled (INVALID_STATE), but a recorded offset stays in force', async () => {
    const store = new MemoryClockStore();
    await (await open(store)).advance(request('P10D', 10 * DAY_MS));
    const disabled = await open(store, false);
    expect(disabled.state()).to.include({ enabled: false, offsetMs: 10 * DAY_MS });
    const err = await rejectionOf(disabled.advance(request('P1D', DAY_MS)));
    expect(err.code).to.equal('INVALID_STATE');
    expect(store.records.size).to.equal(1);
  });

  it('refuses to take the ledger past 9999-12-31 (BUSINESS_RULE)', async () => {
    const clock = await open(new MemoryClockStore());
    const err = await rejectionOf(clock.advance(request('P3000000D', 3_000_000 * DAY_MS)));
    expect(err.code).to.equal('BUSINESS_RULE');
    expect(clock.state().offsetMs).to.equal(0);
  });

  it('leaves the clock where it was when the record cannot be written', async () => {
    const store = new MemoryClockStore();
    const clock = await open(store);
    store.failNext = true;
    await rejectionOf(clock.advance(request('P1D', DAY_MS)));
    expect(clock.state().offsetMs).to.equal(0);
    expect((await clock.advance(request('P2D', 2 * DAY_MS))).advance).to.include({ sequence: 1, offsetMs: 2 * DAY_MS });
  });

  it('numbers concurrent advances one after the other, each offset the sum so far', async () => {
    const clock = await open(new MemoryClockStore());
    const results = await Promise.all([1, 2, 3, 4, 5].map((d) => clock.advance(request(`P${d}D`, d * DAY_MS))));
    expect(results.map((r) => r.advance.sequence)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(results.map((r) => r.advance.offsetMs / DAY_MS)).to.deep.equal([1, 3, 6, 10, 15]);
  });

  it("answers a member's repeated requestId with the first advance, and refuses it for another duration (ALREADY_EXISTS)", async () => {
    const clock = await open(new MemoryClockStore());
    const first = await clock.advance(request('P1D', DAY_MS, { requestId: 'k-1' }));
    const again = await clock.advance(request('P1D', DAY_MS, { requestId: 'k-1' }));
    expect(again).to.deep.equal({ advance: first.advance, replayed: true });
    expect((await rejectionOf(clock.advance(request('P2D', 2 * DAY_MS, { requestId: 'k-1' })))).code).to.equal('ALREADY_EXISTS');
    // The key is the member's: another member's k-1 is another request.
    const other = await clock.advance(request('P1D', DAY_MS, { requestId: 'k-1', by: { ...by, memberId: '91310000100000002D' } }));
    expect(other.replayed).to.equal(false);
    expect(clock.state().offsetMs).to.equal(2 * DAY_MS);
  });

  it('refuses records that are out of sequence or do not add up', async () => {
    const store = new MemoryClockStore();
    const clock = await open(store);
    await clock.advance(request('P1D', DAY_MS));
    store.records.set(3, { ...(store.records.get(1) as object), sequence: 3 });
    expect((await rejectionOf(open(store))).message).to.contain('inconsistent');
  });
});

describe('sandbox clock: persisted in the embedded ledger', function () {
  this.timeout(30_000);
  let dir: string;
  let ids: Map<string, LedgerIdentity>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-clock-'));
    const set = await loadOrCreateIdentities(dir, DEMO_IDENTITIES);
    ids = new Map(set.identities.map((s) => [s.label, toLedgerIdentity(s)]));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const register = (ledger: EmbeddedLedger) =>
    ledger.submit(
      ids.get('supplier1') as LedgerIdentity,
      'receivable:Register',
      { debtor: demoMember('core').id, amount: '100000', dueDate: '2099-12-31' },
      withDocuments(testInvoice(`clock-${Date.now().toString(16)}`)),
    );

  it('stamps transactions with the offset, keeps it and its records across a restart, and never goes back', async () => {
    const path = join(dir, 'ledger');
    let ledger = await EmbeddedLedger.open(path, { batchTimeoutMs: 2, sandboxClock: true });
    try {
      await setUpDemo(ledger, ids);
      const first = await ledger.sandboxClock.advance(request('P10D', 10 * DAY_MS));
      const r = (await register(ledger)).result as { createdAt: string };
      expect(Date.parse(r.createdAt)).to.be.at.least(Date.now() + 10 * DAY_MS - 5_000);
      await ledger.close();

      // Reopened with the clock disabled: the offset stays, advancing is refused.
      ledger = await EmbeddedLedger.open(path, { batchTimeoutMs: 2, sandboxClock: false });
      expect(ledger.sandboxClock.state()).to.include({ enabled: false, offsetMs: 10 * DAY_MS });
      expect(ledger.sandboxClock.advances()).to.deep.equal([first.advance]);
      const later = (await register(ledger)).result as { createdAt: string };
      expect(Date.parse(later.createdAt)).to.be.at.least(Date.parse(r.createdAt));
      expect((await rejectionOf(ledger.sandboxClock.advance(request('P1D', DAY_MS)))).code).to.equal('INVALID_STATE');
      await ledger.close();

      // Enabled again: the next advance follows the first.
      ledger = await EmbeddedLedger.open(path, { batchTimeoutMs: 2, sandboxClock: true });
      const second = await ledger.sandboxClock.advance(request('P1D', DAY_MS));
      expect(second.advance).to.include({ sequence: 2, offsetMs: 11 * DAY_MS });
    } finally {
      await ledger.close();
    }
  });

  it('keeps the records append-only in LevelDB: a sequence number is never written twice', async () => {
    const backend = await LevelBackend.open(join(dir, 'ledger-append'));
    try {
      await backend.appendClockRecord(1, { sequence: 1 });
      expect((await rejectionOf(backend.appendClockRecord(1, { sequence: 1, forged: true }))).message).to.contain('append-only');
      expect(await backend.getClockRecords()).to.deep.equal([{ sequence: 1 }]);
    } finally {
      await backend.close();
    }
  });
});

describe('sandbox clock: configuration and connectors', () => {
  it('follows SCF_DEMO unless SCF_SANDBOX_CLOCK says otherwise', () => {
    expect(loadConfig({}).sandboxClock).to.equal(true);
    expect(loadConfig({ SCF_DEMO: 'false' }).sandboxClock).to.equal(false);
    expect(loadConfig({ SCF_DEMO: 'false', SCF_SANDBOX_CLOCK: 'true' }).sandboxClock).to.equal(true);
    expect(loadConfig({ SCF_SANDBOX_CLOCK: 'false' }).sandboxClock).to.equal(false);
  });

  it('fails fast naming SCF_SANDBOX_CLOCK when it is not true or false', () => {
    expect(() => loadConfig({ SCF_SANDBOX_CLOCK: 'yes' })).to.throw('SCF_SANDBOX_CLOCK');
  });

  /** A ledger without a sandbox clock (as the Fabric connector is), whose caller is the given member. */
  function clocklessLedger(roles: string[]): Ledger {
    const member = { docType: 'member', id: by.memberId, roles, status: 'ACTIVE' };
    return {
      evaluate: () => Promise.resolve({ member, identity: { mspId: by.mspId, identityId: by.identityId, memberId: member.id } }),
    } as unknown as Ledger;
  }
  const ctx = { principal: { label: 'operator-admin', identity: {} as LedgerIdentity } };

  it('refuses the operator on a connector without a sandbox clock (INVALID_STATE naming Fabric), and shows it disabled', async () => {
    const ledger = clocklessLedger(['OPERATOR']);
    const service = new SandboxClockService(ledger, new LedgerCalls(ledger));
    const err = await rejectionOf(service.advance(ctx, 'P1D', DAY_MS));
    expect(err.code).to.equal('INVALID_STATE');
    expect(err.message).to.contain('Fabric');
    expect(service.state()).to.include({ enabled: false, offsetMs: 0 });
  });

  it('checks the caller first: anyone but an OPERATOR is FORBIDDEN there too', async () => {
    const ledger = clocklessLedger(['SUPPLIER']);
    const service = new SandboxClockService(ledger, new LedgerCalls(ledger));
    expect((await rejectionOf(service.advance(ctx, 'P1D', DAY_MS))).code).to.equal('FORBIDDEN');
  });
});
