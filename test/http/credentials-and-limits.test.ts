import { expect } from 'chai';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { listen, serve } from '../../gateway/src/http/server';
import { expectProblem, startGateway, type TestGateway } from './harness';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` as raw bytes (so it can break HTTP) and reads the answer up to the closed connection. */
function raw(port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (data += c));
    socket.once('error', reject);
    socket.once('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('HTTP: missing credentials and the server limits answer problem+json', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  it('answers an empty Authorization header, and Bearer without a token, as it answers a missing header', async () => {
    const missing = await gw.http.get('/me');
    expectProblem(missing, 401, 'UNAUTHENTICATED');
    expect(missing.body.detail).to.equal('send Authorization: Bearer <token>');
    for (const header of ['Bearer ', 'Bearer', 'bearer    ', '']) {
      const res = await gw.http.get('/me').set('Authorization', header);
      expectProblem(res, 401, 'UNAUTHENTICATED');
      expect(res.body.detail, JSON.stringify(header)).to.equal(missing.body.detail);
      expect(res.headers['www-authenticate']).to.equal('Bearer');
    }
  });

  it('calls a well-formed token that maps to no identity unknown', async () => {
    const res = await gw.http.get('/me').set('Authorization', 'Bearer not-a-real-token');
    expectProblem(res, 401, 'UNAUTHENTICATED');
    expect(res.body.detail).to.equal('unknown bearer token');
  });

  describe("the HTTP server's own limits", () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = await listen({ port: 0, host: '127.0.0.1' });
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    const expectRawProblem = (res: RawAnswer, status: number, detail: RegExp) => {
      expect(res.status).to.equal(status);
      expect(res.headers['content-type']).to.equal('application/problem+json');
      const body = JSON.parse(res.body);
      expect(body).to.include({ status, code: 'VALIDATION_FAILED' });
      expect(body.type).to.match(/^urn:scf-ledger:problem:/);
      expect(body.detail).to.match(detail);
      expect(Number(res.headers['content-length'])).to.equal(Buffer.byteLength(res.body));
    };

    it('answers 503 problem+json while the gateway is still starting, then serves the app', async () => {
      const starting = await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(starting.status).to.equal(503);
      expect(JSON.parse(starting.body)).to.include({ status: 503, code: 'LEDGER_UNAVAILABLE' });
      serve(server, gw.app);
      expect((await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).to.equal(200);
    });

    it('answers a 100 KB bearer token with 431 problem+json, not an empty body', async () => {
      const token = 'a'.repeat(100 * 1024);
      const res = await raw(port, `GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      expectRawProblem(res, 431, /header fields are too large/);
    });

    it('answers a request that is not HTTP with 400 problem+json', async () => {
      expectRawProblem(await raw(port, 'HELLO\r\n\r\n'), 400, /not valid HTTP/);
    });
  });
});
