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

const principal = { label: 't', identity: { mspId: 'PlatformMSP', certificate: 'c', privateKey: 'k' } };
const directory = new StaticTokenDirectory([{ token: 'tok-123456789', principal }]);

function appWith(handle: (input: { params: { n: number }; body: { name: string } }) => Promise<{ body: unknown }>) {
  const app = express();
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
});
