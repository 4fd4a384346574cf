import { ERROR_CODES, type ErrorCode } from '../../../../chaincode/src/domain/errors';
import { LedgerError } from '../ledger';

/** gRPC status codes the connector reacts to (from @grpc/grpc-js `status`). */
export const GRPC = { UNKNOWN: 2, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const;

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

/**
 * Maps an endorsement or evaluation failure. A chaincode `[CODE]` (in the
 * error details or the message) wins; an unreachable peer or an expired
 * deadline before anything was ordered is LEDGER_UNAVAILABLE (safe to retry);
 * anything else is a defect and stays a plain Error. Nothing was ordered, so
 * no transaction id is reported: there is none on the ledger to look up.
 */
export function mapProposalError(err: unknown): Error {
  if (err instanceof LedgerError) return err;
  const ge = asGatewayError(err);
  if (!ge) return err instanceof Error ? err : new Error(String(err));
  for (const text of [...(ge.details ?? []).map((d) => d.message), ge.message]) {
    const coded = findCoded(text);
    if (coded) return new LedgerError(coded.code, coded.detail, { cause: err });
  }
  if (ge.code === GRPC.UNAVAILABLE || ge.code === GRPC.DEADLINE_EXCEEDED) {
    return new LedgerError('LEDGER_UNAVAILABLE', `peer not reachable: ${ge.message}`, { cause: err });
  }
  return new Error(`ledger call failed: ${ge.message}`, { cause: err });
}
