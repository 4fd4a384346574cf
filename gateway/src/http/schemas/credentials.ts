import { z } from 'zod';
import { MemberId, MspId } from './common';
import { UserRole } from './members';

export const CredentialId = z.string().regex(/^CRD-[0-9A-F]{16}$/, 'a credential id is CRD- and 16 upper-case hex digits').openapi({ example: 'CRD-4F1A9C0B7D2E3F60' });

export const CredentialParams = z.strictObject({ id: MemberId, credentialId: CredentialId });

export const IssueCredentialBody = z
  .strictObject({
    csr: z
      .string()
      .min(1)
      .max(16_384)
      .openapi({
        description:
          'PEM PKCS#10 certificate signing request for an ECDSA P-256 or P-384 key; its signature must verify with the key it carries. The private key never leaves the member',
      }),
    userRole: UserRole,
    label: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'a label is 1-64 letters, digits, spaces, . _ -, starting with a letter or digit')
      .optional()
      .openapi({ description: 'A name for people (e.g. "erp-client"); the credential id when absent', example: 'erp-client' }),
  })
  .openapi('IssueCredential');

const CredentialActor = z.object({ memberId: MemberId, identityId: z.string() });

export const Credential = z
  .object({
    id: CredentialId,
    memberId: MemberId,
    mspId: MspId,
    identityId: z.string().openapi({ description: 'ClientIdentity.getID() of the certificate, as bound on chain' }),
    userRole: UserRole,
    label: z.string(),
    certificate: z.string().openapi({ description: 'PEM X.509 certificate from the embedded CA of the member’s MSP' }),
    createdAt: z.string(),
    createdBy: CredentialActor,
    rotatedAt: z.string().optional(),
    rotatedBy: CredentialActor.optional(),
    revokedAt: z.string().optional(),
    revokedBy: CredentialActor.optional(),
    lastUsedAt: z.string().optional().openapi({ description: 'When its token was last used: a full timestamp, written at most once a minute, so up to a minute behind the last call' }),
    unbound: z.literal(true).optional().openapi({
      description: 'Present when its identity is no longer bound to the member (member:UnbindIdentity): its token is refused everywhere; userRole is then the last role known',
    }),
  })
  .openapi('Credential', { description: 'A credential’s metadata: never its token, nor the token’s hash' });

export const IssuedCredential = z
  .object({
    credential: Credential,
    certificate: z.string().openapi({ description: 'PEM X.509 certificate for the CSR’s key' }),
    token: z.string().openapi({ description: 'Bearer token acting as the certificate. Shown this once: the gateway keeps only its SHA-256' }),
  })
  .openapi('IssuedCredential');

export const CredentialList = z.object({ credentials: z.array(Credential) }).openapi('CredentialList');
