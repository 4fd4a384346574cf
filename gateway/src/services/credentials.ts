import { DomainError } from '../../../chaincode/src/domain/errors';
import { assertMayBindIdentity, assertMayRevokeCredentials, assertNotAuditor, hasRole, isReader } from '../../../chaincode/src/domain/members';
import type { Actor, IdentityBinding, Member, UserRole } from '../../../chaincode/src/domain/types';
import {
  type CredentialActor,
  CredentialConflict,
  type CredentialMetadata,
  CsrError,
  type CredentialStore,
  metadataOf,
  newCredentialId,
  type StoredCredential,
  verifyCsr,
} from '../credentials';
import { identityIdOf } from '../ledger/identity-id';
import { LedgerError } from '../ledger/ledger';
import type { CallContext, LedgerCalls, Written } from './calls';

/** Signs certificates for public keys whose private keys their requesters keep: the embedded network's CA. */
export interface CertificateIssuer {
  /** A certificate of `mspId`'s CA for `publicKeyPem` (SPKI PEM), named `commonName`. */
  issue(mspId: string, publicKeyPem: string, commonName: string): Promise<string>;
}

/** What the gateway needs to issue credentials: present on the embedded ledger only. */
export interface CredentialAuthority {
  ca: CertificateIssuer;
  store: CredentialStore;
}

export interface IssueCredentialInput {
  csr: string;
  userRole: UserRole;
  label?: string | undefined;
}

/** The answer to an issue or a rotation: the token is in it once and never again. */
export interface IssuedCredential {
  credential: CredentialMetadata;
  certificate: string;
  token: string;
}

export const NO_EMBEDDED_CA =
  "this gateway has no embedded CA: on Fabric (SCF_LEDGER=fabric) an organisation enrols its identities with its own CA " +
  '(fabric-ca-client register/enroll, or cryptogen for the test network), binds them with POST /members/{id}/identities, ' +
  "and adds certificate, key and token to the gateway's profile, which the gateway re-reads on SIGHUP (README: Fabric network, adding an identity)";

/**
 * Members who can sign in (DESIGN.md section 8, credentials). On the embedded
 * ledger a member sends a PKCS#10 CSR; the embedded CA of its MSP certifies
 * the CSR's key, the caller binds the certificate on chain
 * (member:BindIdentity), and an API token acting as that certificate is
 * returned once and kept only as its hash. The member keeps its private key:
 * the embedded ledger runs inside the gateway and signs nothing, so the
 * gateway acts as the certificate for whoever holds the token, as it does for
 * the demo identities. On Fabric every proposal is signed, so the gateway can
 * act only for identities whose keys are in its profile: issuing is refused
 * there (409) and the README says how an org enrols with its own CA.
 *
 * Who may: an active OPERATOR for any member, or an ADMIN of the member for
 * its own member (the chaincode's assertMayBindIdentity, checked here first
 * and again by the chaincode): issuing MAKER credentials only, rotating only
 * what it bound itself (rotate), revoking any; listing also for auditors. Check order as
 * everywhere: caller (403), input (400), state (409), then the member (404).
 */
export class CredentialService {
  /** Idempotency-Keys (per calling member) whose issue is under way. */
  private readonly issuing = new Set<string>();

  constructor(
    private readonly calls: LedgerCalls,
    private readonly authority: CredentialAuthority | undefined,
  ) {}

  async issue(ctx: CallContext, memberId: string, input: IssueCredentialInput): Promise<Written<IssuedCredential>> {
    const actor = await this.manager(ctx, memberId, input.userRole);
    const csr = await verified(input.csr);
    const { store } = this.available();
    if (ctx.requestId === undefined) return this.issueOnce(ctx, actor, memberId, input, csr);
    const earlier = store.findByRequest(actor.member.id, ctx.requestId);
    if (earlier) {
      throw new LedgerError('ALREADY_EXISTS', `Idempotency-Key ${ctx.requestId} already issued credential ${earlier.id}; its token was shown once: rotate it if it was lost`);
    }
    // A retry that comes while the first request is still being served (a
    // client that timed out) is refused at once, before a second certificate
    // is made and bound; the store checks the key again as it records.
    const key = `${actor.member.id}|${ctx.requestId}`;
    if (this.issuing.has(key)) throw new LedgerError('ALREADY_EXISTS', `Idempotency-Key ${ctx.requestId} is issuing a credential now; its token is shown once, to that request`);
    this.issuing.add(key);
    try {
      return await this.issueOnce(ctx, actor, memberId, input, csr);
    } finally {
      this.issuing.delete(key);
    }
  }

