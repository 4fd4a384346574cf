import { FabricNotFound } from './fabric-bin';
import { buildChaincode, checkUpSettings, down, profilePath, status, up, upgrade } from './network';
import { PROFILES, type ProfileName } from './layout';

/*
 * npm run network:up [-- --orderers raft1|raft3|bft4]
 * npm run network:down [-- --purge]
 * npm run network:status
 * npm run network:upgrade
 * Environment: SCF_NETWORK_DIR (run folder, default .scf/network),
 * SCF_NETWORK_PORT_BASE (default 7050), FABRIC_BIN, SCF_FABRIC_LOG.
 */
const USAGE = 'usage: network up [--orderers raft1|raft3|bft4] | down [--purge] | status | upgrade';

function usage(problem?: string): never {
  process.stderr.write(`${problem ? `network: ${problem}\n` : ''}${USAGE}\n`);
  process.exit(2);
}

/**
 * The command's arguments, checked against what it accepts: `flags` take
 * no value, `options` take one. Anything else (a mistyped `--purg`) is
 * refused rather than ignored.
 */
function parseArgs(args: string[], accepts: { flags?: string[]; options?: string[] }): { flags: Set<string>; options: Map<string, string> } | string {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let k = 0; k < args.length; k++) {
    const a = args[k] as string;
    if (accepts.flags?.includes(a)) {
      flags.add(a);
    } else if (accepts.options?.includes(a)) {
      const v = args[k + 1];
      if (v === undefined || v.startsWith('--')) return `${a} needs a value`;
      options.set(a, v);
      k++;
    } else {
      return `unknown argument ${JSON.stringify(a)}`;
    }
  }
  return { flags, options };
}

function argsOf(args: string[], accepts: { flags?: string[]; options?: string[] }): { flags: Set<string>; options: Map<string, string> } {
  const parsed = parseArgs(args, accepts);
  return typeof parsed === 'string' ? usage(parsed) : parsed;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  const log = (line: string) => process.stdout.write(`network: ${line}\n`);
  switch (command) {
    case 'up': {
      const orderers = argsOf(args, { options: ['--orderers'] }).options.get('--orderers');
      if (orderers !== undefined && !PROFILES.includes(orderers as ProfileName)) {
        process.stderr.write(`network: --orderers must be one of ${PROFILES.join(', ')} (got ${orderers})\n`);
        return 2;
      }
      const settings = { profile: orderers as ProfileName | undefined };
      checkUpSettings(settings); // refused before the build, which takes seconds
      log('building the chaincode server (tsc -b tsconfig.build.json)');
      buildChaincode();
      const r = await up({ ...settings, log });
      if (r.alreadyRunning) log(`already running (${r.layout.profile}); nothing to do`);
      log(`ready in ${r.seconds.toFixed(1)} s. Gateway: SCF_LEDGER=fabric SCF_FABRIC_PROFILE=${r.profile} (or npm run start:fabric)`);
      return 0;
    }
    case 'down': {
      const stopped = await down({ purge: argsOf(args, { flags: ['--purge'] }).flags.has('--purge') });
      log(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'upgrade': {
      argsOf(args, {});
      // Refused before the build, which takes seconds: the rollout needs every process (upgrade checks again under the lock).
      const stopped = status().nodes.filter((n) => n.pid === undefined);
      if (stopped.length > 0) {
        process.stderr.write(`network: upgrade needs the whole network running; stopped: ${stopped.map((n) => n.name).join(', ')} (npm run network:up first)\n`);
        return 1;
      }
      log('building the chaincode server (tsc -b tsconfig.build.json)');
      buildChaincode();
      const r = await upgrade({ log });
      log(`chaincode scf upgraded to sequence ${r.sequence} in ${r.seconds.toFixed(1)} s; repair indexes if the release says so (docs/API.md)`);
      return 0;
    }
    case 'status': {
      argsOf(args, {});
      const s = status();
      const running = s.nodes.filter((n) => n.pid !== undefined).length;
      log(`${s.layout.runDir}: profile ${s.layout.profile}, ports from ${s.layout.base}; ${running} of ${s.nodes.length} processes running`);
      if (s.asked) log(`  (asked for profile ${s.asked.profile}, ports from ${s.asked.base}: this run folder's network was made with the settings above)`);
      for (const n of s.nodes) log(`  ${n.name.padEnd(22)} 127.0.0.1:${n.port}  ${n.pid === undefined ? 'stopped' : `pid ${n.pid}`}`);
      if (running > 0) log(`gateway profile: ${profilePath(s.layout)}`);
      return running === s.nodes.length ? 0 : 3;
    }
    default:
      return usage();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof FabricNotFound) process.stderr.write(`network: ${err.message}\n`);
    else process.stderr.write(`network: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
