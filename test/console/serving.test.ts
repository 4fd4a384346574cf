import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../gateway/src/http/app';
import { CONSOLE_CSP, DOCS_CSP } from '../../gateway/src/http/console';
import { createServices } from '../../gateway/src/services';
import { makeLedger, type LedgerHarness } from '../http/harness';

/** How the gateway serves the console, without a browser: policies, the demo-only endpoint, a missing build. */
describe('console: serving', () => {
  let ledger: LedgerHarness;
  let emptyWeb: string;
  before(async () => {
    ledger = await makeLedger();
    emptyWeb = await mkdtemp(join(tmpdir(), 'scf-console-none-'));
  });
  after(async () => {
    await ledger?.close();
    await rm(emptyWeb, { recursive: true, force: true });
  });
  const app = (demo: boolean) =>
    createApp({
      services: createServices(ledger.runtime.ledger, {}),
      directory: ledger.runtime.directory,
      ledgerKind: ledger.runtime.kind,
      console: { webDir: emptyWeb, ...(demo ? { demoIdentities: [{ label: 'x', memberId: 'm', memberName: 'M', roles: ['SUPPLIER'], userRole: 'ADMIN', token: 't' }] } : {}) },
    });

  it('offers the demo identities only when the gateway runs the demo', async () => {
    const off = await supertest(app(false)).get('/console/demo-identities');
    expect(off.status).to.equal(404);
    expect(off.body.code).to.equal('NOT_FOUND');
    expect(off.body.detail).to.contain('SCF_DEMO');
    const on = await supertest(app(true)).get('/console/demo-identities');
    expect(on.status).to.equal(200);
    expect(on.headers['cache-control']).to.equal('no-store');
    expect(on.body.identities[0].label).to.equal('x');
  });

  it('hands the demo tokens only to a request that names the gateway by IP address or localhost (no DNS rebinding)', async () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST', '[::1]:3000', '10.1.2.3:8080']) {
      const res = await supertest(app(true)).get('/console/demo-identities').set('Host', host);
      expect(res.status, host).to.equal(200);
    }
    for (const host of ['evil.example:3000', 'localhost.evil.example', '127.0.0.1.nip.io:3000']) {
      const res = await supertest(app(true)).get('/console/demo-identities').set('Host', host);
      expect(res.status, host).to.equal(403);
      expect(res.body.code).to.equal('FORBIDDEN');
      expect(JSON.stringify(res.body)).to.not.contain('"token"');
    }
  });

  it('says how to build the console when its bundle is missing, under the strict policy', async () => {
    const res = await supertest(app(false)).get('/');
    expect(res.status).to.equal(503);
    expect(res.text).to.contain('npm run build:console');
    expect(res.headers['content-security-policy']).to.equal(CONSOLE_CSP);
    expect(CONSOLE_CSP).to.contain("script-src 'self'").and.not.contain('unsafe');
    const docs = await supertest(app(false)).get('/docs');
    expect(docs.headers['content-security-policy']).to.equal(DOCS_CSP);
    expect(DOCS_CSP).to.contain("script-src 'self';").and.contain("style-src 'self' 'unsafe-inline'");
  });

  it('answers unknown console assets with a problem, and leaves API paths to the API', async () => {
    const asset = await supertest(app(false)).get('/console/assets/nope.js');
    expect(asset.status).to.equal(404);
    expect(asset.type).to.equal('application/problem+json');
    const api = await supertest(app(false)).get('/vouchers/VCH-X');
    expect(api.status).to.equal(401);
  });
});
