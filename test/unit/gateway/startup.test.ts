import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientErrorProblem, ListenError } from '../../../gateway/src/http/server';
import { baseUrl, explainDataDirFailure, explainOutboxFailure, prepareDataDir, privateFolder, startBanner, StartupError } from '../../../gateway/src/startup';
import { OutboxOfAnotherLedger } from '../../../gateway/src/webhooks/outbox';
import { rejectionOf } from '../../support/rejection';

describe('gateway start-up', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'scf-startup-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  describe('prepareDataDir', () => {
    it('creates the missing folders and leaves nothing else behind', async () => {
      const dir = join(tmp, 'a', 'b', 'c');
      await prepareDataDir(dir);
      expect(existsSync(dir)).to.equal(true);
      expect(await readdir(dir)).to.deep.equal([]);
      await prepareDataDir(dir); // an existing folder is fine
    });

    it('names SCF_DATA_DIR and the file when a part of the path is a file', async () => {
      const file = join(tmp, 'plain-file');
      await writeFile(file, 'x');
      const err = await rejectionOf<StartupError>(prepareDataDir(join(file, 'data')));
      expect(err).to.be.instanceOf(StartupError);
      expect(err.message).to.contain(`SCF_DATA_DIR=${join(file, 'data')}`).and.to.contain('a part of the path is a file, not a folder');
      const self = await rejectionOf<StartupError>(prepareDataDir(file));
      expect(self.message).to.contain(`${file} is a file, not a folder`);
    });

    it('shows the absolute path beside a relative SCF_DATA_DIR', async () => {
      const err = await rejectionOf<StartupError>(prepareDataDir('package.json/data'));
      expect(err.message).to.match(/^SCF_DATA_DIR=package\.json\/data \(\/.+\/package\.json\/data\) cannot be used/);
    });
  });

  describe('privateFolder (the embedded ledger)', () => {
    it('creates the folder readable by its owner alone, and restricts one an earlier version left open', async () => {
      const fresh = join(tmp, 'data-fresh', 'ledger');
      await privateFolder(fresh);
      expect((await stat(fresh)).mode & 0o777).to.equal(0o700);
      const open = join(tmp, 'data-open', 'ledger');
      await mkdir(open, { recursive: true, mode: 0o755 });
      await writeFile(join(open, 'CURRENT'), 'MANIFEST-000001\n');
      await privateFolder(open);
      expect((await stat(open)).mode & 0o777).to.equal(0o700);
      expect(await readdir(open)).to.deep.equal(['CURRENT']);
    });
  });

  describe('explainDataDirFailure', () => {
    it('says that another gateway holds the folder when LevelDB reports its lock', () => {
      const locked = Object.assign(new Error('Database failed to open'), {
        code: 'LEVEL_DATABASE_NOT_OPEN',
        cause: Object.assign(new Error('IO error: lock /d/ledger/LOCK: Resource temporarily unavailable'), { code: 'LEVEL_LOCKED' }),
      });
      const wrapped = new Error('the ledger store failed to open', { cause: locked });
      for (const err of [locked, wrapped]) {
        const explained = explainDataDirFailure(err, '/d');
        expect(explained?.message).to.equal(
          'another gateway is using the data folder SCF_DATA_DIR=/d: its ledger /d/ledger is locked. Stop that gateway, or give this one its own SCF_DATA_DIR',
        );
      }
    });

    it('names the operation, the path and the reason of a file-system error', () => {
      const eacces = Object.assign(new Error("EACCES: permission denied, open '/d/identities.json'"), { code: 'EACCES', syscall: 'open', path: '/d/identities.json', errno: -13 });
      expect(explainDataDirFailure(eacces, '/d')?.message).to.equal('SCF_DATA_DIR=/d cannot be used as the data folder: cannot open /d/identities.json: permission denied');
    });

    it('leaves other errors alone', () => {
      expect(explainDataDirFailure(new Error('boom'), '/d')).to.equal(undefined);
      expect(explainDataDirFailure('boom', '/d')).to.equal(undefined);
    });
  });

  describe('explainOutboxFailure', () => {
    it("says that another gateway holds the folder when the webhook outbox's LevelDB is locked, and passes on an outbox of another ledger in one line", () => {
      const locked = Object.assign(new Error('Database failed to open'), {
        code: 'LEVEL_DATABASE_NOT_OPEN',
        cause: Object.assign(new Error('IO error: lock /d/webhooks/LOCK: Resource temporarily unavailable'), { code: 'LEVEL_LOCKED' }),
      });
      expect(explainOutboxFailure(locked, '/d')?.message).to.equal(
        'another gateway is using the data folder SCF_DATA_DIR=/d: its webhook outbox /d/webhooks is locked. Stop that gateway, or give this one its own SCF_DATA_DIR',
      );
      const other = new OutboxOfAnotherLedger('the webhook outbox in /d/webhooks follows another ledger: …');
      const explained = explainOutboxFailure(other, '/d');
      expect(explained).to.be.instanceOf(StartupError);
      expect(explained?.message).to.equal(other.message);
      expect(explainOutboxFailure(new Error('boom'), '/d')).to.equal(undefined);
    });
  });

  describe('startBanner', () => {
    const table = () => '  TOKENS';
    const url = baseUrl('127.0.0.1', 3000);
    const embedded = { kind: 'embedded' as const, firstStart: true, bootstrapped: true };

    it('prints the token table when the demo set-up made or bound the identities', () => {
      const first = startBanner({ ...embedded, demo: { bootstrapped: true, bound: ['a'] } }, '/d', url, table);
      expect(first).to.contain('first start').and.to.contain('TOKENS').and.to.contain('http://127.0.0.1:3000/me');
      const later = startBanner({ ...embedded, firstStart: false, demo: { bootstrapped: true, bound: ['a'] } }, '/d', url, table);
      expect(later).to.contain('demo members set up').and.to.contain('TOKENS');
    });

    it('prints nothing when a later start changed nothing', () => {
      expect(startBanner({ ...embedded, firstStart: false, demo: { bootstrapped: false, bound: [] } }, '/d', url, table)).to.equal('');
      expect(startBanner({ ...embedded, firstStart: false, demo: undefined }, '/d', url, table)).to.equal('');
      expect(startBanner({ ...embedded, kind: 'fabric', demo: undefined }, '/p.json', url, table)).to.equal('');
    });

    it('prints the tokens of the Fabric profile at every start with the demo', () => {
      const banner = startBanner({ ...embedded, kind: 'fabric', firstStart: false, demo: { bootstrapped: false, bound: [] } }, '/run/gateway-profile.json', url, table);
      expect(banner).to.contain('Fabric network of /run/gateway-profile.json').and.to.contain('TOKENS').and.to.contain('http://127.0.0.1:3000/me');
    });

    it('prints no tokens without the demo, but that no member exists and how to set the demo up', () => {
      const banner = startBanner({ ...embedded, demo: undefined, bootstrapped: false }, '/d', url, table);
      expect(banner).not.to.contain('TOKENS');
      expect(banner).to.contain('has no members (SCF_DEMO=false)').and.to.contain('SCF_DEMO=true').and.to.contain('/d/identities.json');
    });

    it('writes an IPv6 host in brackets', () => {
      expect(baseUrl('::1', 8080)).to.equal('http://[::1]:8080');
    });
  });

  describe('the HTTP server', () => {
    it("answers the parser's refusals with Node's statuses as problem+json bodies", () => {
      const of = (code: string) => clientErrorProblem(Object.assign(new Error(code), { code }));
      expect(of('HPE_HEADER_OVERFLOW')).to.include({ status: 431, code: 'VALIDATION_FAILED' });
      expect(of('HPE_CHUNK_EXTENSIONS_OVERFLOW')).to.include({ status: 413 });
      expect(of('ERR_HTTP_REQUEST_TIMEOUT')).to.include({ status: 408 });
      expect(of('HPE_INVALID_METHOD')).to.include({ status: 400 });
      expect(of('HPE_INVALID_METHOD').detail).to.contain('HPE_INVALID_METHOD');
    });

    it('says which address could not be had, the variables that set it, and why', () => {
      const err = new ListenError('127.0.0.1', 3000, 'EADDRINUSE', new Error('listen EADDRINUSE'));
      expect(err.message).to.equal(
        'cannot listen on 127.0.0.1:3000 (PORT=3000, HOST=127.0.0.1): the port is already in use by another process (another gateway?); stop it or choose another PORT',
      );
    });
  });
});
