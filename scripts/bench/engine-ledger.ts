import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from '../../chaincode/src/invoke';
import { MemoryBackend, type TxInput, WorldState } from '../../chaincode/src/worldstate';
import { LevelBackend } from '../../gateway/src/ledger/embedded/level-backend';
import { Orderer, type OrdererOptions } from '../../gateway/src/ledger/embedded/orderer';
import type { BenchIdentity, BenchLedger, SubmitOutcome } from './target';

export type BackendKind = 'memory' | 'level';

/**
 * A chaincode on the embedded world-state engine, driven the way a Fabric
 * client drives a channel: endorse (simulate against committed state), hand
 * the endorsement to the orderer, which cuts blocks of pending endorsements
 * (gateway/src/ledger/embedded/orderer.ts), and wait for the block to be
 * validated and committed. Nothing is retried: an MVCC or phantom conflict is
 * reported as the transaction's outcome, so the benchmark can count them.
 */
export class EngineLedger implements BenchLedger {
  private orderer: Orderer;
  private seq = 0;
  private readonly nonce = randomBytes(8).toString('hex');

  private constructor(
    readonly world: WorldState,
    private readonly chaincode: Dispatcher,
    private cutter: OrdererOptions,
    readonly description: string,
    private readonly cleanup: () => Promise<void>,
  ) {
    this.orderer = new Orderer(world, cutter);
  }

  static async open(options: { backend: BackendKind; chaincode: Dispatcher; cutter: OrdererOptions; label: string }): Promise<EngineLedger> {
    if (options.backend === 'memory') {
      return new EngineLedger(new WorldState(new MemoryBackend()), options.chaincode, options.cutter, `${options.label} on MemoryBackend`, async () => {});
    }
    const dir = await mkdtemp(join(tmpdir(), 'scf-bench-'));
    const backend: LevelBackend = await LevelBackend.open(dir);
    return new EngineLedger(new WorldState(backend), options.chaincode, options.cutter, `${options.label} on LevelBackend`, async () => {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    });
  }

  /** The block cutter in use: max transactions per block and the timeout after the first. */
  get blockCutter(): OrdererOptions {
    return { ...this.cutter };
  }

  /** Replaces the block cutter (e.g. large blocks while populating, small ones while measuring). */
  async setBlockCutter(cutter: OrdererOptions): Promise<void> {
    await this.orderer.close();
    this.cutter = cutter;
    this.orderer = new Orderer(this.world, cutter);
  }

  private input(who: BenchIdentity, name: string, args: string[], transient?: ReadonlyMap<string, Uint8Array>): TxInput {
    this.seq += 1;
    return {
      // Unique per transaction, as Fabric's hash of nonce and creator is.
      txId: createHash('sha256').update(`${this.nonce}:${this.seq}`).digest('hex'),
      timestamp: new Date().toISOString(),
      creator: { mspId: who.mspId, certificatePem: who.certificatePem },
      fnName: name,
      args,
      ...(transient ? { transient } : {}),
    };
  }

  async submit(who: BenchIdentity, name: string, args: string[], transient?: ReadonlyMap<string, Uint8Array>): Promise<SubmitOutcome> {
    const input = this.input(who, name, args, transient);
    const sim = await this.world.simulate(input, (ctx) => this.chaincode.invoke(ctx, name, args));
    if (sim.status === 'FAILED') return { code: 'REJECTED', txId: sim.txId, error: sim.error };
    const ordered = await this.orderer.order(sim);
    return { code: ordered.validationCode, txId: sim.txId, result: sim.result };
  }

  async evaluate(who: BenchIdentity, name: string, args: string[]): Promise<string> {
    const input = this.input(who, name, args);
    const sim = await this.world.evaluate(input, (ctx) => this.chaincode.invoke(ctx, name, args));
    if (sim.status === 'FAILED') throw sim.error;
    return sim.result;
  }

  async close(): Promise<void> {
    await this.orderer.close();
    await this.cleanup();
  }
}
