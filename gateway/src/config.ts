import { z } from 'zod';
import { assertUscc } from '../../chaincode/src/domain/uscc';
import type { OperatorSetting } from './bootstrap';
import { DEFAULT_STATE_CACHE_BYTES } from './ledger/embedded/level-backend';

/**
 * Gateway configuration, parsed once from the environment. A bad value fails
 * start-up with a message naming the variable.
 */
const intFrom = (fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);

const MIB = 1024 * 1024;

const EnvSchema = z
  .object({
    SCF_LEDGER: z.enum(['embedded', 'fabric']).default('embedded'),
    PORT: intFrom(3000, 0, 65535),
    /** Loopback by default: exposing the gateway is a deliberate choice. */
    HOST: z.string().min(1).default('127.0.0.1'),
    SCF_DATA_DIR: z.string().min(1).default('.scf/data'),
    SCF_FABRIC_PROFILE: z.string().min(1).optional(),
    SCF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Embedded orderer: cut a block after this many ms or this many transactions. */
    SCF_BATCH_TIMEOUT_MS: intFrom(10, 1, 10_000),
    SCF_BATCH_MAX_TX: intFrom(100, 1, 10_000),
    /** Embedded ledger: MiB of committed state kept in memory in front of LevelDB (0: none). */
    SCF_STATE_CACHE_MB: intFrom(DEFAULT_STATE_CACHE_BYTES / MIB, 0, 65_536),
    /**
     * Embedded ledger: where it runs. `worker` (default): a thread of its own,
     * beside the HTTP stack's (ThreadedLedger); `main`: the gateway's thread.
     */
    SCF_LEDGER_THREAD: z.enum(['worker', 'main']).default('worker'),
    /** Upper bound of one submit (endorse, order, commit), ms. */
    SCF_SUBMIT_DEADLINE_MS: intFrom(30_000, 100, 600_000),
    SCF_SSE_HEARTBEAT_MS: intFrom(15_000, 100, 600_000),
    /** Set up the demo members and identities on first start (embedded) or at every start (fabric, idempotent). */
    SCF_DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    /** Embedded ledger: let the operator move the transaction clock forward (POST /sandbox/clock). Default: SCF_DEMO. */
    SCF_SANDBOX_CLOCK: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true')),
    /** Webhooks (issue 17): deliver to endpoints on loopback, private, link-local or unique-local addresses. */
    SCF_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    /** Consecutive failed attempts after which an endpoint is disabled. */
    SCF_WEBHOOK_MAX_ATTEMPTS: intFrom(8, 1, 100),
    /** Delay before retry n (ms, comma-separated; the last repeats); each gets ±20 % jitter. */
    SCF_WEBHOOK_RETRY_SCHEDULE_MS: z
      .string()
      .regex(/^\d{1,9}(,\d{1,9})*$/, 'a comma-separated list of milliseconds')
      .default('5000,300000,1800000,7200000,18000000,36000000')
      .transform((v) => v.split(',').map(Number)),
    /** One delivery attempt's time limit (connect, send, answer), ms. */
    SCF_WEBHOOK_TIMEOUT_MS: intFrom(15_000, 100, 120_000),
    /** How often the maturity reminders are looked for (also after every sandbox clock advance), ms. */
    SCF_REMINDER_INTERVAL_MS: intFrom(60_000, 50, 86_400_000),
    /** The identity (profile label) reminders read the ledger as: an AUDITOR's or OPERATOR's. Default: auditor, else operator-admin. */
    SCF_REMINDER_IDENTITY: z.string().min(1).optional(),
    /**
     * Without the demo: the platform operator's member, bootstrapped at the
     * first start by the identity SCF_OPERATOR_IDENTITY (bootstrap.ts).
     */
    SCF_OPERATOR_ID: z.string().optional(),
    SCF_OPERATOR_NAME: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    SCF_OPERATOR_IDENTITY: z.string().min(1).default('operator-admin'),
  })
  .superRefine((env, ctx) => {
    if (env.SCF_LEDGER === 'fabric' && env.SCF_FABRIC_PROFILE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SCF_FABRIC_PROFILE'], message: 'is required when SCF_LEDGER=fabric' });
    }
    if (env.SCF_OPERATOR_ID !== undefined) {
      try {
        assertUscc(env.SCF_OPERATOR_ID, 'SCF_OPERATOR_ID');
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['SCF_OPERATOR_ID'], message: `must be the operator's unified social credit code (${(err as Error).message.replace(/^\[[A-Z_]+\] /, '')})` });
      }
    }
    if ((env.SCF_OPERATOR_ID === undefined) !== (env.SCF_OPERATOR_NAME === undefined)) {
      const missing = env.SCF_OPERATOR_ID === undefined ? 'SCF_OPERATOR_ID' : 'SCF_OPERATOR_NAME';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required with the other: SCF_OPERATOR_ID and SCF_OPERATOR_NAME name the operator together' });
    }
    if (env.SCF_OPERATOR_ID !== undefined && env.SCF_DEMO) {
      ctx.addIssue({ code: 'custom', path: ['SCF_OPERATOR_ID'], message: 'is for a ledger without the demo: set SCF_DEMO=false (the demo bootstraps its own operator)' });
    }
  });

