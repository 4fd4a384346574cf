import { Context, Info, Transaction } from 'fabric-contract-api';
import { DomainError } from '../domain/errors';
import { EVENTS } from '../domain/events';
import { assertOperator } from '../domain/members';
import { INDEXED_RECORDS } from '../ledger/specs';
import type { RecordSpec } from '../ledger/keys';
import { ScfContract } from './base';
import { ListRecordKeysQuery, RepairIndexesCommand } from './schemas';

/** How a record's key is named in answers and events: its parts joined by "/" (an identity: `mspId/identityId`). */
const named = (key: readonly string[]): string => key.join('/');

/**
 * Upkeep of the world state's indexes, by the OPERATOR. An index added in a
 * later version of the chaincode has no entries for records written before
 * it, until each record is written again; RepairIndexes writes the entries a
 * record should have and does not, and nothing else, so it can run while
 * the ledger is in use and run again safely. The walk is in two steps
 * because Fabric pages a range query only in a read-only transaction: keys
 * come a page at a time from RecordKeys (evaluate), and each page's keys are
 * repaired in one RepairIndexes (submit). The gateway's
 * POST /maintenance/index-repairs does both per call.
 */
@Info({ title: 'maintenance', description: 'Index repair after a chaincode upgrade (OPERATOR)' })
export class MaintenanceContract extends ScfContract {
  constructor() {
    super('maintenance');
  }

  /** One page of the keys of every record of a kind, in key order (OPERATOR). */
  @Transaction(false)
  async RecordKeys(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListRecordKeysQuery, async ({ store, actor }, q) => {
      assertOperator(actor);
      const spec: RecordSpec<unknown> = INDEXED_RECORDS[q.kind];
      const page = await store.scan(spec, { records: true, prefix: { index: spec.type, attrs: [] } }, q.pageSize ?? 100, q.bookmark, () => true);
      return { keys: page.records.map((r) => spec.key(r)), bookmark: page.bookmark };
    });
  }

  /**
   * Writes the index entries the named records lack. A key that names no
   * record of the kind (one deleted since RecordKeys listed it: an identity
   * unbound meanwhile) is reported in `gone` and skipped; the others are
   * repaired.
   */
  @Transaction()
  async RepairIndexes(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'maintenance:RepairIndexes', command, RepairIndexesCommand, async ({ store, actor }, cmd) => {
      assertOperator(actor);
      const spec: RecordSpec<unknown> = INDEXED_RECORDS[cmd.kind];
      const parts = spec.keyParts ?? 1;
      const malformed = cmd.keys.filter((key) => key.length !== parts);
      if (malformed.length > 0) {
        throw new DomainError('VALIDATION_FAILED', `keys: a ${cmd.kind.toLowerCase()} key has ${parts} part(s): ${malformed.map((k) => JSON.stringify(k)).join(', ')}`);
      }
      const found = await store.getMany<unknown>(spec.type, cmd.keys);
      const records = found.filter((r) => r !== undefined);
      const gone = cmd.keys.filter((_, i) => found[i] === undefined).map(named);
      const repaired = await store.repairIndexes(spec, records);
      const repairedIds = [...new Set(Object.values(repaired).flat().map(named))].sort();
      const entries = Object.fromEntries(Object.entries(repaired).map(([index, keys]) => [index, keys.length]));
      return {
        result: { kind: cmd.kind, checked: records.length, repaired: entries, repairedIds, gone },
        event: { name: EVENTS.IndexesRepaired, ids: { recordIds: repairedIds }, changes: { kind: cmd.kind, checked: records.length, repaired: entries, gone } },
      };
    });
  }
}
