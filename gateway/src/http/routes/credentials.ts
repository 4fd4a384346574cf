import type { Services } from '../../services';
import { EmptyBody } from '../schemas/receivables';
import { route, type RouteSpec } from '../route';
import { MemberIdParams } from '../schemas/common';
import { Credential, CredentialList, CredentialParams, IssuedCredential, IssueCredentialBody } from '../schemas/credentials';

/** A token is a secret: no cache keeps the answer that carries it. */
const NO_STORE = { 'Cache-Control': 'no-store' };

/*
 * Members who can sign in (DESIGN.md section 8): the OPERATOR, or a member's
 * ADMIN for its own member, issues, lists, rotates and revokes its
 * credentials. Embedded ledger only: on Fabric the org's own CA enrols.
 */
export function credentialRoutes({ credentials }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/members/:id/credentials',
      summary: "Issue a credential for a member's CSR: a certificate from the embedded CA, bound on chain, and an API token shown once (an ADMIN of the OPERATOR; the member's ADMIN for a MAKER)",
      tag: 'credentials',
      params: MemberIdParams,
      body: IssueCredentialBody,
      success: { status: 201, description: 'The certificate and its token (shown once), and the credential', schema: IssuedCredential },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'ALREADY_EXISTS', 'BUSINESS_RULE', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      idempotency: 'Kept with the credential: a repeat is 409 ALREADY_EXISTS naming it, also while the first request is being served (a token is shown once; rotate it if it was lost)',
      handle: async ({ params, body }, ctx) => {
        const issued = await credentials.issue(ctx, params.id, body);
        return { body: issued.value, txId: issued.txId, headers: NO_STORE };
      },
    }),
    route({
      method: 'get',
      path: '/members/:id/credentials',
      summary: "A member's credentials, metadata only (OPERATOR, AUDITOR, or the member's ADMIN)",
      tag: 'credentials',
      params: MemberIdParams,
      success: { status: 200, description: 'Every credential of the member, oldest first, revoked ones included', schema: CredentialList },
      errors: ['FORBIDDEN', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await credentials.list(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/members/:id/credentials/:credentialId/rotate',
      summary: 'A new token for a credential; the old one stops working at once (an ADMIN of the OPERATOR; the member’s ADMIN for its own credential and those it issued)',
      tag: 'credentials',
      params: CredentialParams,
      body: EmptyBody,
      success: { status: 200, description: 'The credential and its new token (shown once)', schema: IssuedCredential },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'ALREADY_EXISTS', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Kept with the rotation: repeating the last rotation’s key is 409 ALREADY_EXISTS and changes nothing (its token is shown once; rotate with a new key if it was lost)',
      handle: async ({ params }, ctx) => ({ body: await credentials.rotate(ctx, params.id, params.credentialId), headers: NO_STORE }),
    }),
    route({
      method: 'delete',
      path: '/members/:id/credentials/:credentialId',
      summary: 'Revoke a credential: its token fails from this answer on (OPERATOR, or the member’s ADMIN)',
      tag: 'credentials',
      params: CredentialParams,
      success: { status: 200, description: 'The revoked credential', schema: Credential },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE'],
      idempotency: 'Not needed: revoking again is 409 INVALID_STATE and changes nothing',
      handle: async ({ params }, ctx) => ({ body: await credentials.revoke(ctx, params.id, params.credentialId) }),
    }),
  ];
}
