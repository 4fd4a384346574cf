import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { ageingBucket, outstandingOf, toCsv, weekStart } from '../../../gateway/src/reports/compute';
import type { Receivable } from '../../../chaincode/src/domain/types';
import { isNonPublicAddress, urlProblem } from '../../../gateway/src/webhooks/address';
import { retryDelayMs } from '../../../gateway/src/webhooks/outbox';
import { notificationIdOf, reachedMilestones } from '../../../gateway/src/webhooks/reminders';
import { retryAfterSeconds, send, signedHeaders } from '../../../gateway/src/webhooks/sender';
import { WebhookReceiver } from '../../support/webhook-receiver';

describe('webhooks and reports: the pure parts', () => {
  it('signs as the Standard Webhooks reference vector does', () => {
    // standard-webhooks libraries/javascript webhook.test.ts, "sign function works"
    const key = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const h = signedHeaders(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}');
    expect(h['webhook-signature']).to.equal('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(h['webhook-timestamp']).to.equal('1614265330');
  });

  it('produces headers the reference verifier accepts, and refuses a changed body', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"type":"VoucherTransferred"}';
    const h = signedHeaders(secret, 'evt_abc', new Date(), body);
    expect(() => new Webhook(secret).verify(body, { ...h })).not.to.throw();
    expect(() => new Webhook(secret).verify(`${body} `, { ...h })).to.throw();
  });

  it('refuses loopback, private, link-local and unique-local addresses unless allowed', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isNonPublicAddress(a), a).to.equal(true);
    }
    // IPv4 inside IPv6: compatible (as URL writes [::127.0.0.1]), mapped in hex, NAT64, 6to4.
    for (const a of ['::7f00:1', '::ffff:7f00:1', '64:ff9b::7f00:1', '64:ff9b::a00:1', '2002:7f00:1::', '2002:a9fe:a9fe::1']) expect(isNonPublicAddress(a), a).to.equal(true);
    for (const a of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '64:ff9b::808:808', '2002:808:808::1']) expect(isNonPublicAddress(a), a).to.equal(false);
    expect(urlProblem('http://LOCALHOST./h', false)).to.match(/localhost is a loopback/);
    expect(urlProblem('http://[::127.0.0.1]/h', false)).to.match(/loopback, private/);
    expect(urlProblem('http://[64:ff9b::169.254.169.254]/h', false)).to.match(/loopback, private/);
    expect(urlProblem('http://127.0.0.1:4000/h', false)).to.match(/loopback/);
    expect(urlProblem('http://localhost/h', false)).to.match(/loopback/);
    expect(urlProblem('http://[::1]/h', false)).to.match(/loopback/);
    expect(urlProblem('http://127.0.0.1:4000/h', true)).to.equal(undefined);
    expect(urlProblem('https://erp.example.com/hooks', false)).to.equal(undefined);
    expect(urlProblem('ftp://example.com', false)).to.match(/scheme/);
  });

  it('sends nothing to a literal private address once it is not allowed, though registered while it was (Node connects to it without a lookup)', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const headers = signedHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'evt_1', new Date(), '{}');
      const refused = await send(receiver.url, headers, '{}', { timeoutMs: 2000, allowPrivate: false });
      expect(refused).to.include({ ok: false, gone: false });
      expect(refused.error).to.match(/^not sent: 127\.0\.0\.1 is a loopback, private or link-local address/);
      const allowed = await send(receiver.url, headers, '{}', { timeoutMs: 2000, allowPrivate: true });
      expect(allowed).to.include({ ok: true, statusCode: 200 });
      expect(receiver.received).to.have.length(1);
    } finally {
      await receiver.close();
    }
  });

  it('reads Retry-After as delay-seconds or an HTTP date, ignoring a past, empty or unreadable one', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(retryAfterSeconds('120', now)).to.equal(120);
    expect(retryAfterSeconds('Mon, 07 Dec 2026 10:01:30 GMT', now)).to.equal(90);
    for (const v of [undefined, '', '0', '-5', 'Mon, 07 Dec 2026 09:00:00 GMT', 'soon']) expect(retryAfterSeconds(v, now), String(v)).to.equal(undefined);
  });

  it('backs off on the schedule with ±20 % jitter, the last delay repeating', () => {
    const schedule = [1000, 5000];
    expect(retryDelayMs(schedule, 1, () => 0)).to.equal(800);
    expect(retryDelayMs(schedule, 1, () => 1)).to.equal(1200);
    expect(retryDelayMs(schedule, 2, () => 0.5)).to.equal(5000);
    expect(retryDelayMs(schedule, 9, () => 0.5)).to.equal(5000);
  });

  it('reaches milestones on the ledger date, skipping a reminder once the next one (or the due date) is reached', () => {
    const names = (today: string) => reachedMilestones('2027-03-10', today).map((m) => `${m.name}${m.skipped ? '(skipped)' : ''}`);
    expect(names('2027-03-06')).to.deep.equal([]);
    expect(names('2027-03-07')).to.deep.equal(['DUE_IN_3_DAYS']);
    expect(names('2027-03-08')).to.deep.equal(['DUE_IN_3_DAYS']);
    // Not sent beside the next: what was not sent by now is recorded as skipped.
    expect(names('2027-03-09')).to.deep.equal(['DUE_IN_3_DAYS(skipped)', 'DUE_IN_1_DAY']);
    expect(names('2027-03-10')).to.deep.equal(['DUE_IN_3_DAYS(skipped)', 'DUE_IN_1_DAY(skipped)']);
    expect(names('2027-06-08')).to.deep.equal(['DUE_IN_3_DAYS(skipped)', 'DUE_IN_1_DAY(skipped)', 'OVERDUE_1_DAY', 'OVERDUE_30_DAYS', 'OVERDUE_60_DAYS', 'OVERDUE_90_DAYS']);
  });

  it('derives the same notification id from the same asset, due date and milestone, and another from anything else', () => {
    const id = notificationIdOf('VOUCHER', 'VCH-1', '2027-03-10', 'OVERDUE_30_DAYS');
    expect(id).to.match(/^ntf_[0-9a-f]{32}$/);
    expect(notificationIdOf('VOUCHER', 'VCH-1', '2027-03-10', 'OVERDUE_30_DAYS')).to.equal(id);
    expect(notificationIdOf('VOUCHER', 'VCH-1', '2027-03-10', 'OVERDUE_60_DAYS')).not.to.equal(id);
    expect(notificationIdOf('VOUCHER', 'VCH-2', '2027-03-10', 'OVERDUE_30_DAYS')).not.to.equal(id);
  });

  it('buckets ageing and weeks as the reports say', () => {
    expect(['2027-03-10', '2027-03-11', '2027-04-09', '2027-04-10', '2027-05-09', '2027-05-10', '2027-06-08', '2027-06-09'].map((d) => ageingBucket('2027-03-10', d))).to.deep.equal([
      'CURRENT',
      '1-30',
      '1-30',
      '31-60',
      '31-60',
      '61-90',
      '61-90',
      'OVER_90',
    ]);
    expect(weekStart('2027-03-10')).to.equal('2027-03-08'); // a Wednesday → Monday
    expect(weekStart('2027-03-14')).to.equal('2027-03-08'); // Sunday
    expect(weekStart('2027-03-15')).to.equal('2027-03-15'); // Monday
    expect(toCsv(['a', 'b'], [{ a: 'x,y', b: 'say "hi"' }])).to.equal('a,b\r\n"x,y","say ""hi"""\r\n');
  });

  it('counts what a receivable owes directly: its amount less what vouchers cover, whether or not they were paid; nothing once factored and settled', () => {
    const owed = (amount: string, voucheredAmount: string, settledAmount: string) => outstandingOf({ amount, voucheredAmount, settledAmount } as Receivable);
    expect(owed('1000', '0', '0')).to.equal('1000');
    expect(owed('1000', '600', '0')).to.equal('400');
    // The voucher paid: what it covered was never owed directly.
    expect(owed('1000', '600', '600')).to.equal('400');
    expect(owed('1000', '1000', '400')).to.equal('0');
    // Factored, then settled by the debtor: nothing left.
    expect(owed('1000', '0', '1000')).to.equal('0');
  });
});
