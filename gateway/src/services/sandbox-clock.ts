import { hasRole } from '../../../chaincode/src/domain/members';
import type { Actor } from '../../../chaincode/src/domain/types';
import { type ClockAdvance, type ClockState, type Ledger, LedgerError, type SandboxClock } from '../ledger/ledger';
import type { CallContext, LedgerCalls, Written } from './calls';

export interface ClockView extends ClockState {
  advances: ClockAdvance[];
}

export interface ClockAdvanced extends ClockState {
  advance: ClockAdvance;
}

/**
 * The embedded ledger's sandbox clock (DESIGN.md section 8): the operator
 * moves the transaction clock forward to try what depends on a date
 * (maturity, overdue, expiry, enforcement) without waiting for the calendar.
 * Refused on the Fabric connector and when disabled by configuration.
 */
export class SandboxClockService {
  constructor(
    private readonly ledger: Ledger,
    private readonly calls: LedgerCalls,
    /** Called after each advance (maturity reminders look again at once). */
    private readonly advanced: () => void = () => undefined,
  ) {}

  /** For /ready: no ledger read. On Fabric the gateway's own clock, which stamps proposals. */
  state(): ClockState {
    return this.ledger.sandboxClock?.state() ?? { enabled: false, offsetMs: 0, now: new Date().toISOString() };
  }

  /** The clock and every recorded advance, for any member of the ledger. */
  async view(ctx: CallContext): Promise<ClockView> {
    await this.caller(ctx);
    return { ...this.state(), advances: this.ledger.sandboxClock?.advances() ?? [] };
  }

  /** Caller first (an active OPERATOR, else FORBIDDEN), then whether the clock can move (INVALID_STATE). */
  async advance(ctx: CallContext, duration: string, advanceMs: number): Promise<Written<ClockAdvanced>> {
    const { member, identity } = await this.caller(ctx);
    if (member.status !== 'ACTIVE' || !hasRole(member, 'OPERATOR')) {
      throw new LedgerError('FORBIDDEN', `only an active OPERATOR moves the sandbox clock; member ${member.id} is not one`);
    }
    const clock = this.movable();
    const { advance, replayed } = await clock.advance({
      duration,
      advanceMs,
      by: { memberId: member.id, mspId: identity.mspId, identityId: identity.identityId },
      requestId: ctx.requestId,
    });
    if (!replayed) this.advanced();
    // The clock as this advance left it, from its record: a replay answers
    // the same body as the first answer, whatever advances came since.
    return { value: { enabled: true, offsetMs: advance.offsetMs, now: advance.to, advance }, txId: undefined, replayed };
  }

  private caller(ctx: CallContext): Promise<Actor> {
    return this.calls.read<Actor>(ctx, 'member:WhoAmI', {});
  }

  private movable(): SandboxClock {
    const clock = this.ledger.sandboxClock;
    if (clock === undefined) {
      throw new LedgerError(
        'INVALID_STATE',
        "the Fabric connector has no sandbox clock: a peer refuses a proposal stamped outside its own clock's time window (peer.authentication.timewindow), " +
          "so a network's transaction time cannot be moved; the sandbox clock is the embedded ledger's (SCF_LEDGER=embedded)",
      );
    }
    if (!clock.enabled) {
      throw new LedgerError('INVALID_STATE', 'the sandbox clock is disabled on this gateway: start it with SCF_SANDBOX_CLOCK=true (the default when SCF_DEMO=true)');
    }
    return clock;
  }
}
