import type { Services } from '../../services';
import { route, type RouteSpec } from '../route';
import { IndexRepair, IndexRepairBody } from '../schemas/maintenance';

/*
 * Upkeep after a chaincode upgrade (docs/ARCHITECTURE.md, "State layout"):
 * an index added by a new version has no entries for records written
 * before. The OPERATOR walks each kind of record a step at a time; a step
 * writes only the entries that are missing, so it is safe to repeat and to
 * run while members work.
 */
export function maintenanceRoutes({ maintenance }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/maintenance/index-repairs',
      summary: 'Repair the indexes of one page of records of a kind (OPERATOR); repeat with the bookmark until it is empty',
      tag: 'maintenance',
      body: IndexRepairBody,
      success: { status: 200, description: 'What the step checked and wrote, and where the next starts', schema: IndexRepair },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      idempotency: 'Not used: a step writes only missing index entries, so repeating it is harmless',
      handle: async ({ body }, ctx) => {
        const { txId, ...step } = await maintenance.repairIndexes(ctx, body);
        return { body: step, txId };
      },
    }),
  ];
}
