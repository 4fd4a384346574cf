import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import sinon from 'sinon';
import { WebhookStore } from '../../../gateway/src/webhooks/store';
import type { FiredNotification, Message } from '../../../gateway/src/webhooks/types';

/**
 * The outbox's writes to disk: what it must not lose is synced, and the one
 * write that is not (the cursor past an event no endpoint wants) is still
 * there after a clean close and reopen.
 */
describe('webhooks: the outbox store on disk', () => {
  let dir: string;
  let batch: sinon.SinonSpy;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scf-outbox-'));
    batch = sinon.spy(ClassicLevel.prototype, 'batch');
  });
  afterEach(async () => {
    sinon.restore();
    await rm(dir, { recursive: true, force: true });
  });

  const message = (n: number): Message => ({ id: `evt_${n}`, type: 'VoucherTransferred', body: `{"n":${n}}`, createdAt: '2026-12-06T00:00:00.000Z' });
  /** The `sync` option of each batch the store wrote, in order. */
  const syncs = () => batch.getCalls().map((c) => (c.args[1] as { sync?: boolean } | undefined)?.sync);

  it('moves the cursor past an event nobody wants without an fsync, and syncs every event that makes a delivery', async () => {
    const store = await WebhookStore.open(join(dir, 'webhooks'));
    expect(await store.enqueue(message(1), [], { cursor: 'c1' })).to.deep.equal([]);
    expect(await store.enqueue(message(2), [], { cursor: 'c2' })).to.deep.equal([]);
    const created = await store.enqueue(message(3), ['EP-1'], { cursor: 'c3' });
    expect(created.map((d) => d.messageId)).to.deep.equal(['evt_3']);
    expect(syncs()).to.deep.equal([false, false, true]);
    expect(await store.cursor()).to.equal('c3');
    expect((await store.head('EP-1'))?.message.id).to.equal('evt_3');
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
    expect(syncs()).to.deep.equal([true]);
    expect(await store.fired('ntf_1')).to.deep.equal(fired);
    await store.close();
  });

  it('keeps the cursor that was written without an fsync across a close and reopen, and an event seen again makes no second delivery', async () => {
    const first = await WebhookStore.open(join(dir, 'webhooks'));
    await first.enqueue(message(1), ['EP-1'], { cursor: 'c1' });
    await first.enqueue(message(2), [], { cursor: 'c2' });
    await first.close();
    const again = await WebhookStore.open(join(dir, 'webhooks'));
    expect(await again.cursor()).to.equal('c2');
    // A replay of the first event (as after a crash that lost the cursor) finds its delivery already queued.
    expect(await again.enqueue(message(1), ['EP-1'], { cursor: 'c1' })).to.deep.equal([]);
    expect(await again.pendingCount('EP-1')).to.equal(1);
    await again.close();
  });
});
