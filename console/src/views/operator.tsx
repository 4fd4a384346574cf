import { useState } from 'preact/hooks';
import type { Freeze } from '../../../chaincode/src/domain/controls';
import { FREEZE_TARGET_TYPES } from '../../../chaincode/src/domain/controls';
import { MEMBER_STATUSES, ROLES, type IdentityBinding, type Member } from '../../../chaincode/src/domain/types';
import { api, get, post, query } from '../api';
import { assetTypeText, Coded, CodedList, commonNameOf, ErrorBox, Form, MoreRows, type Pages, roleText, Section, Signer, Status, statusText, Table, useAction, useLoad, userRoleText, usePages } from '../components';
import { useCounterparties } from '../counterparties';
import { dateTime } from '../format';
import { t, type MessageKey } from '../i18n';
import { newKeyAndCsr } from '../keys';
import { amount } from './supplier';

interface CredentialRow {
  id: string;
  label: string;
  userRole: string;
  identityId?: string;
  createdAt?: string;
  revokedAt?: string;
  unbound?: boolean;
}

interface Issued {
  credential: CredentialRow;
  certificate: string;
  token: string;
}

const USER_ROLE_CHOICES = ['ADMIN', 'CHECKER', 'MAKER'] as const;

/** The roles a member is registered with here, one per member (the operator is the ledger's first member; several roles: POST /members). */
const REGISTRABLE_ROLES = ROLES.filter((r) => r !== 'OPERATOR');

/**
 * Who can sign for a member, as the ledger has it (GET /members/:id/identities,
 * page by page): every identity bound to it, in force or offered and not yet
 * accepted, on any ledger. An identity a credential was issued for here is
 * named by that credential's label too.
 */
function LedgerIdentities({ memberId, pages, credentials, onUnbound }: { memberId: string; pages: Pages<IdentityBinding>; credentials: readonly CredentialRow[]; onUnbound: () => void }) {
  // The binding to unbind, once asked: its form (an optional reason) is the confirmation.
  const [unbinding, setUnbinding] = useState<IdentityBinding | undefined>(undefined);
  const nameOf = (b: IdentityBinding) => commonNameOf(b.identityId) ?? b.identityId;
  // A revoked credential's token no longer signs in, though its binding stays on the ledger (as history): say so beside it.
  const credentialOf = (b: IdentityBinding) => {
    const c = credentials.find((k) => k.identityId === b.identityId);
    if (!c) return '';
    return c.revokedAt ? (
      <>
        {c.label} <Status value="REVOKED" />
      </>
    ) : (
      c.label
    );
  };
  return (
    <section class="panel" aria-labelledby="ledger-identities-title">
      <h4 id="ledger-identities-title">{t('operator.ledgerIdentities', { id: memberId })}</h4>
      <ErrorBox error={pages.error} />
      <Table
        caption={t('operator.ledgerIdentities', { id: memberId })}
        rows={pages.records}
        rowKey={(b) => `${b.mspId} ${b.identityId}`}
        columns={[
          // Its certificate's common name; the full identity id in the title.
          { label: 'field.identity', cell: (b) => <Signer id={b.identityId} member="" /> },
          { label: 'field.msp', cell: (b) => b.mspId },
          { label: 'field.userRole', cell: (b) => <Coded value={b.userRole} text={userRoleText} /> },
          { label: 'operator.binding', cell: (b) => (b.pendingAcceptance ? t('operator.offered') : t('operator.inForce')) },
          { label: 'field.bound', cell: (b) => dateTime(b.createdAt) },
          { label: 'operator.credential', cell: credentialOf },
          {
            label: 'field.actions',
            cell: (b) => (
              <button type="button" class="secondary" aria-label={t('operator.unbindTitle', { identity: nameOf(b), msp: b.mspId })} onClick={() => setUnbinding(b)}>
                {t('operator.unbind')}
              </button>
            ),
          },
        ]}
      />
      <MoreRows pages={pages} />
      {unbinding && (
        <Form
          key={`unbind-${unbinding.mspId}-${unbinding.identityId}`}
          title={t('operator.unbindTitle', { identity: nameOf(unbinding), msp: unbinding.mspId })}
          submit="operator.submitUnbind"
          fields={[{ name: 'reason', label: 'field.reasonOptional' }]}
          onCancel={() => setUnbinding(undefined)}
          onSubmit={async (v, key) => {
            const reason = (v.reason ?? '').trim();
            await post(
              `/members/${encodeURIComponent(memberId)}/identities/unbind`,
              { mspId: unbinding.mspId, identityId: unbinding.identityId, ...(reason ? { reason } : {}) },
              key,
            );
            // From now on it is refused everywhere: it leaves this list, and its credential (if issued here) reads UNBOUND.
            onUnbound();
            return t('operator.unbound', { identity: nameOf(unbinding) });
          }}
        />
      )}
    </section>
  );
}

