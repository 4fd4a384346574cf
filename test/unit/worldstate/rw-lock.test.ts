import { expect } from 'chai';
import { ReadWriteLock } from '../../../chaincode/src/worldstate';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('commit lock', () => {
  it('lets simulations share the lock and makes a commit wait for them', async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const r1 = await lock.read();
    const r2 = await lock.read();
    const writing = lock.write().then((release) => {
      log.push('write');
      return release;
    });
    await tick();
    expect(log).to.deep.equal([]);
    r1();
    await tick();
    expect(log).to.deep.equal([]);
    r2();
    (await writing)();
    expect(log).to.deep.equal(['write']);
  });

  it('holds back simulations that arrive while a commit is waiting', async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const r1 = await lock.read();
    const writing = lock.write().then((release) => {
      log.push('write');
      return release;
    });
    const reading = lock.read().then((release) => {
      log.push('late read');
      return release;
    });
    r1();
    const releaseWrite = await writing;
    await tick();
    expect(log).to.deep.equal(['write']);
    releaseWrite();
    (await reading)();
    expect(log).to.deep.equal(['write', 'late read']);
  });

  it('ignores a second release of the same grant', async () => {
    const lock = new ReadWriteLock();
    const r1 = await lock.read();
    const r2 = await lock.read();
    r1();
    r1();
    let written = false;
    const writing = lock.write().then((release) => {
      written = true;
      release();
    });
    await tick();
    expect(written).to.equal(false);
    r2();
    await writing;
    expect(written).to.equal(true);
  });
});
