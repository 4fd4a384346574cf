import { expect } from 'chai';
import { MONEY_FIELDS } from '../../console/src/money-fields';
import { startGateway, type TestGateway } from './harness';

/**
 * The console shows a money field as yuan only if it knows the field holds
 * money. Its list is checked here against every property the REST API
 * declares as money (the Money schema's pattern) in /openapi.json.
 */
describe("HTTP: the console's money fields cover the API's", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  it('lists every property /openapi.json declares as money', async () => {
    const doc = (await gw.http.get('/openapi.json')).body as unknown;
    const money = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      const { properties } = node as { properties?: Record<string, { pattern?: string }> };
      for (const [name, schema] of Object.entries(properties ?? {})) {
        if (schema.pattern === '^(0|[1-9][0-9]{0,18})$') money.add(name);
      }
      Object.values(node).forEach(walk);
    };
    walk(doc);
    // The walk finds money where it is known to be: it must not pass by finding nothing.
    expect([...money]).to.include.members(['amount', 'limit', 'headroom', 'valuation']);
    expect([...money].filter((name) => !MONEY_FIELDS.has(name)), 'money fields the console would show as bare fen').to.deep.equal([]);
  });
});
