import type { CanonicalDocument } from '../../../../chaincode/src/domain/canonical';
import type { Services } from '../../services';
import type { RegisterReceivableInput } from '../../services/receivables';
import { route, type RouteSpec, written } from '../route';
import { Approval } from '../schemas/approvals';
import { IdParams, Page } from '../schemas/common';
import {
  EmptyBody,
  History,
  ListReceivablesQuery,
  DocumentVerification,
  ReasonBody,
  Receivable,
  RegisterReceivableBody,
  VerifyDocumentsBody,
} from '../schemas/receivables';

const TRANSITION_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'] as const;

export function receivableRoutes({ receivables }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/receivables',
      summary: "Register a receivable (SUPPLIER, as creditor) with its documents' canonical fields; the ledger computes and claims their fingerprints",
      tag: 'receivables',
      body: RegisterReceivableBody,
      success: { status: 201, description: 'The PENDING receivable', schema: Receivable },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'ALREADY_EXISTS', 'DOUBLE_FINANCING', 'BUSINESS_RULE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ body }, ctx) => written(await receivables.register(ctx, body as RegisterReceivableInput)),
    }),
    route({
      method: 'post',
      path: '/receivables/:id/verify-documents',
      summary: "Whether documents (canonical fields) hash to fingerprints the receivable claims (its creditor and debtor; 404 to others)",
      tag: 'receivables',
      params: IdParams,
      body: VerifyDocumentsBody,
      success: { status: 200, description: 'One answer per document, in the order given', schema: DocumentVerification },
      errors: ['NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Not used: this request writes nothing',
      handle: async ({ params, body }, ctx) => ({ body: await receivables.verifyDocuments(ctx, params.id, body.documents as CanonicalDocument[]) }),
    }),
    route({
      method: 'get',
      path: '/receivables',
      summary: 'List receivables visible to the caller',
      tag: 'receivables',
      query: ListReceivablesQuery,
      success: { status: 200, description: 'One page', schema: Page(Receivable) },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => ({ body: await receivables.list(ctx, query) }),
    }),
    route({
      method: 'get',
      path: '/receivables/:id',
      summary: 'Read a receivable (its parties, AUDITOR, OPERATOR)',
      tag: 'receivables',
      params: IdParams,
      success: { status: 200, description: 'The receivable', schema: Receivable },
      errors: ['NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await receivables.get(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/receivables/:id/history',
      summary: 'Every committed version of a receivable',
      tag: 'receivables',
      params: IdParams,
      success: { status: 200, description: 'Versions, oldest first', schema: History },
      errors: ['NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await receivables.history(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/receivables/:id/confirm',
      summary: 'Confirm a receivable (its debtor, CORE_ENTERPRISE)',
      tag: 'receivables',
      params: IdParams,
      body: ReasonBody,
      success: { status: 200, description: 'The CONFIRMED receivable', schema: Receivable },
      accepted: Approval,
      errors: [...TRANSITION_ERRORS, 'ALREADY_EXISTS'],
      handle: async ({ params, body }, ctx) => written(await receivables.confirm(ctx, params.id, body.reason)),
    }),
    route({
      method: 'post',
      path: '/receivables/:id/reject',
      summary: 'Reject a receivable (its debtor); releases its fingerprints',
      tag: 'receivables',
      params: IdParams,
      body: ReasonBody,
      success: { status: 200, description: 'The REJECTED receivable', schema: Receivable },
      errors: [...TRANSITION_ERRORS],
      handle: async ({ params, body }, ctx) => written(await receivables.reject(ctx, params.id, body.reason)),
    }),
    route({
      method: 'post',
      path: '/receivables/:id/cancel',
      summary: 'Cancel a pending receivable (its creditor); releases its fingerprints',
      tag: 'receivables',
      params: IdParams,
      body: EmptyBody,
      success: { status: 200, description: 'The CANCELLED receivable', schema: Receivable },
      errors: [...TRANSITION_ERRORS],
      handle: async ({ params }, ctx) => written(await receivables.cancel(ctx, params.id)),
    }),
  ];
}
