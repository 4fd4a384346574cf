import { expect } from 'chai';
import express from 'express';
import pino from 'pino';
import supertest from 'supertest';
import { z } from 'zod';
import { ERROR_CODES } from '../../../chaincode/src/domain/errors';
import { LedgerError } from '../../../gateway/src/ledger/ledger';
import { createApp } from '../../../gateway/src/http/app';
import { errorHandler, HTTP_STATUS } from '../../../gateway/src/http/problem';
import { mount, route } from '../../../gateway/src/http/route';
import { StaticTokenDirectory } from '../../../gateway/src/credentials';
import { accessLog } from '../../../gateway/src/http/access-log';
import type { CallContext } from '../../../gateway/src/services/calls';

const principal = { label: 't', identity: { mspId: 'PlatformMSP', certificate: 'c', privateKey: 'k' } };
const directory = new StaticTokenDirectory([{ token: 'tok-123456789', principal }]);

function appWith(
  handle: (input: { params: { n: number }; body: { name: string } }, ctx: CallContext) => Promise<{ body: unknown }>,
  logger?: pino.Logger,
) {
  const app = express();
  if (logger) app.use(accessLog(logger));
  const router = express.Router();
  mount(
    router,
    [
      route({
        method: 'post',
        path: '/things/:n',
        summary: 's',
        tag: 't',
        params: z.object({ n: z.string().regex(/^\d+$/).transform(Number) }),
        body: z.strictObject({ name: z.string().trim().min(1) }),
        success: { status: 201, description: 'd', schema: z.unknown() },
        errors: [],
        handle,
      }),
    ],
    directory,
  );
  app.use(router);
  app.use(errorHandler(pino({ level: 'silent' })));
  return supertest(app);
}

describe('HTTP plumbing', () => {
  it('maps every error code to the status of the design table', () => {
    expect(Object.keys(HTTP_STATUS).sort()).to.deep.equal([...ERROR_CODES].sort());
    expect(HTTP_STATUS).to.deep.include({ VALIDATION_FAILED: 400, NOT_FOUND: 404, DOUBLE_FINANCING: 409, BUSINESS_RULE: 422, FROZEN: 423, COMMIT_TIMEOUT: 504 });
  });

  it('hands the handler the parsed values (transformed, trimmed), not the raw request', async () => {
    let seen: unknown;
    const http = appWith((input) => {
      seen = input;
      return Promise.resolve({ body: { ok: true } });
    });
    const res = await http.post('/things/42').set('Authorization', 'Bearer tok-123456789').send({ name: '  widget  ' });
    expect(res.status).to.equal(201);
    expect(seen).to.deep.include({ params: { n: 42 }, body: { name: 'widget' } });
  });

  it('reports every schema issue at once, with its location, and never calls the handler', async () => {
    let called = false;
    const http = appWith(() => ((called = true), Promise.resolve({ body: {} })));
    const res = await http.post('/things/x').set('Authorization', 'Bearer tok-123456789').send({ name: '', extra: 1 });
    expect(res.status).to.equal(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).to.have.members(['params.n', 'body', 'body.name']);
    expect(called).to.equal(false);
  });

  it('turns a LedgerError into problem+json with its code, status and tx id', async () => {
    const http = appWith(() => Promise.reject(new LedgerError('COMMIT_TIMEOUT', 'outcome unknown', { txId: 'abc' })));
    const res = await http.post('/things/1').set('Authorization', 'Bearer tok-123456789').send({ name: 'a' });
    expect(res.status).to.equal(504);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body).to.deep.equal({
      type: 'urn:scf-ledger:problem:commit-timeout',
      title: 'Commit outcome unknown',
      status: 504,
      code: 'COMMIT_TIMEOUT',
      detail: 'outcome unknown',
      txId: 'abc',
    });
  });

  it('hides an unexpected failure behind a 500 INTERNAL problem without its message', async () => {
    const http = appWith(() => Promise.reject(new Error('secret stack detail')));
    const res = await http.post('/things/1').set('Authorization', 'Bearer tok-123456789').send({ name: 'a' });
    expect(res.status).to.equal(500);
    expect(res.body.code).to.equal('INTERNAL');
    expect(JSON.stringify(res.body)).not.to.contain('secret');
  });

  it('checks a request in order: the token (401), the content type (415), the JSON (400), the Idempotency-Key (400), the schemas (400)', async () => {
    let calls = 0;
    const http = appWith((_input, ctx) => ((calls += 1), Promise.resolve({ body: { requestId: ctx.requestId ?? null } })));
    const auth = 'Bearer tok-123456789';
    const anonymous = await http.post('/things/x').set('Content-Type', 'text/plain').send('not json');
    expect([anonymous.status, anonymous.body.code]).to.deep.equal([401, 'UNAUTHENTICATED']);
    const notJson = await http.post('/things/x').set('Authorization', auth).set('Content-Type', 'text/plain').send('not json');
    expect(notJson.status).to.equal(415);
    const badJson = await http.post('/things/x').set('Authorization', auth).set('Content-Type', 'application/json').send('{"name":');
    expect(badJson.status).to.equal(400);
    const badKey = await http.post('/things/x').set('Authorization', auth).set('Idempotency-Key', '-bad key').send({ name: '' });
    expect(badKey.status).to.equal(400);
    expect(badKey.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['header.Idempotency-Key']);
    expect(calls).to.equal(0);
    const ok = await http.post('/things/1').set('Authorization', auth).set('Idempotency-Key', 'order-7').send({ name: 'a' });
    expect([ok.status, ok.body]).to.deep.equal([201, { requestId: 'order-7' }]);
  });

  it('adds Retry-After to a 503', async () => {
    const http = appWith(() => Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'down')));
    const res = await http.post('/things/1').set('Authorization', 'Bearer tok-123456789').send({ name: 'a' });
    expect(res.status).to.equal(503);
    expect(res.headers['retry-after']).to.equal('1');
  });
});

