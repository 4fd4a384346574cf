import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClassicLevel } from 'classic-level';
import sinon from 'sinon';
import { type Ledger, LedgerError, type LedgerEvent } from '../../../gateway/src/ledger/ledger';
import { NotificationHub } from '../../../gateway/src/webhooks/hub';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookOutbox } from '../../../gateway/src/webhooks/outbox';
import { CURSOR_FLUSH_MS, WebhookStore } from '../../../gateway/src/webhooks/store';
import type { Endpoint, FiredNotification, Message } from '../../../gateway/src/webhooks/types';

describe('webhooks: the outbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const event = (blockNumber: number, memberId: string): LedgerEvent => ({
    cursor: `${blockNumber}:0`,
    blockNumber,
    txIndex: 0,
    txId: `tx${blockNumber}`,
    name: 'VoucherTransferred',
    payload: { ids: { holder: memberId } },
  });
  /** An ACTIVE endpoint of member M-1 that wants every event. */
  const endpoint = (id: string): Endpoint => ({
    id,
    url: 'http://127.0.0.1:9/hook',
    secret: 'whsec_x',
    memberId: 'M-1',
    seesAll: false,
    eventTypes: ['*'],
    status: 'ACTIVE',
    createdAt: '2026-12-06T00:00:00.000Z',
    createdBy: { memberId: 'M-1', identityId: 'x509::CN=u' },
    consecutiveFailures: 0,
    nextAttemptAt: 0,
  });
  /** An outbox on `ledger` that sends once, then nothing during a test (its retries are a minute apart). */
  const openOutbox = (ledger: Ledger, hub = new NotificationHub()) =>
    WebhookOutbox.open(ledger, { ...DEFAULT_WEBHOOK_SETTINGS, allowPrivate: true, retryScheduleMs: [60_000], dataDir: dir, hub });
  /** A ledger at `height` whose event stream is `feed`, then nothing until the outbox closes. */
  const scriptedLedger = (height: () => Promise<number>, feed: () => AsyncGenerator<LedgerEvent>) =>
    ({
      height,
      events: (_cursor: string | undefined, opts?: { signal?: AbortSignal }) => ({
        async *[Symbol.asyncIterator]() {
          yield* feed();
          if (!opts?.signal?.aborted) await new Promise<void>((resolve) => opts?.signal?.addEventListener('abort', () => resolve()));
        },
      }),
    }) as unknown as Ledger;
  const registerHook = (outbox: WebhookOutbox, url = 'http://127.0.0.1:9/hook') =>
    outbox.register({ memberId: 'M-1', seesAll: false, eventTypes: ['*'], url, createdBy: { memberId: 'M-1', identityId: 'x509::CN=u' } });
  /** The messages queued for an endpoint once the feed has moved the cursor to `cursor` (waits 5 s at most). */
  const queuedOnceFed = async (outbox: WebhookOutbox, endpointId: string, cursor: string) => {
    const until = Date.now() + 5_000;
    while ((await outbox.store.cursor()) !== cursor && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    return (await outbox.store.deliveries(endpointId, 10)).map((d) => d.messageId).sort();
  };

  /**
   * The outbox's writes to disk: what it must not lose is synced, and the
   * cursor past events no endpoint wants is kept in memory and written with
   * the next write, by a timer, or on close.
   */
  describe('its store on disk', () => {
    let batch: sinon.SinonSpy;

    beforeEach(() => {
      batch = sinon.spy(ClassicLevel.prototype, 'batch');
    });
    afterEach(() => {
      sinon.restore();
    });

    const message = (n: number): Message => ({ id: `evt_${n}`, type: 'VoucherTransferred', body: `{"n":${n}}`, createdAt: '2026-12-06T00:00:00.000Z' });
    /** Each batch the store wrote, in order: its `sync` option and the cursor it wrote, if any. */
    const batches = () =>
      batch.getCalls().map((c) => {
        const ops = c.args[0] as Array<{ type: string; key: string; value?: string }>;
        return { sync: (c.args[1] as { sync?: boolean } | undefined)?.sync, cursor: ops.find((o) => o.key === 'c!cursor')?.value };
      });

    it('writes nothing for events nobody wants, and the next event that makes a delivery carries the cursor in its synced batch', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      store.advance('c1');
      expect(await store.enqueue(message(2), [], { cursor: 'c2' })).to.deep.equal([]);
      expect(batches(), 'no write per unwanted event').to.deep.equal([]);
      expect(await store.cursor(), 'the feed reads on from where it is').to.equal('c2');
      const created = await store.enqueue(message(3), ['EP-1'], { cursor: 'c3' });
      expect(created.map((d) => d.messageId)).to.deep.equal(['evt_3']);
      expect(batches()).to.deep.equal([{ sync: true, cursor: 'c3' }]);
      expect((await store.head('EP-1'))?.message.id).to.equal('evt_3');
      await store.close();
      expect(batches(), 'close has nothing left to write').to.have.length(1);
    });

    it('writes the cursor of many unwanted events in one batch, within CURSOR_FLUSH_MS, when nothing else is written', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      for (let n = 1; n <= 50; n++) store.advance(`c${n}`);
      expect(batches()).to.deep.equal([]);
      await new Promise((r) => setTimeout(r, CURSOR_FLUSH_MS + 100));
      expect(batches()).to.deep.equal([{ sync: false, cursor: 'c50' }]);
      await store.close();
      expect(batches(), 'close has nothing left to write').to.have.length(1);
    });

    it('carries the unwritten cursor in every other write: an endpoint, a counter, an attempt', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      store.advance('c1');
      await store.addEndpoint(endpoint('EP-1'));
      store.advance('c2');
      await store.setCounter('reminderDay', '2026-12-06');
      const [d] = await store.enqueue(message(3), ['EP-1'], { cursor: 'c3' });
      store.advance('c4');
      await store.recordAttempt(
        { deliveryId: d!.id, n: 1, startedAt: '2026-12-06T00:00:01.000Z', durationMs: 3, webhookTimestamp: 1, outcome: 'SUCCEEDED', statusCode: 200 },
        d!,
        (now) => ({ ...now, attempts: 1, status: 'SUCCEEDED' }),
        (current) => ({ ...current, lastSuccessAt: '2026-12-06T00:00:01.000Z' }),
      );
      await store.addEndpoint(endpoint('EP-2'));
      expect(batches()).to.deep.equal([
        { sync: true, cursor: 'c1' },
        { sync: true, cursor: 'c2' },
        { sync: true, cursor: 'c3' },
        { sync: true, cursor: 'c4' },
        { sync: true, cursor: undefined },
      ]);
      await store.close();
    });

    it('does not move the cursor past an event whose delivery failed to be written: the feed reads it again', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      store.advance('c1');
      batch.restore();
      const failing = sinon.stub(ClassicLevel.prototype, 'batch').rejects(new Error('disk full'));
      let failed: unknown;
      await store.enqueue(message(2), ['EP-1'], { cursor: 'c2' }).catch((err: unknown) => (failed = err));
      expect((failed as Error | undefined)?.message).to.equal('disk full');
      expect(await store.cursor(), 'the feed reads on from before the event').to.equal('c1');
      failing.restore();
      expect((await store.enqueue(message(2), ['EP-1'], { cursor: 'c2' })).map((d) => d.messageId)).to.deep.equal(['evt_2']);
      expect(await store.cursor()).to.equal('c2');
      await store.close();
    });

    it('syncs a fired notification even when it has no endpoint to go to', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      const fired: FiredNotification = {
        id: 'ntf_1',
        type: 'reminder.due',
        assetType: 'VOUCHER',
        assetId: 'V-1',
        milestone: 'T-7',
        dueDate: '2026-12-13',
        firedAt: '2026-12-06T00:00:00.000Z',
        ledgerDate: '2026-12-06',
      };
      await store.enqueue({ ...message(4), id: 'ntf_1' }, [], { fired });
      expect(batches()).to.deep.equal([{ sync: true, cursor: undefined }]);
      expect(await store.fired('ntf_1')).to.deep.equal(fired);
      await store.close();
    });

    it('writes the unwritten cursor on close (synced), and after a reopen an event seen again makes no second delivery', async () => {
      const first = await WebhookStore.open(join(dir, 'webhooks'));
      await first.enqueue(message(1), ['EP-1'], { cursor: 'c1' });
      first.advance('c2');
      await first.close();
      expect(batches().at(-1)).to.deep.equal({ sync: true, cursor: 'c2' });
      const again = await WebhookStore.open(join(dir, 'webhooks'));
      expect(await again.cursor()).to.equal('c2');
      // A replay of the first event (as after a crash that lost the cursor) finds its delivery already queued.
      expect(await again.enqueue(message(1), ['EP-1'], { cursor: 'c1' })).to.deep.equal([]);
      expect(await again.pendingCount('EP-1')).to.equal(1);
      await again.close();
    });

    it('a crash loses only the unwritten cursor: the store reopens at the last written one', async () => {
      const first = await WebhookStore.open(join(dir, 'webhooks'));
      await first.enqueue(message(1), ['EP-1'], { cursor: 'c1' });
      first.advance('c2');
      first.advance('c3');
      // The process dies before any flush: LevelDB is closed under the store.
      await (first as unknown as { db: ClassicLevel<string, string> }).db.close();
      const again = await WebhookStore.open(join(dir, 'webhooks'));
      expect(await again.cursor(), 'the feed reads c2 and c3 again').to.equal('c1');
      expect(await again.pendingCount('EP-1')).to.equal(1);
      // Reading the first event again queues nothing and moves the cursor as an unwanted event does.
      const before = batch.callCount;
      expect(await again.enqueue(message(1), ['EP-1'], { cursor: 'c1b' })).to.deep.equal([]);
      expect(batch.callCount).to.equal(before);
      await new Promise((r) => setTimeout(r, CURSOR_FLUSH_MS + 100));
      expect(batches().at(-1)).to.deep.equal({ sync: false, cursor: 'c1b' });
      await again.close();
    });
  });

  /**
   * An endpoint's changes (a DELETE, an enable, what an attempt records) are
   * made to it as it is when their turn comes, and the feed sees a change
   * once it is on disk: memory and disk never disagree on an endpoint.
   */
  describe('changing an endpoint', () => {
    afterEach(() => {
      sinon.restore();
    });
    const message: Message = { id: 'evt_1', type: 'VoucherTransferred', body: '{}', createdAt: '2026-12-06T00:00:00.000Z' };
    const succeeded = (deliveryId: string) => ({ deliveryId, n: 1, startedAt: '2026-12-06T00:00:01.000Z', durationMs: 3, webhookTimestamp: 1, outcome: 'SUCCEEDED' as const, statusCode: 200 });
    const deleted = (e: Endpoint): Endpoint => ({ ...e, status: 'DELETED', deletedAt: '2026-12-06T00:00:02.000Z' });
    /** The endpoint's status in memory, and on disk after a reopen. */
    const statuses = async (store: WebhookStore, id: string) => {
      const inMemory = store.endpoint(id)?.status;
      await store.close();
      const again = await WebhookStore.open(join(dir, 'webhooks'));
      const onDisk = again.endpoint(id)?.status;
      await again.close();
      return { inMemory, onDisk };
    };

    it('keeps a delivery queued again while an attempt was under way once in the queue, PENDING, until its next attempt', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      await store.addEndpoint(endpoint('EP-1'));
      const [d] = await store.enqueue(message, ['EP-1'], { cursor: 'c1' });
      const sent = (await store.head('EP-1'))!.delivery; // the sender has it
      // Redelivered twice while it is sent: one queue entry, at the end.
      await Promise.all([store.requeue(d!.id, '2026-12-06T00:00:01.500Z'), store.requeue(d!.id, '2026-12-06T00:00:01.600Z')]);
      expect(await store.pendingCount('EP-1')).to.equal(1);
      await store.recordAttempt(succeeded(d!.id), sent, (now) => ({ ...now, attempts: 1, status: 'SUCCEEDED' }), (current) => current);
      const after = (await store.delivery(d!.id))!;
      expect(after).to.include({ status: 'PENDING', attempts: 1, redeliveries: 2 });
      expect(after.seq).to.be.greaterThan(sent.seq);
      expect(await store.pendingCount('EP-1')).to.equal(1);
      expect((await store.head('EP-1'))!.delivery).to.deep.equal(after);
      // Its next attempt ends it: nothing is left to send.
      await store.recordAttempt({ ...succeeded(d!.id), n: 2 }, after, (now) => ({ ...now, attempts: 2, status: 'SUCCEEDED' }), (current) => current);
      expect(await store.pendingCount('EP-1')).to.equal(0);
      expect(await store.head('EP-1')).to.equal(undefined);
      expect(await store.requeue('WHD-NONE', '2026-12-06T00:00:03.000Z')).to.equal(undefined);
      await store.close();
    });

    for (const order of ['the attempt first', 'the DELETE first'] as const) {
      it(`keeps an endpoint deleted when an attempt begun before the DELETE is recorded (${order})`, async () => {
        const store = await WebhookStore.open(join(dir, 'webhooks'));
        await store.addEndpoint(endpoint('EP-1'));
        const [d] = await store.enqueue(message, ['EP-1'], { cursor: 'c1' });
        const record = () => store.recordAttempt(succeeded(d!.id), d!, (now) => ({ ...now, attempts: 1, status: 'SUCCEEDED' }), (current) => ({ ...current, lastSuccessAt: '2026-12-06T00:00:01.000Z' }));
        const remove = () => store.changeEndpoint('EP-1', deleted);
        const [recorded] = order === 'the attempt first' ? await Promise.all([record(), remove()]) : (await Promise.all([remove(), record()])).reverse();
        expect(recorded?.status).to.equal(order === 'the attempt first' ? 'ACTIVE' : undefined);
        expect(await statuses(store, 'EP-1')).to.deep.equal({ inMemory: 'DELETED', onDisk: 'DELETED' });
      });
    }

    it('shows the feed the endpoint as it is on disk until its change is written, and as before when the write fails', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      await store.addEndpoint(endpoint('EP-1'));
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const stub = sinon.stub(ClassicLevel.prototype, 'batch') as unknown as sinon.SinonStub & { wrappedMethod: (...a: unknown[]) => Promise<void> };
      let failNext = false;
      stub.callsFake(function (this: ClassicLevel<string, string>, ...args: unknown[]) {
        return held.then(() => (failNext ? Promise.reject(new Error('disk full')) : stub.wrappedMethod.apply(this, args)));
      });
      try {
        const removing = store.changeEndpoint('EP-1', deleted);
        await new Promise((r) => setTimeout(r, 20));
        expect(store.endpoints().map((e) => e.id), 'while the DELETE is being written').to.deep.equal(['EP-1']);
        release();
        await removing;
        expect(store.endpoints(), 'once it is written').to.deep.equal([]);
        await store.addEndpoint(endpoint('EP-2'));
        failNext = true;
        let failed: unknown;
        await store.changeEndpoint('EP-2', deleted).catch((err: unknown) => (failed = err));
        expect((failed as Error | undefined)?.message).to.equal('disk full');
        expect(store.endpoint('EP-2')?.status, 'a DELETE that failed changed nothing').to.equal('ACTIVE');
      } finally {
        sinon.restore();
      }
      expect(await statuses(store, 'EP-2')).to.deep.equal({ inMemory: 'ACTIVE', onDisk: 'ACTIVE' });
    });

    for (const answer of [200, 410] as const) {
      it(`keeps an endpoint deleted while a delivery to it was under way (the receiver answers ${answer}), and says nothing of disabling it`, async () => {
        // A receiver that answers only once the endpoint is deleted.
        let received!: () => void;
        const requested = new Promise<void>((r) => (received = r));
        let respond!: () => void;
        const deletedNow = new Promise<void>((r) => (respond = r));
        const server = createServer((req, res) => {
          req.resume();
          received();
          void deletedNow.then(() => res.writeHead(answer).end());
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const { port } = server.address() as AddressInfo;
        let release!: () => void;
        const registered = new Promise<void>((r) => (release = r));
        const ledger = scriptedLedger(
          () => Promise.resolve(1),
          async function* () {
            await registered;
            yield event(1, 'M-1');
          },
        );
        const hub = new NotificationHub();
        const told: string[] = [];
        hub.subscribe((n) => told.push(n.type));
        const outbox = await openOutbox(ledger, hub);
        let id = '';
        try {
          outbox.start();
          id = (await registerHook(outbox, `http://127.0.0.1:${port}/hook`)).id;
          release();
          await requested;
          await outbox.change(id, deleted);
          respond();
          const until = Date.now() + 5_000;
          while ((await outbox.store.deliveries(id, 1))[0]?.attempts !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
          expect((await outbox.store.deliveries(id, 1))[0]?.status).to.equal(answer === 200 ? 'SUCCEEDED' : 'FAILED');
          expect(outbox.store.endpoints(), 'not listed again').to.deep.equal([]);
          expect(told, 'no WebhookEndpointDisabled').to.deep.equal([]);
        } finally {
          await outbox.close();
          server.close();
        }
        const again = await WebhookStore.open(join(dir, 'webhooks'));
        expect(again.endpoint(id)?.status, 'on disk').to.equal('DELETED');
        await again.close();
      });
    }

    it('gives a change the endpoint as the changes queued before it left it, and a refused change writes nothing', async () => {
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      await store.addEndpoint({ ...endpoint('EP-1'), status: 'DISABLED' });
      const batch = sinon.spy(ClassicLevel.prototype, 'batch');
      const enable = (current: Endpoint): Endpoint => {
        if (current.status !== 'DISABLED') throw new Error(`EP-1 is ${current.status}`);
        return { ...current, status: 'ACTIVE' };
      };
      const [removed, enabled] = await Promise.allSettled([store.changeEndpoint('EP-1', deleted), store.changeEndpoint('EP-1', enable)]);
      expect(removed.status).to.equal('fulfilled');
      expect(enabled.status === 'rejected' && (enabled.reason as Error).message).to.equal('EP-1 is DELETED');
      expect(batch.callCount, 'only the DELETE was written').to.equal(1);
      sinon.restore();
      expect(await statuses(store, 'EP-1')).to.deep.equal({ inMemory: 'DELETED', onDisk: 'DELETED' });
    });
  });

  /**
   * An endpoint gets what was committed after it was registered, even from a
   * feed that is behind the chain (a gateway catching up): the outbox keeps
   * the ledger's height at registration and skips the events of the blocks
   * before it.
   */
  describe('an endpoint registered while the feed is behind the chain', () => {
    it('queues the events of blocks at or past the height it saw, none from before, and a second endpoint sees from its own height', async () => {
      let height = 10;
      let release!: () => void;
      const registered = new Promise<void>((r) => (release = r));
      const ledger = scriptedLedger(
        () => Promise.resolve(height),
        async function* () {
          await registered; // the feed is behind: it reads the chain only once both endpoints exist
          yield* [event(3, 'M-1'), event(9, 'M-1'), event(10, 'M-1'), event(12, 'M-1')];
        },
      );
      const outbox = await openOutbox(ledger);
      outbox.start();
      const base = { memberId: 'M-1', seesAll: false, eventTypes: ['*'], createdBy: { memberId: 'M-1', identityId: 'x509::CN=u' } };
      const first = await outbox.register({ ...base, url: 'http://127.0.0.1:9/first' });
      height = 11;
      const second = await outbox.register({ ...base, url: 'http://127.0.0.1:9/second' });
      expect([first.fromBlock, second.fromBlock]).to.deep.equal([10, 11]);
      release();
      expect(await queuedOnceFed(outbox, first.id, '12:0')).to.deep.equal(['evt_tx10', 'evt_tx12']);
      expect(await queuedOnceFed(outbox, second.id, '12:0')).to.deep.equal(['evt_tx12']);
      await outbox.close();
    });

    it('queues an event the feed reads while the new endpoint is still being written to disk', async () => {
      let writing!: () => void;
      const endpointWriteStarted = new Promise<void>((r) => (writing = r));
      // The endpoint's batch takes 200 ms to reach the disk; everything else as usual.
      const slow = sinon.stub(ClassicLevel.prototype, 'batch') as unknown as sinon.SinonStub & { wrappedMethod: (...a: unknown[]) => Promise<void> };
      slow.callsFake(function (this: ClassicLevel<string, string>, ...args: unknown[]) {
        const ops = args[0] as Array<{ key: string }>;
        const run = () => slow.wrappedMethod.apply(this, args);
        if (!ops.some((o) => o.key.startsWith('e!'))) return run();
        writing();
        return new Promise<void>((r) => setTimeout(r, 200)).then(run);
      });
      const ledger = scriptedLedger(
        () => Promise.resolve(10),
        async function* () {
          await endpointWriteStarted; // block 10 commits just after the endpoint saw height 10
          yield event(10, 'M-1');
        },
      );
      const outbox = await openOutbox(ledger);
      try {
        outbox.start();
        const endpoint = await registerHook(outbox);
        expect(endpoint.fromBlock).to.equal(10);
        expect(await queuedOnceFed(outbox, endpoint.id, '10:0')).to.deep.equal(['evt_tx10']);
      } finally {
        await outbox.close();
        sinon.restore();
      }
    });

    it('starts past a block the feed judged while the height was being asked for, and queues every event from that block on', async () => {
      let took10!: () => void;
      const feedTook10 = new Promise<void>((r) => (took10 = r));
      let answerHeight!: () => void;
      const heightAsked = new Promise<void>((r) => (answerHeight = r));
      const ledger = scriptedLedger(
        // The peer answers 10, but the answer arrives after the feed has read block 10's event.
        async () => {
          answerHeight();
          await feedTook10;
          return 10;
        },
        async function* () {
          await heightAsked;
          yield event(10, 'M-1');
          took10();
          await new Promise((r) => setTimeout(r, 50)); // the endpoint is saved meanwhile
          yield event(11, 'M-1');
        },
      );
      const outbox = await openOutbox(ledger);
      try {
        outbox.start();
        const endpoint = await registerHook(outbox);
        // Block 10's event was judged before the endpoint existed, so the endpoint starts at 11 and gets all of it.
        expect(endpoint.fromBlock).to.equal(11);
        expect(await queuedOnceFed(outbox, endpoint.id, '11:0')).to.deep.equal(['evt_tx11']);
      } finally {
        await outbox.close();
      }
    });

    it('forgets an endpoint whose write failed: the caller gets the error and the endpoint is not listed', async () => {
      const outbox = await openOutbox({ height: () => Promise.resolve(0) } as unknown as Ledger);
      try {
        sinon.stub(ClassicLevel.prototype, 'batch').rejects(new Error('disk full'));
        let failed: unknown;
        await registerHook(outbox).catch((err: unknown) => (failed = err));
        expect((failed as Error | undefined)?.message).to.equal('disk full');
        expect(outbox.store.endpoints()).to.deep.equal([]);
      } finally {
        sinon.restore();
        await outbox.close();
      }
    });
  });

  describe('a data folder carried over to another ledger', () => {
    const TX = 'ab12cd34'.repeat(8);
    /** An outbox folder whose cursor is block 40's event of transaction TX, as a Fabric feed writes it. */
    const seedCursor = async () => {
      const db = new ClassicLevel<string, string>(join(dir, 'webhooks'), { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      await db.put('c!cursor', `40:0:${TX}`);
      await db.close();
    };
    const ledgerAnswering = (answer: () => Promise<void>) => ({ checkCursor: sinon.stub().callsFake(answer) }) as unknown as Ledger & { checkCursor: sinon.SinonStub };

    it('refuses to open when its cursor is not on the ledger, naming the folder and why, and leaves the folder as it was', async () => {
      await seedCursor();
      const why = `event cursor 40:0:${TX} is not on channel scf: block 40 does not hold transaction ${TX}`;
      const ledger = ledgerAnswering(() => Promise.reject(new LedgerError('NOT_FOUND', why)));
      const refused = await openOutbox(ledger).then(
        () => expect.fail('opened'),
        (err: Error) => err.message,
      );
      expect(ledger.checkCursor.calledOnceWithExactly(`40:0:${TX}`)).to.equal(true);
      expect(refused).to.contain(`the webhook outbox in ${join(dir, 'webhooks')} follows another ledger`).and.contain(why).and.contain('SCF_DATA_DIR');
      // Closed again, untouched: the folder can be opened (and its cursor is the one written).
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      expect(await store.cursor()).to.equal(`40:0:${TX}`);
      await store.close();
    });

    it('feeds nothing, and says why as an error, when the ledger it could not read at open turns out to be another; closes at once', async () => {
      await seedCursor();
      const why = `event cursor 40:0:${TX} is not on channel scf: block 40 does not hold transaction ${TX}`;
      const streamsFrom: Array<string | undefined> = [];
      const ledger = {
        checkCursor: () => Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'peer down')),
        events: (cursor: string | undefined) => {
          streamsFrom.push(cursor);
          return {
            [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new LedgerError('NOT_FOUND', why)) }),
          };
        },
      } as unknown as Ledger;
      const errors: string[] = [];
      const logger = { error: (_o: object, msg: string) => errors.push(msg), warn: () => undefined, info: () => undefined };
      const outbox = await WebhookOutbox.open(ledger, { ...DEFAULT_WEBHOOK_SETTINGS, dataDir: dir, hub: new NotificationHub(), logger: logger as never });
      outbox.start();
      await new Promise((r) => setTimeout(r, 100));
      const closing = Date.now();
      await outbox.close();
      expect(Date.now() - closing).to.be.below(1_000);
      expect(streamsFrom).to.deep.equal([`40:0:${TX}`]);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.contain(`the webhook outbox in ${join(dir, 'webhooks')} follows another ledger`).and.contain(why).and.contain('retrying in 30 s');
      const store = await WebhookStore.open(join(dir, 'webhooks'));
      expect(await store.cursor()).to.equal(`40:0:${TX}`);
      await store.close();
    });

    it('opens when its cursor is on the ledger, or the ledger cannot be read now', async () => {
      await seedCursor();
      for (const answer of [() => Promise.resolve(), () => Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'peer down'))]) {
        const outbox = await WebhookOutbox.open(ledgerAnswering(answer), { ...DEFAULT_WEBHOOK_SETTINGS, dataDir: dir, hub: new NotificationHub() });
        await outbox.close();
      }
    });
  });
});
