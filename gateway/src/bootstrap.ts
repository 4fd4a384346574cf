import type { Ledger, LedgerIdentity } from './ledger/ledger';
import { LedgerError } from './ledger/ledger';

/**
 * The platform operator's member on a ledger that starts without the demo
 * (SCF_DEMO=false): SCF_OPERATOR_ID and SCF_OPERATOR_NAME name it, and the
 * identity SCF_OPERATOR_IDENTITY (a label of the gateway's identities: the
 * embedded ledger's `identities.json`, or the Fabric profile) becomes its
 * first ADMIN. From there the operator registers the real members and binds
 * or issues their identities over HTTP, as it would after the demo; no demo
 * member is ever written to the ledger.
 */
export interface OperatorSetting {
  id: string;
  name: string;
  /** The label of the identity that bootstraps, and is bound as the operator's first ADMIN. */
  identity: string;
}

export interface OperatorBootstrap {
  /** This start wrote the Bootstrap (false: the identity was already the operator's). */
  bootstrapped: boolean;
  memberId: string;
  label: string;
}

/** The operator's member could not be set up as configured: the start stops, saying why. */
export class OperatorBootstrapError extends Error {}

/**
 * Bootstraps the operator's member unless the identity is already bound to
 * it (every later start). Refused, changing nothing, when the identity is
 * bound to another member, or the ledger was bootstrapped by another
 * operator: the configuration names another ledger's operator.
 */
export async function bootstrapOperator(
  ledger: Ledger,
  identities: ReadonlyMap<string, LedgerIdentity>,
  operator: OperatorSetting,
): Promise<OperatorBootstrap> {
  const identity = identities.get(operator.identity);
  if (!identity) {
    throw new OperatorBootstrapError(
      `SCF_OPERATOR_IDENTITY=${operator.identity} names no identity the gateway holds (it has ${[...identities.keys()].join(', ') || 'none'})`,
    );
  }
  const bound = await boundMember(ledger, identity);
  if (bound !== undefined) {
    if (bound !== operator.id) {
      throw new OperatorBootstrapError(
        `the identity ${operator.identity} is bound to member ${bound}, not to SCF_OPERATOR_ID=${operator.id}: this ledger has another operator`,
      );
    }
    return { bootstrapped: false, memberId: operator.id, label: operator.identity };
  }
  try {
    await ledger.submit(identity, 'member:Bootstrap', {
      member: { id: operator.id, name: operator.name, mspId: identity.mspId },
      requestId: `bootstrap-${operator.id}`,
    });
  } catch (err) {
    // The ledger is this operator's, and its first identity was unbound since
    // (a key that leaked, replaced by another ADMIN): nothing to do.
    if (bootstrappedBy(err) === operator.id) {
      return { bootstrapped: false, memberId: operator.id, label: operator.identity };
    }
    if (err instanceof LedgerError && (err.code === 'ALREADY_EXISTS' || err.code === 'VALIDATION_FAILED' || err.code === 'FORBIDDEN')) {
      throw new OperatorBootstrapError(`the operator's member could not be bootstrapped: ${err.detail}`, { cause: err });
    }
    throw err;
  }
  return { bootstrapped: true, memberId: operator.id, label: operator.identity };
}

/** The member the identity is bound to, or undefined when it is bound to none. */
export async function boundMember(ledger: Ledger, identity: LedgerIdentity): Promise<string | undefined> {
  try {
    const { member } = (await ledger.evaluate(identity, 'member:WhoAmI', {})) as { member: { id: string } };
    return member.id;
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'FORBIDDEN') return undefined;
    throw err;
  }
}

/**
 * The member a Bootstrap's ALREADY_EXISTS names as the ledger's operator
 * (member:Bootstrap says `… already bootstrapped by <id>`); undefined for
 * any other error.
 */
export function bootstrappedBy(err: unknown): string | undefined {
  if (!(err instanceof LedgerError) || err.code !== 'ALREADY_EXISTS') return undefined;
  return /already bootstrapped by (\S+)$/.exec(err.detail)?.[1];
}
