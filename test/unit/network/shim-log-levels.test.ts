import { expect } from 'chai';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import '../../../network/src/shim-log-levels';

// The winston fabric-shim loads, which the preload patches.
const fromShim = createRequire(require.resolve('fabric-shim/package.json'));
const winston = fromShim('winston') as typeof import('winston');

/** A logger at `level` whose format counts the entries it formats and whose transport keeps what it prints. */
function logger(level: string) {
  let formatted = 0;
  const printed: string[] = [];
  const count = winston.format((info) => {
    formatted++;
    return info;
  });
  const sink = new Writable({
    objectMode: true,
    write(info: { level: string; message: string }, _enc, done) {
      printed.push(`${info.level}:${info.message}`);
      done();
    },
  });
  const log = winston.createLogger({ level, format: count(), transports: [new winston.transports.Stream({ stream: sink })] });
  return { log, formatted: () => formatted, printed };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("chaincode servers' shim logging (network/src/shim-log-levels.ts)", () => {
  it('drops messages below the level before formatting them, in every calling form', async () => {
    const l = logger('warn');
    l.log.debug('one');
    l.log.debug('two %s', 'args');
    l.log.info({ message: 'three' });
    l.log.log('debug', 'four');
    l.log.warn('kept');
    l.log.error('also kept');
    await settle();
    expect(l.formatted()).to.equal(2);
    expect(l.printed).to.deep.equal(['warn:kept', 'error:also kept']);
  });

  it('prints everything at debug, as before', async () => {
    const l = logger('debug');
    l.log.debug('one');
    l.log.info('two');
    l.log.error('three');
    await settle();
    expect(l.formatted()).to.equal(3);
    expect(l.printed).to.deep.equal(['debug:one', 'info:two', 'error:three']);
  });
});