  private async issueOnce(
    ctx: CallContext,
    actor: Actor,
    memberId: string,
    input: IssueCredentialInput,
    csr: Awaited<ReturnType<typeof verifyCsr>>,
  ): Promise<Written<IssuedCredential>> {
    const { ca, store } = this.available();
    const member = await this.calls.read<Member>(ctx, 'member:Get', { id: memberId });
    const id = newCredentialId();
    const certificate = await ca.issue(member.mspId, csr.publicKeyPem, id);
    const identityId = identityIdOf(member.mspId, certificate);
    // Bound as the caller, so the chaincode checks the caller again and the
    // binding's history names who bound it. No requestId: the credential
    // store answers a repeated Idempotency-Key (above), since a token cannot
    // be shown twice.
    const bound = await this.calls.write<IdentityBinding>({ principal: ctx.principal }, 'member:BindIdentity', {
      memberId: member.id,
      mspId: member.mspId,
      identityId,
      userRole: input.userRole,
    });
    // A binding by the member's own ADMIN is an offer its identity accepts
    // before it acts (member:AcceptBinding), so that nobody binds an identity
    // whose key it does not hold. This identity was made this instant from
    // the requester's CSR and nobody else can hold it, so the gateway accepts
    // as it, as it will act for its token.
    if (bound.value.pendingAcceptance) {
      await this.calls.write({ principal: { label: id, identity: { mspId: member.mspId, certificate } } }, 'member:AcceptBinding', { memberId: member.id });
    }
    const { credential, token } = await conflicts(() => store.issue({
      id,
      memberId: member.id,
      mspId: member.mspId,
      identityId,
      userRole: input.userRole,
      label: input.label ?? id,
      certificate,
      createdBy: actorOf(actor),
      requestId: ctx.requestId,
    }));
    return { value: { credential: metadataOf(credential), certificate, token }, txId: bound.txId, replayed: false };
  }

  /**
   * A member's credentials, metadata only (never a token or its hash). The
   * user role shown is the one bound on chain now: the operator may have
   * changed it since the credential was issued.
   */
  async list(ctx: CallContext, memberId: string): Promise<{ credentials: CredentialMetadata[] }> {
    const actor = await this.caller(ctx);
    // Those who may bind the member's identities read its credentials (and the readers):
    // the refusal says so as a read, not as a binding.
    if (!isReader(actor)) {
      ruled(() => {
        try {
          assertMayRevokeCredentials(actor, memberId);
        } catch (err) {
          if (!(err instanceof DomainError) || err.code !== 'FORBIDDEN' || actor.member.status !== 'ACTIVE') throw err;
          throw new DomainError(
            'FORBIDDEN',
            `the credentials of member ${memberId} are read by its ADMIN identities, the operator and auditors; this identity is ${actor.identity.userRole} of member ${actor.member.id}`,
          );
        }
      });
    }
    const credentials = this.available().store.list(memberId);
    return {
      credentials: await Promise.all(
        credentials.map(async (c) => {
          const binding = await this.bindingOf(c);
          return binding ? { ...metadataOf(c), userRole: binding.userRole } : { ...metadataOf(c), unbound: true };
        }),
      ),
    };
  }

  /**
   * The credential's identity binding to its member as it is on chain now,
   * read as the credential itself; undefined once unbound from that member.
   */
  private async bindingOf(c: StoredCredential): Promise<IdentityBinding | undefined> {
    const principal = { label: c.id, identity: { mspId: c.mspId, certificate: c.certificate } };
    try {
      const { identity } = await this.calls.read<Actor>({ principal }, 'member:WhoAmI', {});
      return identity.memberId === c.memberId ? identity : undefined;
    } catch (err) {
      if (err instanceof LedgerError && err.code === 'FORBIDDEN') return undefined; // bound to no member
      throw err;
    }
  }

