import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../network/src/network';

describe('network CLI', () => {
  it('refuses an argument it does not know, with its usage, and does nothing', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'scf-cli-'));
    try {
      writeFileSync(join(runDir, 'network.json'), JSON.stringify({ profile: 'raft1', base: 13050 }));
      const cli = join(REPO_ROOT, 'network', 'src', 'cli.ts');
      const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', cli, 'down', '--purg'], {
        cwd: REPO_ROOT,
        env: { ...process.env, SCF_NETWORK_DIR: runDir },
        encoding: 'utf8',
      });
      expect(r.status).to.equal(2);
      expect(r.stderr).to.equal('network: unknown argument "--purg"\nusage: network up [--orderers raft1|raft3|bft4] | down [--purge] | status\n');
      expect(existsSync(join(runDir, 'network.json'))).to.equal(true);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
