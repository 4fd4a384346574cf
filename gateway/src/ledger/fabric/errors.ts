import { ERROR_CODES, type ErrorCode } from '../../../../chaincode/src/domain/errors';
import { LedgerError } from '../ledger';

/** gRPC status codes the connector reacts to (from @grpc/grpc-js `status`). */
export const GRPC = { UNKNOWN: 2, DEADLINE_EXCEEDED: 4, FAILED_PRECONDITION: 9, ABORTED: 10, UNAVAILABLE: 14 } as const;

/** Fabric validation codes that mean "re-endorse and try again". */
export const MVCC_READ_CONFLICT = 11;
export const PHANTOM_READ_CONFLICT = 12;

/** The shape of fabric-gateway's GatewayError family, read structurally. */
export interface GatewayErrorLike {
  name: string;
  message: string;
  code?: number;
  details?: ReadonlyArray<{ address?: string; mspId?: string; message: string }>;
  transactionId?: string;
}

export function asGatewayError(err: unknown): GatewayErrorLike | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & Partial<GatewayErrorLike>;
  return typeof e.code === 'number' ? e : undefined;
}

// A peer wraps the chaincode's message ("chaincode response 500, [NOT_FOUND] ..."),
// so the code is searched in the text rather than anchored at its start.
const CODED = /\[([A-Z_]+)\]\s*([\s\S]*)$/;

function findCoded(text: string): { code: ErrorCode; detail: string } | undefined {
  const m = CODED.exec(text);
  if (!m || !(ERROR_CODES as readonly string[]).includes(m[1] ?? '')) return undefined;
  return { code: m[1] as ErrorCode, detail: (m[2] ?? '').trim() };
}

function texts(ge: GatewayErrorLike): string[] {
  return [...(ge.details ?? []).map((d) => d.message), ge.message];
}

// The peer's TimeWindowCheck auth filter: "request unauthorized due to
// incorrect timestamp <t>, peer time <t>, peer.authentication.timewindow 15m0s".
const CLOCK_REFUSAL = /request unauthorized due to incorrect timestamp[^"\n]*/;
// The Gateway found no set of reachable peers meeting the endorsement policy.
const NO_PLAN = /no combination of peers can be derived which satisfy the endorsement policy/;
// A peer could not reach the chaincode server (CCaaS) to run the transaction.
// The first call after it died finds the stream gone; later ones cannot connect.
const CHAINCODE_DOWN = /could not launch chaincode|chaincode stream terminated|connection to .* failed: error cannot create connection/;

// The endorsing peers answered the same proposal differently (fabric's
// gateway, internal/pkg/gateway/endorsement.go). Our chaincode is
// deterministic, so they read different committed states: one had not yet
// committed the latest block that touched the keys.
const PAYLOAD_MISMATCH = /ProposalResponsePayloads do not match/;

/**
 * The endorsements disagreed because a peer was behind: a read conflict seen
 * before ordering (nothing was ordered). Re-endorsing, once the peer has
 * caught up, is the remedy, as for an MVCC conflict at commit.
 */
export function isEndorsementMismatch(err: unknown): boolean {
  const ge = asGatewayError(err);
  return ge?.code === GRPC.ABORTED && texts(ge).some((t) => PAYLOAD_MISMATCH.test(t));
}

/**
 * The network cannot plan an endorsement now (peers still joining the
 * channel's gossip, or too many down): worth retrying for a short while.
 */
export function isNoEndorsementPlan(err: unknown): boolean {
  const ge = asGatewayError(err);
  return ge?.code === GRPC.FAILED_PRECONDITION && texts(ge).some((t) => NO_PLAN.test(t));
}

/**
 * Maps an endorsement or evaluation failure. A chaincode `[CODE]` (in the
 * error details or the message) wins. Then the causes a real network
 * produces, each named: the peers refused the proposal's timestamp
 * (CLOCK_SKEW: the gateway's clock and theirs disagree by more than their
 * time window; retrying cannot help until a clock is fixed); no endorsement
 * plan, endorsements that disagree (a peer behind), the chaincode server
 * unreachable, a peer unreachable or a deadline
 * expired before anything was ordered (LEDGER_UNAVAILABLE, safe to retry).
 * Anything else is a defect and stays a plain Error. Nothing was ordered, so
 * no transaction id is reported: there is none on the ledger to look up.
 */
export function mapProposalError(err: unknown): Error {
  if (err instanceof LedgerError) return err;
  const ge = asGatewayError(err);
  if (!ge) return err instanceof Error ? err : new Error(String(err));
  const all = texts(ge);
  for (const text of all) {
    const coded = findCoded(text);
    if (coded) return new LedgerError(coded.code, coded.detail, { cause: err });
  }
  const clock = all.map((t) => CLOCK_REFUSAL.exec(t)?.[0]).find((m) => m !== undefined);
  if (clock !== undefined) {
    return new LedgerError(
      'CLOCK_SKEW',
      `the peers refused the proposal's timestamp: this gateway's clock and the peers' disagree by more than their time window (${clock.trim()}); fix the clock (NTP) on the gateway's host or the peer's`,
      { cause: err },
    );
  }
  if (isNoEndorsementPlan(err)) {
    return new LedgerError(
      'LEDGER_UNAVAILABLE',
      'the network cannot endorse now: no set of reachable peers satisfies the endorsement policy (peers starting or down); retry',
      { cause: err },
    );
  }
  if (isEndorsementMismatch(err)) {
    return new LedgerError('LEDGER_UNAVAILABLE', 'the endorsing peers read different states (one is behind the latest block); retry', { cause: err });
  }
  if (all.some((t) => CHAINCODE_DOWN.test(t))) {
    return new LedgerError('LEDGER_UNAVAILABLE', 'the peers cannot reach the chaincode server; retry once it is back', { cause: err });
  }
  if (ge.code === GRPC.UNAVAILABLE || ge.code === GRPC.DEADLINE_EXCEEDED) {
    return new LedgerError('LEDGER_UNAVAILABLE', `peer not reachable: ${ge.message}`, { cause: err });
  }
  return new Error(`ledger call failed: ${ge.message}`, { cause: err });
}
