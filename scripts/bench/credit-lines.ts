import { Agent } from 'node:http';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import type { CallerIdentity } from '../../gateway/src/ledger/ledger';
import { IDS } from '../../test/support/ledger-harness';
import type { BenchConfig, PhaseSize } from './config';
import {
  addMember,
  connectorIdentity,
  connectorSubmit,
  engineIdentity,
  isoDate,
  mintPieces,
  type NewIdentity,
  parallel,
  setUpCast,
  type SubmitJson,
  submitJsonOn,
} from './fixtures';
import { type LoadResult, type OutcomeCode, runLoad } from './load';
import type { Recorder } from './recorder';
import { postJson } from './http-client';
import { type Log, logPhase, p50, SETUP_CONCURRENCY, timed, tps, withCommitted } from './scenarios';
import type { BenchIdentity, Target } from './target';

/**
 * Contention on one credit line (issue 16). A bank's approval of a financing
 * reserves the advance on its FINANCING line to the obligor (the voucher's
 * issuer) in the same transaction, so approvals against one line all read and
 * write that line's key: on one busy line they conflict at commit (MVCC), and
 * the gateway's connector re-endorses the losers. The same approvals spread
 * over one line per client touch disjoint keys and never conflict: a line's
 * keys are its own, never global.
 */

/** A bank's FINANCING line to one obligor, with REQUESTED financings of pieces the obligor issued, to approve on it. */
export interface LineUnderTest {
  id: string;
  obligor: string;
  financings: string[];
  /** Sum of the advances whose approval committed: what the line's `used` must be. */
  approved: bigint;
}

/** One ledger's way to set up and read lines, as whoever signs on it (W). */
export interface LineEnv<W> {
  submit: SubmitJson<W>;
  evaluate: (who: W, name: string, command: object) => Promise<unknown>;
  operator: W;
  newIdentity: NewIdentity<W>;
  bank: { who: W; id: string };
  supplier: W;
  /** The supplier's member id: the seller of the invoices it registers. */
  supplierId: string;
}

/** 4,000,000.00 CNY: below the demo bank's dual-control threshold (5,000,000.00), so its maker grants at once. */
export const LINE_LIMIT = 400_000_000n;
const PIECE = 10_000n;
const REQUESTED = '9000';
export const RATE_BPS = 450;
const LINE_SETUP_CONCURRENCY = 8;

/** Advance of approval i, in fen: 80.00 to 89.96 CNY, varied so that the line's sum says which approvals committed, not only how many. */
export const advanceOf = (i: number): string => String(8_000 + (i % 997));

/** The member id of the obligor of line k: a core enterprise of its own. */
export const obligorId = (k: number): string => withCheckChar(`91310000MB${String(k).padStart(7, '0')}`);

/**
 * Approval i of a phase on `lines` (1, or one per client): line i mod L, and
 * that line's next financing for repeat r. With one line per client the
 * clients are partitioned, so client c only ever approves on line c.
 */
export function approvalSlot(lines: readonly LineUnderTest[], perRepeat: number, r: number, i: number): { line: LineUnderTest; financingId: string } {
  const line = lines[i % lines.length] as LineUnderTest;
  const n = (r * perRepeat) / lines.length + Math.floor(i / lines.length);
  const financingId = line.financings[n];
  if (financingId === undefined) throw new Error(`line ${line.id} has no financing ${n}: request more`);
  return { line, financingId };
}

/** A new obligor, the bank's line to it, and `financings` requests on pieces it issued. */
async function setUpLine<W>(env: LineEnv<W>, k: number, financings: number): Promise<LineUnderTest> {
  const id = obligorId(k);
  const core = await addMember(env.submit, env.operator, env.newIdentity, { id, name: `Bench obligor ${k}`, mspId: 'CoreMSP', roles: ['CORE_ENTERPRISE'] }, `bench-obligor-${k}`);
  const line = (await env.submit(env.bank.who, 'creditLine:Grant', { kind: 'FINANCING', obligor: id, limit: String(LINE_LIMIT), validTo: isoDate(365) })) as { id: string };
  const pieces = await mintPieces({ submit: env.submit, supplier: env.supplier, supplierId: env.supplierId, core, coreId: id }, financings, PIECE, SETUP_CONCURRENCY);
  const ids = await parallel(pieces, SETUP_CONCURRENCY, async (p) => {
    const fin = (await env.submit(env.supplier, 'financing:Request', { asset: { type: 'VOUCHER', id: p.id }, bank: env.bank.id, requestedAmount: REQUESTED })) as { id: string };
    return fin.id;
  });
  return { id: line.id, obligor: id, financings: ids, approved: 0n };
}

