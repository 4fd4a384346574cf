import type { Approval } from '../../../chaincode/src/domain/controls';
import { post, query } from '../api';
import { Coded, ErrorBox, MoreRows, Section, Signer, Status, Table, transactionText, useAction, usePages } from '../components';
import { money } from '../format';
import { t } from '../i18n';
import { me, myId } from '../session';

/** The member's approvals waiting for a checker (maker-checker, dual control). */
export function ApprovalsSection({ onDecided, refresh }: { onDecided?: () => void; refresh?: number }) {
  const member = myId();
  const approvals = usePages<Approval>(`/approvals${query({ memberId: member, status: 'PENDING', pageSize: '100' })}`, [refresh]);
  const action = useAction();
  const checker = me.value?.identity.userRole !== 'MAKER';
  const decide = (a: Approval, verdict: 'approve' | 'reject') =>
    action.run(
      `${verdict}:${a.id}`,
      (key) => post(`/approvals/${encodeURIComponent(a.id)}/${verdict}`, {}, key),
      t(verdict === 'approve' ? 'approvals.approved' : 'approvals.rejected', { id: a.id }),
      () => {
        approvals.reload();
        onDecided?.();
      },
    );
  return (
    <Section title={t('approvals.title')}>
      <ErrorBox error={approvals.error} />
      {action.feedback}
      <Table
        caption={t('approvals.title')}
        rows={approvals.records}
        rowKey={(a) => a.id}
        columns={[
          { label: 'field.id', cell: (a) => a.id },
          { label: 'field.transaction', cell: (a) => <Coded value={a.transaction} text={transactionText} /> },
          { label: 'field.amount', cell: (a) => money(a.amount) },
          { label: 'field.maker', cell: (a) => <Signer id={a.maker} member={a.memberId} /> },
          { label: 'field.status', cell: (a) => <Status value={a.status} /> },
          {
            label: 'field.actions',
            cell: (a) =>
              checker ? (
                <span class="row-actions">
                  <button type="button" disabled={action.busy} onClick={() => void decide(a, 'approve')}>
                    {t('approvals.approve', { id: a.id })}
                  </button>
                  <button type="button" class="secondary" disabled={action.busy} onClick={() => void decide(a, 'reject')}>
                    {t('approvals.reject', { id: a.id })}
                  </button>
                </span>
              ) : null,
          },
        ]}
      />
      <MoreRows pages={approvals} />
    </Section>
  );
}