function Identities({ member }: { member: Member }) {
  const path = `/members/${encodeURIComponent(member.id)}/credentials`;
  const identities = usePages<IdentityBinding>(`/members/${encodeURIComponent(member.id)}/identities${query({ pageSize: '100' })}`);
  // Issued over HTTP: an embedded-ledger feature (on Fabric the org's own CA enrols, and this list is refused).
  const credentials = useLoad(() => get<{ credentials: CredentialRow[] }>(path).then((r) => r.credentials), [member.id]);
  const [issued, setIssued] = useState<(Issued & { privateKeyPem: string }) | undefined>(undefined);
  const revocation = useAction();
  const statusOf = (c: CredentialRow) => (c.revokedAt ? 'REVOKED' : c.unbound ? 'UNBOUND' : 'ACTIVE');
  return (
    <section class="panel" aria-labelledby="identities-title">
      <h3 id="identities-title">{t('operator.credentials', { id: member.id })}</h3>
      <LedgerIdentities
        memberId={member.id}
        pages={identities}
        credentials={credentials.data ?? []}
        onUnbound={() => {
          identities.reload();
          credentials.reload();
        }}
      />
      <section class="panel" aria-labelledby="issued-credentials-title">
        <h4 id="issued-credentials-title">{t('operator.issuedCredentials', { id: member.id })}</h4>
        <ErrorBox error={credentials.error} />
        {revocation.feedback}
        <Table
          caption={t('operator.issuedCredentials', { id: member.id })}
          rows={credentials.data}
          rowKey={(c) => c.id}
          columns={[
            { label: 'field.label', cell: (c) => c.label },
            { label: 'field.userRole', cell: (c) => <Coded value={c.userRole} text={userRoleText} /> },
            { label: 'field.status', cell: (c) => <Status value={statusOf(c)} /> },
            { label: 'field.created', cell: (c) => dateTime(c.createdAt) },
            {
              label: 'field.actions',
              cell: (c) =>
                statusOf(c) === 'ACTIVE' ? (
                  <button
                    type="button"
                    class="secondary"
                    aria-label={t('operator.revokeTitle', { label: c.label })}
                    disabled={revocation.busy}
                    onClick={() =>
                      void revocation.run(`revoke:${c.id}`, () => api('DELETE', `${path}/${encodeURIComponent(c.id)}`), t('operator.revoked', { label: c.label }), () => {
                        // Revoking ends the token; the ledger list marks its identity's credential REVOKED (the binding stays, as history).
                        credentials.reload();
                        identities.reload();
                      })
                    }
                  >
                    {t('operator.revoke')}
                  </button>
                ) : null,
            },
          ]}
        />
      </section>
      <Form
        key={`issue-${member.id}`}
        title={t('operator.issue', { id: member.id })}
        submit="operator.submitIssue"
        fields={[
          { name: 'label', label: 'field.label' },
          { name: 'userRole', label: 'field.userRole', select: USER_ROLE_CHOICES, optionText: userRoleText, value: 'MAKER' },
        ]}
        onSubmit={async (v, key) => {
          setIssued(undefined);
          const { csr, privateKeyPem } = await newKeyAndCsr();
          const label = (v.label ?? '').trim();
          const answer = await post<Issued>(path, { csr, userRole: v.userRole, ...(label ? { label } : {}) }, key);
          setIssued({ ...answer, privateKeyPem });
          credentials.reload();
          // Issuing binds the credential's identity on the ledger.
          identities.reload();
          return t('operator.issued', { label: answer.credential.label });
        }}
      />
      {issued && <IssuedOnce issued={issued} />}
    </section>
  );
}

/** A new credential's token and private key: shown here once, kept nowhere. */
function IssuedOnce({ issued }: { issued: Issued & { privateKeyPem: string } }) {
  return (
    <div class="panel issued" role="region" aria-label={t('operator.issuedOnce', { label: issued.credential.label })}>
      <h4>{t('operator.issuedOnce', { label: issued.credential.label })}</h4>
      <p>{t('operator.issuedHint')}</p>
      <label>
        <span>{t('operator.token')}</span>
        <input type="text" readOnly value={issued.token} />
      </label>
      <label>
        <span>{t('operator.privateKey')}</span>
        <textarea readOnly rows={5} value={issued.privateKeyPem} />
      </label>
      <label>
        <span>{t('operator.certificate')}</span>
        <textarea readOnly rows={5} value={issued.certificate} />
      </label>
    </div>
  );
}