/**
 * Line `first` with all `financings`, and lines `first` + 1 … `first` +
 * `spread` sharing them equally (obligor k is obligorId(k): a ledger that
 * keeps its members between runs needs a new `first` each run).
 */
export async function setUpLines<W>(env: LineEnv<W>, spread: number, financings: number, first = 0): Promise<{ one: LineUnderTest[]; many: LineUnderTest[] }> {
  const one = await setUpLine(env, first, financings);
  const many = await parallel(
    Array.from({ length: spread }, (_, k) => first + k + 1),
    LINE_SETUP_CONCURRENCY,
    (k) => setUpLine(env, k, financings / spread),
  );
  return { one: [one], many };
}

/** Runs one phase of approvals on `lines`, adding each committed advance to its line. */
export async function approvals(
  lines: readonly LineUnderTest[],
  size: PhaseSize,
  r: number,
  approve: (financingId: string, advance: string) => Promise<OutcomeCode>,
  beforeMeasure?: () => void | Promise<void>,
): Promise<LoadResult> {
  const perRepeat = size.warmup + size.count;
  return runLoad({
    count: size.count,
    warmup: size.warmup,
    concurrency: size.concurrency,
    schedule: lines.length > 1 ? 'partitioned' : 'shared',
    ...(beforeMeasure ? { beforeMeasure } : {}),
    op: async (i) => {
      const { line, financingId } = approvalSlot(lines, perRepeat, r, i);
      const advance = advanceOf(i);
      const code = await approve(financingId, advance);
      if (code === 'VALID') line.approved += BigInt(advance);
      return code;
    },
  });
}

/** Lines whose `used` is not exactly the sum of the advances approved on them, or is above the limit, each described. */
export async function wrongLines<W>(env: LineEnv<W>, lines: readonly LineUnderTest[]): Promise<string[]> {
  const views = await Promise.all(lines.map(async (l) => (await env.evaluate(env.bank.who, 'creditLine:Get', { id: l.id })) as { used: string; limit: string }));
  return lines.flatMap((l, j) => {
    const v = views[j] as { used: string; limit: string };
    return BigInt(v.used) === l.approved && BigInt(v.used) <= BigInt(v.limit) ? [] : [`${l.id}: used ${v.used}, approved ${l.approved}, limit ${v.limit}`];
  });
}

export const describeOutcomes = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(' ');

export const creditLinePhase = (lines: number, path: 'ledger, no retry' | 'REST'): string =>
  `approvals on ${lines} credit line${lines === 1 ? '' : 's'} (${path})`;

