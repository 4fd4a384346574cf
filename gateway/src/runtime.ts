import { join } from 'node:path';
import type { Config } from './config';
import { DEMO_IDENTITIES, DEMO_MEMBERS } from './demo/plan';
import { bootstrapOperator, type OperatorBootstrap } from './bootstrap';
import { type DemoSetupReport, setUpDemo, setUpDemoWhenReady, whenLedgerReady } from './demo/setup';
import { EmbeddedCa } from './ledger/embedded/ca';
import { EmbeddedLedger } from './ledger/embedded/embedded-ledger';
import { ThreadedLedger } from './ledger/embedded/threaded-ledger';
import { directoryOf, loadOrCreateIdentities, toLedgerIdentity } from './ledger/embedded/identity-store';
import { FabricLedger } from './ledger/fabric/fabric-ledger';
import type { EventLogger } from './ledger/fabric/events';
import type { ClockLogger } from './ledger/embedded/sandbox-clock';
import { loadFabricProfile, reloadFabricProfile } from './ledger/fabric/profile';
import type { Ledger, LedgerIdentity } from './ledger/ledger';
import type { CredentialAuthority } from './services/credentials';
import { CredentialStore, ReplaceableTokenDirectory, type TokenDirectory, TokenDirectories } from './credentials';
import { privateFolder } from './startup';

/** A ledger connector ready to serve, with the tokens that reach it. */
export interface LedgerRuntime {
  kind: 'embedded' | 'fabric';
  ledger: Ledger;
  directory: TokenDirectory;
  /** Demo label → identity (for demo setup and tests). */
  identities: Map<string, LedgerIdentity>;
  /** Demo label → bearer token, when the connector knows them. */
  tokens: Map<string, string>;
  /** True on the embedded ledger's first start: the tokens were just generated. */
  firstStart: boolean;
  demo: DemoSetupReport | undefined;
  /** Without the demo: the operator's member as this start found or bootstrapped it (SCF_OPERATOR_ID). */
  operator?: OperatorBootstrap | undefined;
  /** The embedded network's CA and the issued credentials (whose tokens `directory` also resolves); absent on Fabric. */
  credentials?: CredentialAuthority | undefined;
  /**
   * Fabric: re-reads the profile's identities (SIGHUP), so identities an org
   * enrolled with its own CA take effect without a restart; throws, changing
   * nothing, when the profile does not load or its peers changed.
   */
  reload?: () => { added: string[]; removed: string[] };
  /** Fabric: the profile `reload` re-reads. */
  profilePath?: string;
}

/** The sandbox clock follows SCF_DEMO when not configured (as loadConfig decides). */
type EmbeddedConfig = Pick<Config, 'dataDir' | 'batchTimeoutMs' | 'batchMaxTx' | 'submitDeadlineMs' | 'demo'> &
  Partial<Pick<Config, 'sandboxClock' | 'stateCacheBytes' | 'ledgerThread' | 'operator'>>;

export async function openEmbeddedRuntime(
  config: EmbeddedConfig,
  logger?: ClockLogger,
  onLedgerFailure?: (err: Error) => void,
): Promise<LedgerRuntime> {
  const set = await loadOrCreateIdentities(config.dataDir, DEMO_IDENTITIES);
  const options = {
    batchTimeoutMs: config.batchTimeoutMs,
    batchMaxTx: config.batchMaxTx,
    submitDeadlineMs: config.submitDeadlineMs,
    stateCacheBytes: config.stateCacheBytes,
    sandboxClock: config.sandboxClock ?? config.demo,
    logger,
  };
  const dir = join(config.dataDir, 'ledger');
  await privateFolder(dir);
  const ledger =
    config.ledgerThread === 'worker' ? await ThreadedLedger.open(dir, { ...options, onFailure: onLedgerFailure }) : await EmbeddedLedger.open(dir, options);
  const identities = new Map(set.identities.map((s) => [s.label, toLedgerIdentity(s)]));
  try {
    const credentials = { ca: await EmbeddedCa.open(config.dataDir), store: await CredentialStore.open(config.dataDir) };
    const demo = config.demo ? await setUpDemo(ledger, identities) : undefined;
    const operator = !config.demo && config.operator ? await bootstrapOperator(ledger, identities, config.operator) : undefined;
    return {
      operator,
      kind: 'embedded',
      ledger,
      directory: new TokenDirectories(directoryOf(set.identities), credentials.store),
      credentials,
      identities,
      tokens: new Map(set.identities.map((s) => [s.label, s.token])),
      firstStart: set.created,
      demo,
    };
  } catch (err) {
    await ledger.close();
    throw err;
  }
}

export async function openFabricRuntime(config: Pick<Config, 'fabricProfile' | 'demo'> & Partial<Pick<Config, 'operator'>>, logger?: EventLogger): Promise<LedgerRuntime> {
  const path = config.fabricProfile as string;
  let profile = loadFabricProfile(path);
  const ledger = new FabricLedger(profile, { logger });
  const directory = new ReplaceableTokenDirectory(profile.directory);
  const identities = new Map(profile.identities.map((i) => [i.label, i.identity]));
  try {
    const demo = config.demo ? await setUpDemoWhenReady(ledger, identities, { log: (m) => logger?.warn({}, m) }) : undefined;
    const setting = config.demo ? undefined : config.operator;
    const operator = setting
      ? await whenLedgerReady("the operator's bootstrap", () => bootstrapOperator(ledger, identities, setting), { log: (m) => logger?.warn({}, m) })
      : undefined;
    return {
      operator,
      kind: 'fabric',
      ledger,
      directory,
      identities,
      tokens: new Map(profile.identities.map((i) => [i.label, i.token])),
      firstStart: false,
      demo,
      profilePath: path,
      reload: () => {
        const { profile: next, added, removed } = reloadFabricProfile(path, profile);
        directory.replace(next.directory);
        profile = next;
        return { added, removed };
      },
    };
  } catch (err) {
    await ledger.close();
    throw err;
  }
}

/**
 * `onLedgerFailure`: the embedded ledger's thread stopped (SCF_LEDGER_THREAD=worker);
 * every call fails LEDGER_UNAVAILABLE from then on.
 */
export function openRuntime(config: Config, logger?: EventLogger & ClockLogger, onLedgerFailure?: (err: Error) => void): Promise<LedgerRuntime> {
  return config.ledger === 'fabric' ? openFabricRuntime(config, logger) : openEmbeddedRuntime(config, logger, onLedgerFailure);
}

/** The demo members and tokens, as printed on first start. */
export function demoTokenTable(runtime: LedgerRuntime): string {
  const lines = DEMO_IDENTITIES.map((d) => {
    const m = DEMO_MEMBERS.find((x) => x.key === d.member);
    return `  ${d.label.padEnd(15)} ${d.mspId.padEnd(12)} ${(m?.id ?? '').padEnd(19)} ${d.userRole.padEnd(8)} ${runtime.tokens.get(d.label) ?? '(not configured)'}`;
  });
  return [`  ${'label'.padEnd(15)} ${'mspId'.padEnd(12)} ${'member'.padEnd(19)} ${'role'.padEnd(8)} token`, ...lines].join('\n');
}
