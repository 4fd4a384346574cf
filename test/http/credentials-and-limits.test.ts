import { expect } from 'chai';
import { expectProblem, startGateway, type TestGateway } from './harness';

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
});
