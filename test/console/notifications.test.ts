import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { MATURITY_REMINDER, notificationIdOf, OVERDUE_ESCALATION } from '../../gateway/src/webhooks';
import { CORE, isoDate, member, SUPPLIER1, type Label } from '../http/harness';
import { consoleRigHooks } from './browser';
import { AuditorPage, en } from './pages';

/*
 * Notifications (reminders, escalations, a webhook endpoint disabled) come
 * live on the event stream beside the ledger's events. Each line names the
 * records it is about, as a ledger event's line names the records its
 * transaction wrote. The gateway here runs webhooks and reminders.
 */

describe('console: notifications in the live event stream', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks({ notifications: true });
  let seq = 0;
  let receiver: Server | undefined;

  const call = <T = any>(label: Label, method: string, path: string, body?: unknown): Promise<T> => rig().call<T>(label, method, path, body);
  /** The auditor's view with its event stream open. */
  const streaming = async (): Promise<AuditorPage> => {
    const auditor = new AuditorPage(await rig().signIn('auditor'));
    await auditor.page.getByRole('button', { name: en('auditor.startEvents') }).click();
    await auditor.page.getByText(en('auditor.streaming')).waitFor();
    return auditor;
  };
  const receivable = async (): Promise<string> => {
    const invoice = { kind: 'INVOICE', sellerTaxId: SUPPLIER1(), invoiceCode: '', invoiceNumber: `N${Date.now()}${seq++}`, amount: '100000', issueDate: '2026-01-02' };
    return (await call<{ id: string }>('supplier1', 'POST', '/receivables', { debtor: CORE(), amount: '100000', dueDate: isoDate(120), documents: [invoice] })).id;
  };

  after(async () => {
    receiver?.closeAllConnections();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  });

  it("a WebhookEndpointDisabled line names the auditor's endpoint that was disabled and the delivery that failed", async () => {
    // A receiver that is gone for good: the first delivery disables the endpoint.
    receiver = createServer((_req, res) => res.writeHead(410).end());
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const auditor = await streaming();
    const { endpoint } = await call<{ endpoint: { id: string } }>('auditor', 'POST', '/webhooks', { url, eventTypes: ['*'] });
    // Something the auditor's endpoint is sent: a receivable registered.
    await receivable();
    const line = auditor.events.getByRole('listitem').filter({ hasText: en('event.WebhookEndpointDisabled') });
    await line.waitFor();
    const disabled = await call<{ status: string; disabledDeliveryId?: string }>('auditor', 'GET', `/webhooks/${endpoint.id}`);
    expect(disabled.status).to.equal('DISABLED');
    const text = (await line.textContent()) ?? '';
    expect(text, 'the endpoint disabled').to.contain(endpoint.id);
    expect(text, 'the delivery that failed').to.contain(disabled.disabledDeliveryId ?? '(no delivery id)');
  });

  it('a reminder and an escalation name the asset they are about', async () => {
    const auditor = await streaming();
    const asset = await receivable();
    const dueDate = isoDate(3);
    const hub = rig().notifications?.hub;
    expect(hub, 'the rig runs notifications').to.not.equal(undefined);
    // As the reminder scanner emits them (to the asset's parties: here, the auditor too).
    for (const [type, milestone] of [
      [MATURITY_REMINDER, 'DUE_IN_3_DAYS'],
      [OVERDUE_ESCALATION, 'OVERDUE_1_DAY'],
    ] as const) {
      hub?.publish({
        id: notificationIdOf('RECEIVABLE', asset, dueDate, milestone),
        type,
        recipients: [member('auditor')],
        timestamp: new Date().toISOString(),
        data: { milestone, asset: { type: 'RECEIVABLE', id: asset }, dueDate, amount: '100000', currency: 'CNY', ledgerDate: isoDate(), recipients: [member('auditor')] },
      });
    }
    for (const type of [MATURITY_REMINDER, OVERDUE_ESCALATION] as const) {
      await auditor.events.getByRole('listitem').filter({ hasText: en(`event.${type}`) }).filter({ hasText: asset }).waitFor();
    }
  });
});
