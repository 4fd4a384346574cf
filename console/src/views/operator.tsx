import { useState } from 'preact/hooks';
import type { Freeze } from '../../../chaincode/src/domain/controls';
import { FREEZE_TARGET_TYPES } from '../../../chaincode/src/domain/controls';
import type { Member } from '../../../chaincode/src/domain/types';
import { api, get, post, query } from '../api';
import { ErrorBox, Form, MoreRows, Section, Status, Table, useAction, useLoad, usePages } from '../components';
import { dateTime } from '../format';
import { t } from '../i18n';
import { demoIdentities, type DemoSignIn } from '../session';

interface CredentialRow {
  id: string;
  label: string;
  userRole: string;
  status?: string;
  createdAt?: string;
}

interface MemberRow {
  member: Member;
  /** The demo identities bound to it (demo mode), shown with the credentials issued over HTTP. */
  demo: DemoSignIn[];
}

async function loadMembers(extra: readonly string[]): Promise<MemberRow[]> {
  const demo = await demoIdentities();
  const ids = [...new Set([...demo.map((d) => d.memberId), ...extra])];
  const rows = await Promise.all(
    ids.map(async (id) => {
      const member = await get<Member>(`/members/${encodeURIComponent(id)}`);
      return { member, demo: demo.filter((d) => d.memberId === id) };
    }),
  );
  return rows;
}

function Identities({ row }: { row: MemberRow }) {
  const credentials = useLoad(
    () => get<{ credentials: CredentialRow[] }>(`/members/${encodeURIComponent(row.member.id)}/credentials`).then((r) => r.credentials),
    [row.member.id],
  );
  const rows: CredentialRow[] = [...row.demo.map((d) => ({ id: d.label, label: d.label, userRole: d.userRole, status: 'DEMO' })), ...(credentials.data ?? [])];
  return (
    <section class="panel" aria-labelledby="identities-title">
      <h3 id="identities-title">{t('operator.credentials', { id: row.member.id })}</h3>
      <ErrorBox error={credentials.error} />
      <Table
        caption={t('operator.credentials', { id: row.member.id })}
        rows={rows}
        rowKey={(c) => c.id}
        columns={[
          { label: 'field.label', cell: (c) => c.label },
          { label: 'field.userRole', cell: (c) => c.userRole },
          { label: 'field.status', cell: (c) => (c.status ? <Status value={c.status} /> : '–') },
          { label: 'field.created', cell: (c) => dateTime(c.createdAt) },
        ]}
      />
    </section>
  );
}

export function OperatorView() {
  const [extra, setExtra] = useState<string[]>([]);
  const members = useLoad(() => loadMembers(extra), [extra.join(',')]);
  const freezes = usePages<Freeze>(`/freezes${query({ pageSize: '100' })}`);
  const [selected, setSelected] = useState<MemberRow | undefined>(undefined);
  const { run, busy, feedback } = useAction();

  return (
    <div class="view">
      <h2 class="view-title">{t('operator.title')}</h2>
      {feedback}
      <Section title={t('operator.members')}>
        <ErrorBox error={members.error} />
        <Table
          caption={t('operator.members')}
          rows={members.data}
          rowKey={(r) => r.member.id}
          columns={[
            { label: 'field.id', cell: (r) => r.member.id },
            { label: 'field.name', cell: (r) => r.member.name },
            { label: 'field.roles', cell: (r) => r.member.roles.join(', ') },
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
                        void run(`suspend:${r.member.id}`, (key) => post(`/members/${encodeURIComponent(r.member.id)}/suspend`, {}, key), t('common.done', { what: r.member.id }), members.reload)
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
                        void run(`reinstate:${r.member.id}`, (key) => post(`/members/${encodeURIComponent(r.member.id)}/reinstate`, {}, key), t('common.done', { what: r.member.id }), members.reload)
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
        <Form
          title={t('operator.lookup')}
          submit="operator.lookup"
          fields={[{ name: 'id', label: 'operator.memberId' }]}
          onSubmit={async (v) => {
            const id = (v.id ?? '').trim();
            await get<Member>(`/members/${encodeURIComponent(id)}`);
            setExtra((list) => [...new Set([...list, id])]);
            return t('common.open', { id });
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
            { label: 'field.target', cell: (f) => `${f.target.type} ${f.target.id}` },
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
            { name: 'type', label: 'operator.targetType', select: FREEZE_TARGET_TYPES, value: 'VOUCHER' },
            { name: 'id', label: 'operator.targetId' },
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
