import '../../gateway/src/chaincode-logs';
import { createHash } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoMember } from '../../gateway/src/demo/plan';
import type { EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger';
import { ageingCsv, exposureCsv, ladderCsv } from '../../gateway/src/reports/compute';
import { openEmbeddedRuntime } from '../../gateway/src/runtime';
import { createServices } from '../../gateway/src/services';
import type { CallContext } from '../../gateway/src/services/calls';
import { mintTree, parallel, planForRecords } from './fixtures';
import { type CpuProfile, formatSummary, summariseProfile } from './profile-summary';

/*
 * `npm run bench:reports [-- --vouchers 100000 --financings 200 --runs 5]`:
 * the three reports (issue 17) over an embedded ledger holding that many
 * voucher records, made with ordinary transactions through the gateway's
 * connector (roots split 20 ways, twice: most records are ACTIVE leaves).
 * Each report is timed through its service (the ledger reads: the ladder and
 * ageing through voucher:Maturities, 1,000 keys a call, receivables and
 * financings paged by 200 through the chaincode's indexes; and the sums) as
 * the auditor (everything) and as members, plus the JSON and CSV rendering. Prints a Markdown table for
 * docs/BENCHMARKS.md. Rerunnable: each run makes a fresh ledger in a
 * temporary folder and removes it.
 *
 * `--data DIR` keeps the ledger in DIR instead (made on the first run, reused
 * as it is by the next ones: iterate on the reports without minting again);
 * `--profile FILE` writes a V8 CPU profile of the timed runs only (not the
 * minting) and prints its summary; `--only auditor` times one caller.
 */

function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a whole number`);
  return v;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const vouchers = arg('vouchers', 100_000);
  const financings = arg('financings', 200);
  const runs = arg('runs', 5);
  const kept = textArg('data');
  const profileFile = textArg('profile');
  const only = textArg('only');
  if (kept) await mkdir(kept, { recursive: true });
  const reuse = kept !== undefined && (await exists(join(kept, 'ledger')));
  const dataDir = kept ?? (await mkdtemp(join(tmpdir(), 'scf-bench-reports-')));
  const runtime = await openEmbeddedRuntime({ dataDir, batchTimeoutMs: 5, batchMaxTx: 500, submitDeadlineMs: 300_000, demo: true });
  try {
    const id = (label: string) => {
      const i = runtime.identities.get(label);
      if (!i) throw new Error(`no identity ${label}`);
      return i;
    };
    const submit = async (label: string, name: string, command: object, transient?: Record<string, unknown>) =>
      (
        await runtime.ledger.submit(id(label), name, command, {
          deadlineMs: 300_000,
          transient: transient && Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, Buffer.from(JSON.stringify(v), 'utf8')])),
        })
      ).result;
    const started = Date.now();
    const plan = reuse ? undefined : planForRecords(0, vouchers, 10_000n, 1);
    const minted = plan ? await mintTree({ submit, supplier: 'supplier1', supplierId: demoMember('supplier1').id, core: 'core-maker', coreId: demoMember('core').id }, plan) : { leaves: [], records: 0 };
    const bank = demoMember('bank').id;
    await parallel(minted.leaves.slice(0, reuse ? 0 : financings), 1, async (leaf) => {
      const f = (await submit('supplier1', 'financing:Request', { asset: { type: 'VOUCHER', id: leaf.id }, bank, requestedAmount: '9000' })) as { id: string };
      await submit('bank-maker', 'financing:Approve', { id: f.id, advanceAmount: '9000', annualRateBps: 450 });
      await submit('bank-maker', 'financing:Disburse', { id: f.id, paymentRef: `CNAPS-${f.id}` });
    });
    const height = await (runtime.ledger as EmbeddedLedger).height();
    if (reuse) process.stderr.write(`reusing the ledger in ${kept}\n`);
    else process.stderr.write(`ledger ready: ${minted.records} voucher records (${minted.leaves.length} outstanding leaves), ${financings} financings, ${height} blocks, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    const services = createServices(runtime.ledger, { submitDeadlineMs: 300_000 });
    const ctx = (label: string): CallContext => ({ principal: { label, identity: id(label) } });
    const cases: Array<[string, string, () => Promise<string>]> = [];
    for (const label of only ? [only] : ['auditor', 'supplier1', 'bank-maker']) {
      const both = <R>(r: R, csv: (r: R) => string) => `${JSON.stringify(r)}\n${csv(r)}`;
      cases.push(['maturity ladder', label, async () => both(await services.reports.maturityLadder(ctx(label)), ladderCsv)]);
      cases.push(['ageing', label, async () => both(await services.reports.ageing(ctx(label)), ageingCsv)]);
      cases.push(['exposure', label, async () => both(await services.reports.exposure(ctx(label)), exposureCsv)]);
    }
    const lines = [
      reuse
        ? `Reports over the ledger kept in ${kept}; ${runs} runs each, JSON and CSV built`
        : `Reports at ${minted.records.toLocaleString('en-US')} voucher records (${minted.leaves.length.toLocaleString('en-US')} outstanding), ${financings} disbursed financings; ${runs} runs each, JSON and CSV built`,
      '',
      '| report | as | median ms | min ms | max ms |',
      '|---|---|---:|---:|---:|',
    ];
    const session = new Session();
    if (profileFile) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
    }
    for (const [name, label, run] of cases) {
      // The warm-up's JSON and CSV, hashed: two runs (or two versions of the code) over one
      // ledger (--data) gave the same reports when their digests agree.
      const digest = createHash('sha256').update(await run()).digest('hex').slice(0, 16);
      process.stderr.write(`${name} as ${label}: sha256 ${digest}\n`);
      if (profileFile) await session.post('Profiler.start');
      const times: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        const t = process.hrtime.bigint();
        await run();
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      if (profileFile) {
        const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
        const file = `${profileFile}.${name.replace(/ /g, '-')}.${label}.cpuprofile`;
        await writeFile(file, JSON.stringify(profile));
        process.stderr.write(`profile ${file}\n${formatSummary(summariseProfile(profile))}\n`);
      }
      lines.push(`| ${name} | ${label} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} |`);
      process.stderr.write(`${lines[lines.length - 1] ?? ''}\n`);
    }
    if (profileFile) session.disconnect();
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await runtime.ledger.close();
    if (!kept) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:reports failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
