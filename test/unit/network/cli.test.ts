import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
      expect(r.stderr).to.equal('network: unknown argument "--purg"\nusage: network up [--orderers raft1|raft3|bft4] | down [--purge] | status | upgrade\n');
      expect(existsSync(join(runDir, 'network.json'))).to.equal(true);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('refuses an upgrade of a network that does not run, naming what is stopped, before building anything', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'scf-cli-'));
    try {
      writeFileSync(join(runDir, 'network.json'), JSON.stringify({ profile: 'raft1', base: 13050 }));
      const cli = join(REPO_ROOT, 'network', 'src', 'cli.ts');
      const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', cli, 'upgrade'], {
        cwd: REPO_ROOT,
        env: { ...process.env, SCF_NETWORK_DIR: runDir },
        encoding: 'utf8',
      });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^network: upgrade needs the whole network running; stopped: orderer.*peer0.*chaincode scf \(npm run network:up first\)\n$/);
      expect(r.stdout).not.to.contain('building');
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('refuses an up with other settings than the run folder holds before building anything, naming both', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'scf-cli-'));
    try {
      mkdirSync(join(runDir, 'channel'));
      writeFileSync(join(runDir, 'channel', 'scf.block'), 'genesis');
      writeFileSync(join(runDir, 'network.json'), JSON.stringify({ profile: 'raft1', base: 13050 }));
      const before = readFileSync(join(runDir, 'network.json'), 'utf8');
      const cli = join(REPO_ROOT, 'network', 'src', 'cli.ts');
      const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', cli, 'up'], {
        cwd: REPO_ROOT,
        env: { ...process.env, SCF_NETWORK_DIR: runDir, SCF_NETWORK_PORT_BASE: '13550' },
        encoding: 'utf8',
      });
      expect(r.status).to.equal(1);
      expect(r.stdout, 'nothing built or started').to.equal('');
      expect(r.stderr).to.contain(`network: the run folder ${runDir} holds a network made for port base 13050 (network.json); asked for port base 13550`);
      expect(readFileSync(join(runDir, 'network.json'), 'utf8')).to.equal(before);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
