import { expect } from 'chai';
import { pendingReceivable, startGateway, type TestGateway } from './harness';
import { SseClient } from './sse-client';

describe('HTTP: GET /events (Server-Sent Events)', () => {
  let gw: TestGateway;
  let base: string;
  const open: SseClient[] = [];
  const connect = async (headers: Record<string, string> = {}, path = '/events') => {
    const c = await SseClient.open(`${base}${path}`, { Authorization: gw.auth('auditor'), ...headers });
    open.push(c);
    return c;
  };

  before(async () => {
    gw = await startGateway();
    base = await gw.listen();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  after(async () => {
    await gw?.close();
  });

  it('streams every committed event from the start, with the cursor as id and the name as event', async () => {
    const c = await connect();
    expect(c.status).to.equal(200);
    expect(c.contentType).to.match(/^text\/event-stream/);
    // The demo setup alone committed events (bootstrap, registrations, bindings).
    await c.until((x) => x.events.length >= 3);
    const first = c.events[0];
    expect(first?.event).to.equal(JSON.parse(first?.data ?? '{}').name);
    expect(JSON.parse(first?.data ?? '{}')).to.include.keys('txId', 'blockNumber', 'txIndex', 'payload');
    expect(first?.id).to.be.a('string').and.not.equal('');
  });

  it('delivers new events live as transactions commit', async () => {
    const c = await connect();
    await c.until((x) => x.events.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    const before = c.events.length;
    const { id } = await pendingReceivable(gw);
    await c.until((x) => x.events.length > before);
    const e = c.events[before];
    expect(e?.event).to.equal('ReceivableRegistered');
    expect(JSON.parse(e?.data ?? '{}').payload.ids.receivableId).to.equal(id);
  });

  it('resumes after Last-Event-ID with no event lost and none repeated', async () => {
    const first = await connect();
    await first.until((x) => x.events.length >= 2);
    const lastSeen = first.events[1]?.id as string;
    first.close();
    // writes while the client is away
    const made = [await pendingReceivable(gw), await pendingReceivable(gw)];
    const resumed = await connect({ 'Last-Event-ID': lastSeen });
    const full = await connect();
    await full.until((x) => x.events.some((e) => e.data.includes(made[1]?.id ?? '?')));
    await resumed.until((x) => x.events.length >= full.events.length - 2);
    const expected = full.events.slice(2).map((e) => e.id);
    expect(resumed.events.map((e) => e.id)).to.deep.equal(expected);
    expect(new Set(expected).size).to.equal(expected.length);
  });

  it('accepts the resume position as ?lastEventId= for a first connection', async () => {
    const full = await connect();
    await full.until((x) => x.events.length >= 3);
    const c = await connect({}, `/events?lastEventId=${encodeURIComponent(full.events[0]?.id ?? '')}`);
    await c.until((x) => x.events.length >= 2);
    expect(c.events[0]?.id).to.equal(full.events[1]?.id);
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const c = await connect();
    await c.until((x) => x.comments >= 2, 3_000);
  });

  it('rejects a malformed Last-Event-ID with 400 problem+json', async () => {
    const c = await connect({ 'Last-Event-ID': 'not-a-cursor' });
    expect(c.status).to.equal(400);
    expect(c.contentType).to.match(/^application\/problem\+json/);
    await c.until((x) => x.ended);
    expect(JSON.parse(c.body).code).to.equal('VALIDATION_FAILED');
  });

  it('requires a token', async () => {
    const c = await SseClient.open(`${base}/events`, {});
    open.push(c);
    expect(c.status).to.equal(401);
  });

  it('ends open streams when the gateway shuts down', async () => {
    const c = await connect();
    await c.until((x) => x.events.length > 0);
    gw.shutdown.abort();
    await c.until((x) => x.ended, 3_000);
  });
});
