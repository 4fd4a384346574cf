import 'reflect-metadata';
import { Context, Contract, Info, Transaction } from 'fabric-contract-api';
import { createDispatcher, type Dispatcher } from '../../chaincode/src/invoke';
import { marshal, marshalString, unmarshal } from '../../chaincode/src/ledger/codec';

/**
 * The least a Fabric contract can do for "move an asset to a new owner": put
 * a key, and read-modify-write it with a new owner. No identity, no roles, no
 * indexes, no events, no schema. The benchmark runs it through the same
 * engine and dispatcher as the SCF chaincode, so the ratio of their
 * throughputs is the cost of our contract alone.
 */
@Info({ title: 'baseline', description: 'Benchmark baseline: put a key, move a key to a new owner' })
export class BaselineContract extends Contract {
  constructor() {
    super('baseline');
  }

  /** Stores `json` (an object with an `owner`) under `key`. */
  @Transaction()
  async Put(ctx: Context, key: string, json: string): Promise<string> {
    if (typeof key !== 'string' || key.length === 0) throw new Error('[VALIDATION_FAILED] key must be a non-empty string');
    let record: unknown;
    try {
      record = JSON.parse(json);
    } catch {
      throw new Error('[VALIDATION_FAILED] value is not valid JSON');
    }
    if (typeof record !== 'object' || record === null || typeof (record as { owner?: unknown }).owner !== 'string') {
      throw new Error('[VALIDATION_FAILED] value must be a JSON object with a string owner');
    }
    const bytes = marshal(record);
    await ctx.stub.putState(key, bytes);
    return Buffer.from(bytes).toString('utf8');
  }

  /** Reads `key` and writes it back with `owner` = newOwner. */
  @Transaction()
  async Move(ctx: Context, key: string, newOwner: string): Promise<string> {
    if (typeof newOwner !== 'string' || newOwner.length === 0) throw new Error('[VALIDATION_FAILED] newOwner must be a non-empty string');
    const bytes = await ctx.stub.getState(key);
    if (bytes.length === 0) throw new Error(`[NOT_FOUND] no key ${key}`);
    const record = { ...unmarshal<Record<string, unknown>>(bytes), owner: newOwner };
    await ctx.stub.putState(key, marshal(record));
    return marshalString(record);
  }

  /**
   * The argument shape of `voucher:Transfer` (one JSON command
   * `{id, to, amount}`), and the least work behind it: read the key, write it
   * with the new owner. On a real network the benchmark sends both the same
   * bytes, so their ratio is the cost of our contract, not of the arguments.
   */
  @Transaction()
  async Transfer(ctx: Context, commandJson: string): Promise<string> {
    let command: { id?: unknown; to?: unknown };
    try {
      command = JSON.parse(commandJson) as { id?: unknown; to?: unknown };
    } catch {
      throw new Error('[VALIDATION_FAILED] command is not valid JSON');
    }
    if (typeof command.id !== 'string' || typeof command.to !== 'string') throw new Error('[VALIDATION_FAILED] command needs string id and to');
    return this.Move(ctx, command.id, command.to);
  }
}

/** The baseline chaincode, dispatched exactly like the SCF chaincode (`baseline:Put`, `baseline:Move`). */
export const baselineChaincode: Dispatcher = createDispatcher([BaselineContract]);
