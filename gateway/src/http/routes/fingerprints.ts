import type { Services } from '../../services';
import type { CanonicalDocument } from '../../../../chaincode/src/domain/canonical';
import { route, type RouteSpec } from '../route';
import { CheckFingerprintsBody, FingerprintBody, FingerprintResult, FingerprintStatus } from '../schemas/fingerprints';

export function fingerprintRoutes({ fingerprints }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/fingerprints',
      summary: 'Canonicalise and hash documents (no ledger access); see docs/API.md for the forms',
      tag: 'fingerprints',
      body: FingerprintBody,
      success: { status: 200, description: 'Canonical form and SHA-256 of each document', schema: FingerprintResult },
      errors: [],
      idempotency: 'Not used: this request writes nothing',
      handle: ({ body }) => Promise.resolve({ body: fingerprints.compute(body.documents as CanonicalDocument[]) }),
    }),
    route({
      method: 'post',
      path: '/fingerprints/check',
      summary: 'Whether fingerprints are already claimed, and by which asset',
      tag: 'fingerprints',
      body: CheckFingerprintsBody,
      success: { status: 200, description: 'One entry per fingerprint', schema: FingerprintStatus },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Not used: this request writes nothing',
      handle: async ({ body }, ctx) => ({ body: await fingerprints.check(ctx, body.fingerprints) }),
    }),
  ];
}