export async function creditLinesGroup(target: Target, cfg: BenchConfig, rec: Recorder, log: Log): Promise<void> {
  const size = cfg.creditLines;
  const spread = size.concurrency;
  if (size.count % spread !== 0 || size.warmup % spread !== 0) {
    throw new RangeError(`credit lines: count ${size.count} and warm-up ${size.warmup} must be multiples of the concurrency ${spread}`);
  }
  const financings = (size.warmup + size.count) * cfg.repeats;
  const PHASE = {
    ledgerOne: creditLinePhase(1, 'ledger, no retry'),
    ledgerMany: creditLinePhase(spread, 'ledger, no retry'),
    restOne: creditLinePhase(1, 'REST'),
    restMany: creditLinePhase(spread, 'REST'),
  };

  const ledger = await target.openLedger({ chaincode: 'scf', backend: 'level', cutter: cfg.setupCutter });
  const gw = await target.openGateway({ cutter: cfg.cutter }).catch(async (err: unknown) => {
    await ledger.close();
    throw err;
  });
  try {
    const cast = await setUpCast(ledger);
    const submit = submitJsonOn(ledger);
    const bank = await addMember(submit, cast.operator, engineIdentity, { id: IDS.bank, name: 'Bench bank', mspId: 'BankMSP', roles: ['BANK'] }, 'bench-bank');
    const engine: LineEnv<BenchIdentity> = {
      submit,
      evaluate: async (who, name, command) => JSON.parse(await ledger.evaluate(who, name, [JSON.stringify(command)])) as unknown,
      operator: cast.operator,
      newIdentity: engineIdentity,
      bank: { who: bank, id: IDS.bank },
      supplier: cast.supplier1,
      supplierId: IDS.tier1,
    };
    const gateway: LineEnv<CallerIdentity> = {
      submit: connectorSubmit(gw),
      evaluate: (who, name, command) => gw.ledger.evaluate(who, name, command),
      operator: gw.identity('operator-admin'),
      newIdentity: connectorIdentity,
      bank: { who: gw.identity('bank-maker'), id: gw.memberId('bank') },
      supplier: gw.identity('supplier1'),
      supplierId: gw.memberId('supplier1'),
    };
    const what = `1 + ${spread} lines, ${2 * financings} financing requests`;
    const engineLines = await timed(rec, `credit lines: ${what} (${ledger.description})`, log, () => setUpLines(engine, spread, financings));
    const gatewayLines = await timed(rec, `credit lines: ${what} (connector, LevelDB)`, log, () => setUpLines(gateway, spread, financings));
    await ledger.setBlockCutter(cfg.cutter);
    const token = gw.token('bank-maker');

    const onLedger = async (r: number, lines: readonly LineUnderTest[], phase: string) => {
      const result = await approvals(lines, size, r, async (id, advanceAmount) => {
        const out = await ledger.submit(bank, 'financing:Approve', [JSON.stringify({ id, advanceAmount, annualRateBps: RATE_BPS })]);
        return out.code;
      });
      logPhase(log, rec.phase('creditlines', phase, r, ledger.description, result));
      const wrong = await wrongLines(engine, lines);
      const others = Object.keys(result.outcomes).filter((code) => code !== 'VALID' && (lines.length > 1 || code !== 'MVCC_READ_CONFLICT'));
      rec.check(
        lines.length === 1
          ? `${phase} [${r}]: every approval committed VALID or lost an MVCC conflict; used is exactly the committed advances, within the limit`
          : `${phase} [${r}]: no conflict (every approval VALID); each line's used is exactly its advances, within its limit`,
        others.length === 0 && (result.outcomes.VALID ?? 0) > 0 && wrong.length === 0,
        `${describeOutcomes(result.outcomes)}; ${wrong.length === 0 ? `${lines.length} line(s) right` : wrong.join('; ')}`,
      );
    };

    const viaRest = async (r: number, lines: readonly LineUnderTest[], phase: string) => {
      // A fresh pool per phase, as in the gateway group (idle sockets would outlive the server's keep-alive).
      const agent = new Agent({ keepAlive: true, maxSockets: size.concurrency });
      const measured = await approvals(
        lines,
        size,
        r,
        async (id, advanceAmount) => {
          const status = await postJson(agent, `${gw.baseUrl}/financings/${encodeURIComponent(id)}/approve`, token, { advanceAmount, annualRateBps: RATE_BPS });
          return status === 200 ? 'VALID' : `HTTP_${status}`;
        },
        () => gw.resetCommitted(),
      ).finally(() => agent.destroy());
      const { retried, exhausted } = await gw.conflicts();
      const committed = await gw.committed();
      const result = { ...withCommitted(measured, committed), retries: retried };
      logPhase(log, rec.phase('creditlines', phase, r, 'HTTP keep-alive → createApp → EmbeddedLedger (LevelDB), bank maker', result));
      const wrong = await wrongLines(gateway, lines);
      const all200 = result.outcomes.VALID === size.count;
      const quiet = lines.length === 1 || (retried === 0 && result.invalidRate === 0);
      rec.check(
        lines.length === 1
          ? `${phase} [${r}]: every approval answered 200; used is exactly the approved advances, within the limit`
          : `${phase} [${r}]: every approval answered 200 with no conflict and no retry; each line's used is exactly its advances`,
        all200 && quiet && wrong.length === 0,
        `${describeOutcomes(result.outcomes)}; ${retried} re-endorsements, ${exhausted} gave up, committed ${describeOutcomes(committed)}; ` +
          `${wrong.length === 0 ? `${lines.length} line(s) right` : wrong.join('; ')}`,
      );
    };

    for (let r = 0; r < cfg.repeats; r++) {
      // Alternate which goes first, so drift within a repeat favours neither.
      const order = r % 2 === 0 ? (['one', 'many'] as const) : (['many', 'one'] as const);
      for (const which of order) {
        await onLedger(r, engineLines[which], which === 'one' ? PHASE.ledgerOne : PHASE.ledgerMany);
      }
      for (const which of order) {
        await viaRest(r, gatewayLines[which], which === 'one' ? PHASE.restOne : PHASE.restMany);
      }
    }
  } finally {
    await gw.close();
    await ledger.close();
  }

  rec.ratio(`one busy line ÷ ${spread} lines: approvals/s (ledger, no retry)`, PHASE.ledgerOne, PHASE.ledgerMany, tps, 'tps', 'well below 1: one approval per block commits on a shared line');
  rec.ratio(`one busy line ÷ ${spread} lines: approvals/s (REST)`, PHASE.restOne, PHASE.restMany, tps, 'tps', 'below 1: the losers are re-endorsed after a backoff');
  rec.ratio(`one busy line ÷ ${spread} lines: p50 (REST)`, PHASE.restOne, PHASE.restMany, p50, 'p50', 'above 1: the retries wait');
}
