import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/**
 * Finds the Fabric binaries; never builds them. Looked for, in order:
 *   1. $FABRIC_BIN
 *   2. the cache folder $SCF_FABRIC_CACHE (default ~/.cache/scf-ledger/fabric):
 *      <cache>/bin, then <cache>/<version>/bin, newest version first
 *   3. every folder on $PATH
 * A folder counts when it holds every tool in TOOLS and `peer version` says
 * 3.1.x. The configuration (core.yaml, orderer.yaml) is looked for in
 * $FABRIC_CFG_PATH, then beside the binaries in ../config, as Fabric's
 * release archives lay them out.
 */
export const TOOLS = ['peer', 'orderer', 'osnadmin', 'configtxgen', 'cryptogen'] as const;
export const REQUIRED_VERSION = /^3\.1\./;

export interface FabricBinaries {
  binDir: string;
  configDir: string;
  version: string;
}

export class FabricNotFound extends Error {
  override readonly name = 'FabricNotFound';
  constructor(
    readonly looked: string[],
    advice = 'Set FABRIC_BIN to a folder holding them (see README, "Fabric network").',
  ) {
    super(`Fabric 3.1.x binaries (${TOOLS.join(', ')}) not found. Looked in:\n` + looked.map((l) => `  - ${l}`).join('\n') + `\n${advice}`);
  }
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SCF_FABRIC_CACHE ?? join(homedir(), '.cache', 'scf-ledger', 'fabric');
}

/**
 * Version folders newest first, comparing each dot-separated part as a
 * number where it is one (3.1.10 before 3.1.9); other names after them.
 */
export function newestFirst(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, '').split(/[.-]/);
  const pa = parts(a);
  const pb = parts(b);
  for (let k = 0; k < Math.max(pa.length, pb.length); k++) {
    const x = pa[k];
    const y = pb[k];
    if (x === y) continue;
    if (x === undefined) return 1; // 3.1 after 3.1.5
    if (y === undefined) return -1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return ny - nx;
    if (!Number.isNaN(nx)) return -1; // a number before a name
    if (!Number.isNaN(ny)) return 1;
    return y < x ? -1 : 1;
  }
  return 0;
}

function candidates(env: NodeJS.ProcessEnv): Array<{ dir: string; origin: string }> {
  const out: Array<{ dir: string; origin: string }> = [];
  if (env.FABRIC_BIN) out.push({ dir: env.FABRIC_BIN, origin: 'FABRIC_BIN' });
  const cache = cacheRoot(env);
  out.push({ dir: join(cache, 'bin'), origin: 'cache' });
  let versions: string[] = [];
  try {
    versions = readdirSync(cache).filter((v) => v !== 'bin').sort(newestFirst);
  } catch {
    // no cache folder
  }
  for (const v of versions) out.push({ dir: join(cache, v, 'bin'), origin: 'cache' });
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) out.push({ dir, origin: 'PATH' });
  return out;
}

function peerVersion(binDir: string): string | undefined {
  try {
    const out = execFileSync(join(binDir, 'peer'), ['version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /Version:\s*v?(\S+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

/** The binaries in `dir`, or why they cannot be used (undefined: no binaries there at all). */
function usable(dir: string, env: NodeJS.ProcessEnv): FabricBinaries | string | undefined {
  const missing = TOOLS.filter((t) => !existsSync(join(dir, t)));
  if (missing.length === TOOLS.length) return undefined;
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const version = peerVersion(dir);
  if (!version || !REQUIRED_VERSION.test(version)) return `peer version ${version ?? 'unreadable'}, need 3.1.x`;
  const configDir = [env.FABRIC_CFG_PATH, join(dirname(dir), 'config')].find(
    (d): d is string => d !== undefined && existsSync(join(d, 'core.yaml')) && existsSync(join(d, 'orderer.yaml')),
  );
  if (!configDir) return `binaries ${version}, but no core.yaml and orderer.yaml in FABRIC_CFG_PATH or ${join(dirname(dir), 'config')}`;
  return { binDir: dir, configDir, version };
}

/**
 * FABRIC_BIN, else the newest release in the cache folder, else PATH. A
 * FABRIC_BIN that cannot be used is refused at once: whoever set it meant
 * those binaries, and running others found elsewhere without a word is how
 * a network ends up on a version nobody chose.
 */
export function findFabric(env: NodeJS.ProcessEnv = process.env): FabricBinaries {
  const looked: string[] = [];
  for (const { dir, origin } of candidates(env)) {
    const found = usable(dir, env);
    if (typeof found === 'object') return found;
    if (found !== undefined || origin !== 'PATH') looked.push(`${dir} (${origin}): ${found ?? 'no binaries'}`);
    if (origin === 'FABRIC_BIN') throw new FabricNotFound(looked, 'FABRIC_BIN is set, so nothing else was tried: point it at a Fabric 3.1 bin folder, or unset it to use the cache folder or PATH.');
  }
  looked.push(`PATH (${(env.PATH ?? '').split(delimiter).length} folders): no complete set`);
  throw new FabricNotFound(looked);
}