  /**
   * A new token for the credential; the old one fails from the moment this
   * answers. The new token goes to the caller, who can then act as the
   * credential's identity, so a member's ADMIN rotates only its own
   * credential and those of identities it bound itself (which dual control
   * already counts as possibly its own); the operator rotates any. Otherwise
   * an ADMIN could take over a checker the operator bound and approve its own
   * requests with it.
   */
  async rotate(ctx: CallContext, memberId: string, credentialId: string): Promise<IssuedCredential> {
    const actor = await this.manager(ctx, memberId);
    const { store } = this.available();
    const current = live(found(store, memberId, credentialId), 'rotate');
    if (!hasRole(actor, 'OPERATOR') && current.identityId !== actor.identity.identityId) {
      const by = (await this.bindingOf(current))?.boundBy;
      if (!by || by.mspId !== actor.identity.mspId || by.identityId !== actor.identity.identityId) {
        throw new LedgerError(
          'FORBIDDEN',
          `credential ${current.id} was not bound by this identity: its new token would let you act as it; the operator rotates it, or revoke it and issue a new one`,
        );
      }
    }
    const { credential, token } = await conflicts(() => store.rotate(current.id, actorOf(actor), ctx.requestId));
    return { credential: metadataOf(credential), certificate: credential.certificate, token };
  }

  /** Revokes the credential: its token fails from the moment this answers. The on-chain binding stays, as history. */
  async revoke(ctx: CallContext, memberId: string, credentialId: string): Promise<CredentialMetadata> {
    const actor = await this.caller(ctx);
    ruled(() => {
      assertNotAuditor(actor);
      assertMayRevokeCredentials(actor, memberId);
    });
    const { store } = this.available();
    const current = live(found(store, memberId, credentialId), 'revoke');
    return metadataOf(await conflicts(() => store.revoke(current.id, actorOf(actor))));
  }

  private caller(ctx: CallContext): Promise<Actor> {
    return this.calls.read<Actor>(ctx, 'member:WhoAmI', {});
  }

  /**
   * The caller, when it may manage the identities of `memberId`: an active
   * OPERATOR, or that member's ADMIN (for a new identity, a MAKER only).
   */
  private async manager(ctx: CallContext, memberId: string, userRole?: UserRole): Promise<Actor> {
    const actor = await this.caller(ctx);
    ruled(() => {
      assertNotAuditor(actor);
      assertMayBindIdentity(actor, memberId, userRole);
    });
    return actor;
  }

  private available(): CredentialAuthority {
    if (!this.authority) throw new LedgerError('INVALID_STATE', NO_EMBEDDED_CA);
    return this.authority;
  }
}

/** The store's refusals, judged in turn (a race with another change), answered as the checks before it would be. */
async function conflicts<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof CredentialConflict) throw new LedgerError(err.reason === 'REVOKED' ? 'INVALID_STATE' : 'ALREADY_EXISTS', err.message, { cause: err });
    throw err;
  }
}

/** Runs a rule of the domain here, in the gateway, answering its refusal as the chaincode's would be. */
function ruled(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof DomainError) throw new LedgerError(err.code, err.detail, { cause: err });
    throw err;
  }
}

async function verified(csr: string): Promise<Awaited<ReturnType<typeof verifyCsr>>> {
  try {
    return await verifyCsr(csr);
  } catch (err) {
    if (err instanceof CsrError) throw new LedgerError('VALIDATION_FAILED', err.message, { cause: err });
    throw err;
  }
}

function actorOf(actor: Actor): CredentialActor {
  return { memberId: actor.member.id, identityId: actor.identity.identityId };
}

function found(store: CredentialStore, memberId: string, credentialId: string): StoredCredential {
  const credential = store.get(credentialId);
  if (!credential || credential.memberId !== memberId) throw new LedgerError('NOT_FOUND', `member ${memberId} has no credential ${credentialId}`);
  return credential;
}

function live(credential: StoredCredential, action: string): StoredCredential {
  if (credential.revokedAt !== undefined) {
    throw new LedgerError('INVALID_STATE', `credential ${credential.id} was revoked at ${credential.revokedAt}: cannot ${action} it`);
  }
  return credential;
}