export interface Config {
  ledger: 'embedded' | 'fabric';
  port: number;
  host: string;
  dataDir: string;
  fabricProfile: string | undefined;
  logLevel: string;
  batchTimeoutMs: number;
  batchMaxTx: number;
  /** Embedded ledger: bytes of committed state cached in front of LevelDB. */
  stateCacheBytes: number;
  /** Embedded ledger: on a worker thread of its own, or on the gateway's thread. */
  ledgerThread: 'worker' | 'main';
  submitDeadlineMs: number;
  sseHeartbeatMs: number;
  demo: boolean;
  /** The embedded ledger's sandbox clock may be advanced (on by default in demo mode). */
  sandboxClock: boolean;
  webhooks: {
    allowPrivate: boolean;
    maxAttempts: number;
    retryScheduleMs: number[];
    timeoutMs: number;
  };
  reminders: { intervalMs: number; identity: string | undefined };
  /** Without the demo: the operator's member to bootstrap (SCF_OPERATOR_ID, SCF_OPERATOR_NAME, SCF_OPERATOR_IDENTITY). */
  operator: OperatorSetting | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  return {
    ledger: e.SCF_LEDGER,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.SCF_DATA_DIR,
    fabricProfile: e.SCF_FABRIC_PROFILE,
    logLevel: e.SCF_LOG_LEVEL,
    batchTimeoutMs: e.SCF_BATCH_TIMEOUT_MS,
    batchMaxTx: e.SCF_BATCH_MAX_TX,
    stateCacheBytes: e.SCF_STATE_CACHE_MB * MIB,
    ledgerThread: e.SCF_LEDGER_THREAD,
    submitDeadlineMs: e.SCF_SUBMIT_DEADLINE_MS,
    sseHeartbeatMs: e.SCF_SSE_HEARTBEAT_MS,
    demo: e.SCF_DEMO,
    sandboxClock: e.SCF_SANDBOX_CLOCK ?? e.SCF_DEMO,
    webhooks: {
      allowPrivate: e.SCF_WEBHOOK_ALLOW_PRIVATE,
      maxAttempts: e.SCF_WEBHOOK_MAX_ATTEMPTS,
      retryScheduleMs: e.SCF_WEBHOOK_RETRY_SCHEDULE_MS,
      timeoutMs: e.SCF_WEBHOOK_TIMEOUT_MS,
    },
    reminders: { intervalMs: e.SCF_REMINDER_INTERVAL_MS, identity: e.SCF_REMINDER_IDENTITY },
    operator:
      e.SCF_OPERATOR_ID !== undefined && e.SCF_OPERATOR_NAME !== undefined
        ? { id: e.SCF_OPERATOR_ID, name: e.SCF_OPERATOR_NAME, identity: e.SCF_OPERATOR_IDENTITY }
        : undefined,
  };
}