describe('request logs', () => {
  it('log one structured line per request, without the bearer token', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    const app = createApp({ services: {} as never, directory, ledgerKind: 'embedded', logger });
    await supertest(app).get('/health').set('Authorization', 'Bearer tok-123456789');
    const entry = JSON.parse(lines.find((l) => l.includes('request completed')) ?? '{}');
    expect(entry.req).to.include({ method: 'GET', url: '/health' });
    expect(entry.res.statusCode).to.equal(200);
    expect(lines.join('\n')).not.to.contain('tok-123456789');
  });

  it('do not copy a request body that does not parse into the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    const app = createApp({ services: {} as never, directory, ledgerKind: 'embedded', logger });
    const res = await supertest(app)
      .post('/receivables')
      .set('Authorization', 'Bearer tok-123456789')
      .set('Content-Type', 'application/json')
      .send('{"documents":[{"kind":"INVOICE","invoiceNumber":"CONFIDENTIAL-4711"}],}');
    expect(res.status).to.equal(400);
    const warned = lines.find((l) => l.includes('request rejected'));
    expect(warned, 'the rejection is logged').to.be.a('string');
    expect(JSON.parse(warned ?? '{}').err.message).to.be.a('string');
    expect(lines.join('\n')).not.to.contain('CONFIDENTIAL-4711');
  });

  it('log the caller, the status and the time; a 5xx at error level; nothing at all when info is off', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    const ok = appWith(() => Promise.resolve({ body: {} }), logger);
    await ok.post('/things/1?x=1').set('Authorization', 'Bearer tok-123456789').send({ name: 'a' });
    const down = appWith(() => Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'down')), logger);
    await down.post('/things/2').set('Authorization', 'Bearer tok-123456789').send({ name: 'a' });
    const [completed, errored] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(completed).to.deep.include({ level: 30, msg: 'request completed', member: 't', res: { statusCode: 201 } });
    expect(completed?.req).to.deep.include({ method: 'POST', url: '/things/1?x=1' });
    expect((completed?.req as { remoteAddress: string }).remoteAddress).to.match(/127\.0\.0\.1$/);
    expect(completed?.responseTime).to.be.a('number');
    expect(errored).to.deep.include({ level: 50, msg: 'request errored', res: { statusCode: 503 } });
    expect(lines.join('\n')).not.to.contain('tok-123456789');

    const quiet: string[] = [];
    const off = appWith(() => Promise.resolve({ body: {} }), pino({ level: 'warn' }, { write: (s: string) => quiet.push(s) }));
    await off.post('/things/1').set('Authorization', 'Bearer tok-123456789').send({ name: 'a' });
    expect(quiet).to.deep.equal([]);
  });

  it('log a request the client abandoned before the answer at warn level', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    let answer: (() => void) | undefined;
    const app = express();
    app.use(accessLog(logger));
    app.get('/slow', (_req, res) => void (answer = () => res.end()));
    const until = async (ready: () => boolean) => {
      for (let i = 0; i < 200 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(ready()).to.equal(true);
    };
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const controller = new AbortController();
      const request = fetch(`http://127.0.0.1:${port}/slow`, { signal: controller.signal }).catch(() => undefined);
      await until(() => answer !== undefined);
      controller.abort();
      await request;
      await until(() => lines.length > 0);
      answer?.();
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0] as string)).to.deep.include({ level: 40, msg: 'request aborted', res: {} });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('log an event stream the client closed at info, as the way such a stream ends', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    const app = express();
    app.use(accessLog(logger));
    app.get('/events', (_req, res) => {
      res.status(200).set('Content-Type', 'text/event-stream; charset=utf-8');
      res.flushHeaders();
      res.write(': open\n\n');
    });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}/events`, { signal: controller.signal });
      expect(response.status).to.equal(200);
      controller.abort();
      for (let i = 0; i < 200 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0] as string)).to.deep.include({ level: 30, msg: 'stream closed', res: { statusCode: 200 } });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
