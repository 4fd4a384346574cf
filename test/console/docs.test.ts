import { expect } from 'chai';
import { join } from 'node:path';
import { ARTIFACTS, consoleRigHooks, expectNoViolations } from './browser';

/** /docs: Swagger UI, served by the gateway, renders the gateway's own /openapi.json. */
describe('console: the API reference at /docs', function () {
  this.timeout(60_000);
  // Its first test checks the page's CSP violations itself; the second does not.
  const rig = consoleRigHooks({ artifacts: true, checkEachTest: false });

  it('renders every route of /openapi.json, with nothing fetched from another origin', async () => {
    const { page } = await rig().open();
    const foreign: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(rig().base) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    const openapi = (await (await fetch(`${rig().base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const expected = Object.entries(openapi.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(expected.length).to.be.greaterThan(50);

    const response = await page.goto('/docs');
    expect(response?.headers()['content-security-policy']).to.contain("script-src 'self'");
    // Swagger UI's own markup: one block per operation, its method and path.
    const blocks = page.locator('.opblock-summary');
    await blocks.first().waitFor();
    const rendered: string[] = [];
    for (const block of await blocks.all()) {
      const method = (await block.locator('.opblock-summary-method').textContent()) ?? '';
      const path = (await block.locator('.opblock-summary-path').getAttribute('data-path')) ?? '';
      rendered.push(`${method.toUpperCase()} ${path}`);
    }
    expect([...rendered].sort()).to.deep.equal(expected);
    await page.getByRole('link', { name: 'SCF Ledger console' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'docs.png') });
    expect(foreign).to.deep.equal([]);
    expectNoViolations(rig());
  });

  it('is linked from the console', async () => {
    const { page } = await rig().open();
    await page.getByRole('button', { name: 'Sign in as auditor' }).click();
    await page.getByRole('link', { name: 'API reference' }).click();
    await page.waitForURL('**/docs');
    await page.locator('.opblock-summary').first().waitFor();
  });
});
