import '../../gateway/src/chaincode-logs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendKind } from './engine-ledger';
import { configFor, type Group, GROUPS, type Mode } from './config';
import { creditLinesGroup } from './credit-lines';
import { profileTransfers } from './profile';
import { Recorder } from './recorder';
import { buildReport, checkLines, loadAverage, machineLine, phaseTable, ratioTable, writeReport } from './report';
import { conflictsGroup, gatewayGroup, type Log, scaleGroup, throughputGroup } from './scenarios';
import { openTarget, type Target } from './target';

/**
 * `npm run bench` — every scenario on the embedded ledger; results as JSON
 * under .bench/ and a table on stdout. Exit 0 when every check passed, 1 when
 * one failed, 2 when the benchmark could not run (bad arguments, target
 * unavailable).
 *
 *   --quick            small counts: a smoke run in under a minute
 *   --profile          only full transfers, under the CPU profiler
 *   --backend <kind>   with --profile: memory (default) or level
 *   --target <kind>    embedded (the only one; the real network: npm run bench:fabric)
 *   --only <groups>    comma-separated: throughput,gateway,conflicts,scale,creditlines
 *   --repeats <n>      override the number of repeats
 *   --concurrency <n>  override the clients of the throughput and gateway phases
 *   --out <file>       JSON report path (default .bench/bench-<mode>-<time>.json)
 */

const USAGE = 'usage: main.ts [--quick | --profile [--backend memory|level]] [--target embedded] [--only throughput,gateway,conflicts,scale,creditlines] [--repeats n] [--concurrency n] [--out file]';

class UsageError extends Error {}

const isBackend = (b: string): b is BackendKind => b === 'memory' || b === 'level';

function parseCli(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      target: { type: 'string', default: 'embedded' },
      only: { type: 'string' },
      repeats: { type: 'string' },
      concurrency: { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.quick && values.profile) throw new UsageError('--quick and --profile exclude each other');
  const mode: Mode = values.profile ? 'profile' : values.quick ? 'quick' : 'full';
  const config = configFor(mode);
  if (values.repeats !== undefined) {
    const n = Number(values.repeats);
    if (!Number.isInteger(n) || n < 1 || n > 20) throw new UsageError(`--repeats must be a whole number from 1 to 20, got ${values.repeats}`);
    config.repeats = n;
  }
  if (values.concurrency !== undefined) {
    const n = Number(values.concurrency);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency must be a whole number from 1 to 256, got ${values.concurrency}`);
    config.throughput.concurrency = n;
    config.gateway.concurrency = n;
  }
  const backend = values.backend ?? 'memory';
  if (!isBackend(backend)) throw new UsageError(`--backend must be memory or level, got ${backend}`);
  if (values.backend !== undefined && mode !== 'profile') throw new UsageError('--backend applies to --profile only');
  let groups: Group[] = [...GROUPS];
  if (values.only !== undefined) {
    const asked = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = asked.filter((g) => !(GROUPS as readonly string[]).includes(g));
    if (unknown.length > 0 || asked.length === 0) throw new UsageError(`--only takes some of ${GROUPS.join(',')}; got ${values.only}`);
    groups = asked as Group[];
  }
  return { mode, config, groups, backend, target: values.target, out: values.out };
}

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  let target: Target;
  try {
    target = openTarget(cli.target);
  } catch (err) {
    if (err instanceof RangeError) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const log: Log = (line) => process.stderr.write(`${line}\n`);
  const rec = new Recorder();
  const { config } = cli;
  const command = `npm run bench${cli.mode === 'full' ? '' : `:${cli.mode}`}${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  log(`bench (${cli.mode}) on the ${target.kind} target, ${config.repeats} repeat(s)`);

  let profileSummary: string | undefined;
  if (cli.mode === 'profile') {
    profileSummary = await profileTransfers(target, config, rec, log, join('.bench', 'profile'), cli.backend);
  } else {
    const groups: Record<Group, () => Promise<void>> = {
      throughput: () => throughputGroup(target, config, rec, log),
      gateway: () => gatewayGroup(target, config, rec, log),
      conflicts: () => conflictsGroup(target, config, rec, log),
      scale: () => scaleGroup(target, config, rec, log),
      creditlines: () => creditLinesGroup(target, config, rec, log),
    };
    for (const g of cli.groups) {
      log(`${g}:`);
      await groups[g]();
    }
  }

  const report = buildReport(rec, { startedAt, loadAtStart, command, target: target.kind, config });
  const out = cli.out ?? join('.bench', `bench-${cli.mode}-${stamp}.json`);
  await writeReport(out, report);

  const seconds = ((Date.parse(report.finishedAt) - startedAt.getTime()) / 1000).toFixed(0);
  const lines = [
    '',
    `SCF Ledger benchmark — ${target.kind} target, ${cli.mode} run, ${seconds} s`,
    `machine: ${machineLine(report.machine)}`,
    `load average (1/5/15 min): ${report.loadAverage.start.join(' ')} at start, ${report.loadAverage.end.join(' ')} at end`,
    `block cutter: ${config.cutter.batchMaxTx} tx or ${config.cutter.batchTimeoutMs} ms; medians over ${config.repeats} repeat(s)`,
    '',
    phaseTable(report),
  ];
  if (report.ratios.length > 0) lines.push('', ratioTable(report));
  if (report.checks.length > 0) lines.push('', checkLines(report));
  if (profileSummary) lines.push('', profileSummary);
  lines.push('', `JSON: ${out}`, '');
  process.stdout.write(lines.join('\n'));
  return report.checks.every((c) => c.passed) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
