import { useState } from 'preact/hooks';
import type { Freeze } from '../../../chaincode/src/domain/controls';
import { FREEZE_TARGET_TYPES } from '../../../chaincode/src/domain/controls';
import { MEMBER_STATUSES, ROLES, type Member } from '../../../chaincode/src/domain/types';
import { api, get, post, query } from '../api';
import { assetTypeText, Coded, CodedList, ErrorBox, Form, MoreRows, roleText, Section, Status, statusText, Table, useAction, useLoad, userRoleText, usePages } from '../components';
import { useCounterparties } from '../counterparties';
import { dateTime } from '../format';
import { t, type MessageKey } from '../i18n';
import { demoIdentities, type DemoSignIn } from '../session';
import { newKeyAndCsr } from '../keys';
import { amount } from './supplier';

interface CredentialRow {
  id: string;
  label: string;
  userRole: string;
  /** DEMO for a demo identity; otherwise from revokedAt and unbound. */
  status?: string;
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

interface MemberRow {
  member: Member;
  /** The demo identities bound to it (demo mode), shown with the credentials issued over HTTP. */
  demo: DemoSignIn[];
}

function Identities({ row }: { row: MemberRow }) {
  const credentials = useLoad(
    () => get<{ credentials: CredentialRow[] }>(`/members/${encodeURIComponent(row.member.id)}/credentials`).then((r) => r.credentials),
    [row.member.id],
  );
  const [issued, setIssued] = useState<(Issued & { privateKeyPem: string }) | undefined>(undefined);
  const revocation = useAction();
  const statusOf = (c: CredentialRow) => c.status ?? (c.revokedAt ? 'REVOKED' : c.unbound ? 'UNBOUND' : 'ACTIVE');
  const rows: CredentialRow[] = [...row.demo.map((d) => ({ id: d.label, label: d.label, userRole: d.userRole, status: 'DEMO' })), ...(credentials.data ?? [])];
  const path = `/members/${encodeURIComponent(row.member.id)}/credentials`;
  return (
    <section class="panel" aria-labelledby="identities-title">
      <h3 id="identities-title">{t('operator.credentials', { id: row.member.id })}</h3>
      <ErrorBox error={credentials.error} />
      {revocation.feedback}
      <Table
        caption={t('operator.credentials', { id: row.member.id })}
        rows={rows}
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
                    void revocation.run(`revoke:${c.id}`, () => api('DELETE', `${path}/${encodeURIComponent(c.id)}`), t('operator.revoked', { label: c.label }), credentials.reload)
                  }
                >
                  {t('operator.revoke')}
                </button>
              ) : null,
          },
        ]}
      />
      <Form
        key={`issue-${row.member.id}`}
        title={t('operator.issue', { id: row.member.id })}
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
  const demo = useLoad(() => demoIdentities(), []);
  const rows = members.records?.map((member) => ({ member, demo: (demo.data ?? []).filter((d) => d.memberId === member.id) }));
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
  const [selected, setSelected] = useState<MemberRow | undefined>(undefined);
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
          rows={rows}
          rowKey={(r) => r.member.id}
          columns={[
            { label: 'field.id', cell: (r) => r.member.id },
            { label: 'field.name', cell: (r) => r.member.name },
            { label: 'field.roles', cell: (r) => <CodedList values={r.member.roles} text={roleText} /> },
            { label: 'field.status', cell: (r) => <Status value={r.member.status} /> },
            {
              label: 'field.actions',
              cell: (r) => (
                <span class="row-actions">
                  <button type="button" aria-label={t('operator.credentials', { id: r.member.id })} onClick={() => setSelected(r)}>
                    {t('operator.identities')}
                  </button>
                  {r.member.status === 'ACTIVE' && !r.member.roles.includes('OPERATOR') && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${t('operator.suspend')} ${r.member.id}`}
                      disabled={busy}
                      onClick={() =>
                        void run(`suspend:${r.member.id}`, (key) => post(`/members/${encodeURIComponent(r.member.id)}/suspend`, {}, key), t('common.done', { what: r.member.id }), reloadMembers)
                      }
                    >
                      {t('operator.suspend')}
                    </button>
                  )}
                  {r.member.status === 'SUSPENDED' && (
                    <button
                      type="button"
                      aria-label={`${t('operator.reinstate')} ${r.member.id}`}
                      disabled={busy}
                      onClick={() =>
                        void run(`reinstate:${r.member.id}`, (key) => post(`/members/${encodeURIComponent(r.member.id)}/reinstate`, {}, key), t('common.done', { what: r.member.id }), reloadMembers)
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
        {selected && <Identities key={selected.member.id} row={selected} />}
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
