import { z } from 'zod';
import { MemberId, MspId } from './common';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** `PnW`, or `PnDTnHnMnS` with any of the parts (at least one): whole numbers. */
const DURATION = /^P(?:(\d{1,7})W|(?:(\d{1,9})D)?(?:T(?=\d)(?:(\d{1,10})H)?(?:(\d{1,12})M)?(?:(\d{1,14})S)?)?)$/;

/**
 * An ISO 8601 duration in milliseconds, or why it is refused. Weeks, days,
 * hours, minutes and seconds have a fixed length; years and months do not
 * (P1M is a month, PT1M a minute), so they are refused rather than guessed.
 */
export function parseIsoDuration(text: string): number | string {
  if (/^[-−]/.test(text)) return 'the sandbox clock moves forward only: a negative duration is refused';
  const m = DURATION.exec(text);
  if (!m || text === 'P') {
    if (/^P[^T]*[YM]/.test(text)) {
      return 'years and months have no fixed length: give weeks, days, hours, minutes or seconds (P30D, PT12H)';
    }
    return 'an ISO 8601 duration of whole weeks, days, hours, minutes or seconds, e.g. P30D, P1DT12H, PT90M';
  }
  const [w, d, h, min, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number, number];
  const ms = (w * 7 + d) * DAY_MS + h * HOUR_MS + min * MINUTE_MS + s * 1000;
  if (!Number.isSafeInteger(ms)) return 'the duration is too long';
  if (ms === 0) return 'the sandbox clock moves forward only: the duration must be more than zero';
  return ms;
}

export const IsoDuration = z
  .string()
  .transform((text, ctx) => {
    const parsed = parseIsoDuration(text);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return { text, ms: parsed };
  })
  .openapi({
    type: 'string',
    pattern: DURATION.source,
    description: 'ISO 8601 duration, more than zero: weeks, or days and hours, minutes, seconds (no years or months)',
    example: 'P30D',
  });

export const AdvanceClockBody = z.strictObject({ advance: IsoDuration }).openapi('AdvanceSandboxClock');

export const ClockState = z
  .object({
    enabled: z.boolean().describe('Whether the operator may advance the clock (SCF_SANDBOX_CLOCK; never on the Fabric connector)'),
    offsetMs: z.number().int().describe("Milliseconds the ledger's transaction clock is ahead of the machine's"),
    now: z.string().describe("The ledger's time now (ISO 8601 UTC): what a transaction would be stamped with"),
  })
  .openapi('SandboxClockState');

export const ClockAdvance = z
  .object({
    sequence: z.number().int().describe('1 for the first advance of this ledger, then 2, 3, ...'),
    duration: z.string(),
    advanceMs: z.number().int(),
    offsetMs: z.number().int().describe('The offset from this advance on'),
    from: z.string().describe("The ledger's time just before"),
    to: z.string().describe("The ledger's time just after"),
    recordedAt: z.string().describe("The machine's own clock when it was recorded"),
    height: z.number().int().describe('Blocks on the ledger then: every transaction in an earlier block was stamped before it'),
    by: z.object({ memberId: MemberId, mspId: MspId, identityId: z.string() }),
    requestId: z.string().optional().describe('The Idempotency-Key it was made with'),
  })
  .openapi('SandboxClockAdvance');

export const ClockAdvanced = ClockState.extend({ advance: ClockAdvance }).openapi('SandboxClockAdvanced');
export const ClockView = ClockState.extend({ advances: z.array(ClockAdvance) }).openapi('SandboxClock');
