import { ageingCsv, exposureCsv, ladderCsv } from '../../reports/compute';
import type { Services } from '../../services';
import { route, type RouteSpec } from '../route';
import { AgeingReport, ExposureReport, LadderQuery, MaturityLadderReport, NoQuery } from '../schemas/reports';

/*
 * Reports (DESIGN.md section 8) over what the caller may see (AUDITOR and
 * OPERATOR: everything), as of the ledger's date; JSON, or CSV with
 * `Accept: text/csv`.
 */
export function reportRoutes({ reports }: Services): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/reports/maturity-ladder',
      summary: 'Amounts maturing per week and per month, by issuer (outstanding vouchers)',
      tag: 'reports',
      query: LadderQuery,
      success: { status: 200, description: 'The ladder', schema: MaturityLadderReport, csv: 'asOf,period,start,issuer,currency,count,amount' },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => {
        const r = await reports.maturityLadder(ctx, { issuer: query.issuer });
        return { body: r, csv: () => ladderCsv(r) };
      },
    }),
    route({
      method: 'get',
      path: '/reports/ageing',
      summary: 'Outstanding amounts by days overdue: current, 1-30, 31-60, 61-90, over 90',
      tag: 'reports',
      query: NoQuery,
      success: { status: 200, description: 'The ageing', schema: AgeingReport, csv: 'asOf,assetType,bucket,currency,count,amount' },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async (_input, ctx) => {
        const r = await reports.ageing(ctx);
        return { body: r, csv: () => ageingCsv(r) };
      },
    }),
    route({
      method: 'get',
      path: '/reports/exposure',
      summary: 'Outstanding financed amount per bank and obligor, against its credit line when lines can be looked up',
      tag: 'reports',
      query: NoQuery,
      success: {
        status: 200,
        description: 'The exposure',
        schema: ExposureReport,
        csv: 'asOf,bank,obligor,currency,count,financed,face,creditLineId,creditLimit,creditUsed,headroom',
      },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async (_input, ctx) => {
        const r = await reports.exposure(ctx);
        return { body: r, csv: () => exposureCsv(r) };
      },
    }),
  ];
}
