import type { Services } from '../../services';
import { route, type RouteSpec, written } from '../route';
import { AdvanceClockBody, ClockAdvanced, ClockView } from '../schemas/sandbox';

/*
 * The embedded ledger's sandbox clock (DESIGN.md section 8): enabled by
 * SCF_SANDBOX_CLOCK (default: on in demo mode), moved forward only by the
 * operator, refused on the Fabric connector. /ready shows it too.
 */
export function sandboxRoutes({ sandboxClock }: Services): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/sandbox/clock',
      summary: "The ledger's sandbox clock and every recorded advance",
      tag: 'sandbox',
      success: { status: 200, description: 'The clock now and its advances, oldest first', schema: ClockView },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async (_input, ctx) => ({ body: await sandboxClock.view(ctx) }),
    }),
    route({
      method: 'post',
      path: '/sandbox/clock',
      summary: "Move the embedded ledger's transaction clock forward (OPERATOR; embedded ledger with the sandbox clock enabled)",
      tag: 'sandbox',
      body: AdvanceClockBody,
      success: { status: 200, description: 'The clock after the advance, and the recorded advance', schema: ClockAdvanced },
      errors: ['FORBIDDEN', 'INVALID_STATE', 'ALREADY_EXISTS', 'BUSINESS_RULE', 'LEDGER_UNAVAILABLE'],
      handle: async ({ body }, ctx) => written(await sandboxClock.advance(ctx, body.advance.text, body.advance.ms)),
    }),
  ];
}
