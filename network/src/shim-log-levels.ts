import { createRequire } from 'node:module';

/**
 * Preloaded into every chaincode server the network starts (`node -r`, see
 * startChaincodeServer): fabric-shim's winston loggers skip a message below
 * their level before formatting it.
 *
 * Why: winston runs every message through the logger's format pipeline
 * (fabric-shim's: timestamp, metadata, colours, padding, printf) and only
 * then lets the transport drop it for its level. fabric-shim logs several
 * debug lines per shim message, so at WARNING the `scf` chaincode server
 * spent 18% of its busy CPU formatting lines nobody sees (a profile on the
 * real network, docs/BENCHMARKS.md). What is printed does not change: a
 * message at or above the logger's level goes through as before.
 *
 * Applied to the winston that fabric-shim itself loads. Kept out of
 * chaincode/src (it is process set-up, not contract logic) and applied to
 * the benchmark's trivial contract alike, since both run in servers started
 * here. A deployment that runs our chaincode server its own way can preload
 * the built file the same way (`node -r dist/network/src/shim-log-levels.js`).
 */

interface WinstonLogger {
  isLevelEnabled(level: string): boolean;
  write: (this: WinstonLogger, chunk: unknown, ...rest: unknown[]) => boolean;
}

// winston as fabric-shim resolves it (its own copy if it has one).
const fromShim = createRequire(require.resolve('fabric-shim/package.json'));
const winston = fromShim('winston') as { Logger: { prototype: WinstonLogger } };
// winston keys an entry's level under triple-beam's LEVEL symbol (a registered symbol).
const LEVEL = Symbol.for('level');

function skipDisabledLevels(prototype: WinstonLogger): void {
  const write = prototype.write;
  prototype.write = function (this: WinstonLogger, chunk: unknown, ...rest: unknown[]): boolean {
    if (chunk !== null && typeof chunk === 'object') {
      const entry = chunk as Record<string | symbol, unknown>;
      const level = entry[LEVEL] ?? entry.level;
      if (typeof level === 'string' && !this.isLevelEnabled(level)) return true;
    }
    return write.call(this, chunk, ...rest);
  };
}

skipDisabledLevels(winston.Logger.prototype);
