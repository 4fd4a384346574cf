import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../gateway/src/config';

describe('gateway configuration', () => {
  it('defaults to the embedded ledger on loopback port 3000 with data under .scf/data', () => {
    const c = loadConfig({});
    expect(c).to.include({ ledger: 'embedded', port: 3000, host: '127.0.0.1', dataDir: '.scf/data', demo: true, stateCacheBytes: 64 * 1024 * 1024, ledgerThread: 'worker' });
  });

  it('reads typed values from the environment', () => {
    const c = loadConfig({ PORT: '0', SCF_DATA_DIR: '/tmp/x', SCF_BATCH_TIMEOUT_MS: '25', SCF_DEMO: 'false', SCF_STATE_CACHE_MB: '0', SCF_LEDGER_THREAD: 'main' });
    expect(c).to.include({ port: 0, dataDir: '/tmp/x', batchTimeoutMs: 25, demo: false, stateCacheBytes: 0, ledgerThread: 'main' });
  });

  it('reads the operator to bootstrap without the demo (SCF_OPERATOR_ID, SCF_OPERATOR_NAME, SCF_OPERATOR_IDENTITY)', () => {
    expect(loadConfig({}).operator).to.equal(undefined);
    const c = loadConfig({ SCF_DEMO: 'false', SCF_OPERATOR_ID: '91310000100000001A', SCF_OPERATOR_NAME: ' Platform Co. ' });
    expect(c.operator).to.deep.equal({ id: '91310000100000001A', name: 'Platform Co.', identity: 'operator-admin' });
    expect(loadConfig({ SCF_DEMO: 'false', SCF_OPERATOR_ID: '91310000100000001A', SCF_OPERATOR_NAME: 'P', SCF_OPERATOR_IDENTITY: 'platform-admin' }).operator?.identity).to.equal('platform-admin');
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ SCF_DEMO: 'false', SCF_OPERATOR_ID: '91310000100000001Y', SCF_OPERATOR_NAME: 'P' }, 'SCF_OPERATOR_ID'],
    [{ SCF_DEMO: 'false', SCF_OPERATOR_ID: '91310000100000001A' }, 'SCF_OPERATOR_NAME'],
    [{ SCF_DEMO: 'false', SCF_OPERATOR_NAME: 'P' }, 'SCF_OPERATOR_ID'],
    [{ SCF_DEMO: 'false', SCF_OPERATOR_ID: '91310000100000001A', SCF_OPERATOR_NAME: '  ' }, 'SCF_OPERATOR_NAME'],
    [{ SCF_OPERATOR_ID: '91310000100000001A', SCF_OPERATOR_NAME: 'P' }, 'SCF_DEMO=false'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SCF_LEDGER: 'couchdb' }, 'SCF_LEDGER'],
    [{ SCF_LEDGER: 'fabric' }, 'SCF_FABRIC_PROFILE'],
    [{ SCF_BATCH_MAX_TX: '0' }, 'SCF_BATCH_MAX_TX'],
    [{ SCF_STATE_CACHE_MB: '-1' }, 'SCF_STATE_CACHE_MB'],
    [{ SCF_STATE_CACHE_MB: 'lots' }, 'SCF_STATE_CACHE_MB'],
    [{ SCF_LEDGER_THREAD: 'true' }, 'SCF_LEDGER_THREAD'],
  ];
  for (const [env, variable] of bad) {
    it(`fails fast naming ${variable} when given ${JSON.stringify(env)}`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, variable);
    });
  }
});
