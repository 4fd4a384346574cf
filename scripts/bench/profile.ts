import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchConfig } from './config';
import { engineMinter, mintPieces, setUpCast } from './fixtures';
import { runLoad } from './load';
import type { Recorder } from './recorder';
import type { BackendKind } from './engine-ledger';
import { fullTransfers, type Log } from './scenarios';
import type { Target } from './target';
import { type CpuProfile, formatSummary, summariseProfile } from './profile-summary';

/**
 * The hottest path: full transfers (memory backend unless told), with V8's CPU
 * profiler (the one `node --cpu-prof` uses) running over the measured
 * interval only, so minting the pieces does not show in the profile.
 */
export async function profileTransfers(
  target: Target,
  cfg: BenchConfig,
  rec: Recorder,
  log: Log,
  outDir: string,
  backend: BackendKind = 'memory',
): Promise<string> {
  const { count, warmup, concurrency } = cfg.throughput;
  const ledger = await target.openLedger({ chaincode: 'scf', backend, cutter: cfg.setupCutter });
  const session = new Session();
  session.connect();
  try {
    const cast = await setUpCast(ledger);
    const pieces = await mintPieces(engineMinter(ledger, cast), warmup + count, 10_000n, 64);
    await ledger.setBlockCutter(cfg.cutter);
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    const result = await runLoad({
      count,
      warmup,
      concurrency,
      beforeMeasure: () => session.post('Profiler.start'),
      op: fullTransfers(ledger, cast, pieces, 0),
    });
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    rec.phase('throughput', `voucher full transfer (${backend}), profiled`, 0, ledger.description, result);
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, `transfer-${backend}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    log(`  ${result.tps.toFixed(0)} tx/s under the profiler; profile written to ${file}`);
    return formatSummary(summariseProfile(profile));
  } finally {
    session.disconnect();
    await ledger.close();
  }
}