/** A list filter: one of `options` (each read as `optionText` gives it, sent as it is), or any (the empty value). */
function FilterChoice(props: { label: MessageKey; value: string; options: readonly string[]; optionText: (value: string) => string; onChange: (value: string) => void }) {
  return (
    <label>
      <span>{t(props.label)}</span>
      <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{t('operator.any')}</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.optionText(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function OperatorView() {
  // Every member, from the ledger's directory (GET /members, the operator's and auditors'), page by page.
  // Narrowed by role or status on the ledger (GET /members?role=&status=), not in the page.
  const [filter, setFilter] = useState<{ role: string; status: string }>({ role: '', status: '' });
  const members = usePages<Member>(`/members${query({ role: filter.role || undefined, status: filter.status || undefined, pageSize: '100' })}`);
  const freezes = usePages<Freeze>(`/freezes${query({ pageSize: '100' })}`);
  // The operator may list members: a member to freeze is offered from the roster, read again when the
  // list above shows other members and whenever a member is registered, suspended or reinstated here
  // (the list above may be filtered or partial: it need not show the member that changed).
  const [membersChanged, setMembersChanged] = useState(0);
  const roster = useCounterparties(members.records?.map((m) => m.id), [membersChanged]);
  const reloadMembers = () => {
    members.reload();
    setMembersChanged((n) => n + 1);
  };
  // The member whose identities are shown, and how often they were asked for: asking again reads them again.
  const [selected, setSelected] = useState<{ member: Member; asked: number } | undefined>(undefined);
  // The member whose name or MSP is being corrected (POST /members/:id/amend), and how often asked: asking again opens a new form.
  const [amend, setAmend] = useState<{ member: Member; asked: number } | undefined>(undefined);
  const amending = amend?.member;
  const { run, busy, feedback } = useAction();

  return (
    <div class="view">
      <h2 class="view-title">{t('operator.title')}</h2>
      {feedback}
      <Section title={t('operator.members')}>
        <div class="filters">
          <FilterChoice label="operator.role" value={filter.role} options={ROLES} optionText={roleText} onChange={(role) => setFilter((f) => ({ ...f, role }))} />
          <FilterChoice label="field.status" value={filter.status} options={MEMBER_STATUSES} optionText={statusText} onChange={(status) => setFilter((f) => ({ ...f, status }))} />
        </div>
        <ErrorBox error={members.error} />
        <Table
          caption={t('operator.members')}
          rows={members.records}
          rowKey={(m) => m.id}
          columns={[
            { label: 'field.id', cell: (m) => m.id },
            { label: 'field.name', cell: (m) => m.name },
            { label: 'field.roles', cell: (m) => <CodedList values={m.roles} text={roleText} /> },
            { label: 'field.status', cell: (m) => <Status value={m.status} /> },
            {
              label: 'field.actions',
              cell: (m) => (
                <span class="row-actions">
                  <button type="button" aria-label={t('operator.credentials', { id: m.id })} onClick={() => setSelected((now) => ({ member: m, asked: (now?.asked ?? 0) + 1 }))}>
                    {t('operator.identities')}
                  </button>
                  <button type="button" class="secondary" aria-label={t('operator.amendTitle', { id: m.id })} onClick={() => setAmend((now) => ({ member: m, asked: (now?.asked ?? 0) + 1 }))}>
                    {t('operator.amend')}
                  </button>
                  {m.status === 'ACTIVE' && !m.roles.includes('OPERATOR') && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${t('operator.suspend')} ${m.id}`}
                      disabled={busy}
                      onClick={() =>
                        void run(`suspend:${m.id}`, (key) => post(`/members/${encodeURIComponent(m.id)}/suspend`, {}, key), t('common.done', { what: m.id }), reloadMembers)
                      }
                    >
                      {t('operator.suspend')}
                    </button>
                  )}
                  {m.status === 'SUSPENDED' && (
                    <button
                      type="button"
                      aria-label={`${t('operator.reinstate')} ${m.id}`}
                      disabled={busy}
                      onClick={() =>
                        void run(`reinstate:${m.id}`, (key) => post(`/members/${encodeURIComponent(m.id)}/reinstate`, {}, key), t('common.done', { what: m.id }), reloadMembers)
                      }
                    >
                      {t('operator.reinstate')}
                    </button>
                  )}
                </span>
              ),
            },
          ]}
        />
        <MoreRows pages={members} />
        {amending && (
          <Form
            key={`amend-${amending.id}-${amend?.asked ?? 0}`}
            title={t('operator.amendTitle', { id: amending.id })}
            submit="operator.submitAmend"
            fields={[
              { name: 'name', label: 'field.name', value: amending.name },
              { name: 'mspId', label: 'operator.mspId', value: amending.mspId },
              { name: 'reason', label: 'field.reasonOptional' },
            ]}
            onCancel={() => setAmend(undefined)}
            onSubmit={async (v, key) => {
              const name = v.name ?? '';
              const mspId = (v.mspId ?? '').trim();
              const reason = (v.reason ?? '').trim();
              // Only what changed: the MSP may change only while no identity is bound, a new name at any time.
              // Nothing changed: the name as it is, for the gateway to say so.
              const changes = {
                ...(name !== amending.name ? { name } : {}),
                ...(mspId !== amending.mspId ? { mspId } : {}),
              };
              const m = await post<Member>(
                `/members/${encodeURIComponent(amending.id)}/amend`,
                { ...(Object.keys(changes).length > 0 ? changes : { name }), ...(reason ? { reason } : {}) },
                key,
              );
              reloadMembers();
              return t('operator.amended', { id: m.id });
            }}
          />
        )}
        <Form
          title={t('operator.register')}
          submit="operator.submitRegister"
          fields={[
            { name: 'id', label: 'operator.memberId' },
            { name: 'name', label: 'field.name' },
            { name: 'mspId', label: 'operator.mspId', value: 'PlatformMSP' },
            { name: 'role', label: 'operator.role', select: REGISTRABLE_ROLES, optionText: roleText, value: 'SUPPLIER' },
            { name: 'threshold', label: 'operator.threshold', type: 'number' },
          ]}
          onSubmit={async (v, key) => {
            const threshold = (v.threshold ?? '').trim();
            const m = await post<Member>(
              '/members',
              {
                id: (v.id ?? '').trim(),
                name: v.name,
                mspId: (v.mspId ?? '').trim(),
                roles: [v.role],
                ...(threshold ? { dualControlThreshold: amount(threshold) } : {}),
              },
              key,
            );
            reloadMembers();
            return t('operator.registered', { id: m.id });
          }}
        />
        {selected && <Identities key={`${selected.member.id}-${selected.asked}`} member={selected.member} />}
      </Section>

      <Section title={t('operator.freezes')}>
        <ErrorBox error={freezes.error} />
        <Table
          caption={t('operator.freezes')}
          rows={freezes.records}
          rowKey={(f) => f.id}
          columns={[
            { label: 'field.id', cell: (f) => f.id },
            { label: 'field.target', cell: (f) => `${assetTypeText(f.target.type)} ${f.target.id}` },
            { label: 'field.reason', cell: (f) => f.reason },
            { label: 'field.status', cell: (f) => <Status value={f.status} /> },
            { label: 'field.created', cell: (f) => dateTime(f.createdAt) },
            {
              label: 'field.actions',
              cell: (f) =>
                f.status === 'ACTIVE' ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      void run(
                        `lift:${f.id}`,
                        (key) => api('DELETE', `/freezes/${encodeURIComponent(f.id)}`, { reason: t('operator.liftReason') }, key),
                        t('operator.lifted', { id: f.id }),
                        freezes.reload,
                      )
                    }
                  >
                    {t('operator.lift', { id: f.id })}
                  </button>
                ) : null,
            },
          ]}
        />
        <MoreRows pages={freezes} />
        <Form
          title={t('operator.freeze')}
          submit="operator.submitFreeze"
          fields={[
            { name: 'type', label: 'operator.targetType', select: FREEZE_TARGET_TYPES, optionText: assetTypeText, value: 'VOUCHER' },
            { name: 'id', label: 'operator.targetId', suggestions: (v) => (v.type === 'MEMBER' ? roster : undefined) },
            { name: 'reason', label: 'field.reason' },
          ]}
          onSubmit={async (v, key) => {
            const f = await post<Freeze>('/freezes', { target: { type: v.type, id: v.id }, reason: v.reason }, key);
            freezes.reload();
            return t('operator.frozen', { id: f.id });
          }}
        />
      </Section>
    </div>
  );
}
