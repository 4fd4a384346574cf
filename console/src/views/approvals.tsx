import type { Approval } from '../../../chaincode/src/domain/controls';
import type { Financing } from '../../../chaincode/src/domain/financing';
import type { Receivable } from '../../../chaincode/src/domain/types';
import { get, post, query } from '../api';
import { assetTypeText, Coded, ErrorBox, fieldText, MoreRows, Party, Section, Signer, Status, Table, transactionText, useAction, useLoad, usePages } from '../components';
import { money } from '../format';
import { t } from '../i18n';
import { me, myId } from '../session';

/** Command fields that are money (minor units), and those that name a member. */
const MONEY_FIELDS = new Set(['amount', 'advanceAmount', 'limit', 'requestedAmount']);
const PARTY_FIELDS = new Set(['obligor', 'granter', 'to']);

function commandValue(key: string, value: unknown, currency: string | undefined) {
  if (typeof value === 'string' && MONEY_FIELDS.has(key)) return money(value, currency);
  if (typeof value === 'string' && PARTY_FIELDS.has(key)) return <Party id={value} />;
  if (key === 'annualRateBps' && typeof value === 'number') return t('approvals.rate', { percent: (value / 100).toFixed(2), bps: String(value) });
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/**
 * What the record an approval acts on says of who gains: the receivable's
 * creditor (paid by the voucher, or whose debt is confirmed) and its face;
 * the financing's applicant, asset and request. A checker approves what it
 * can see, not an id.
 */
function Target({ data, error }: { data: Receivable | Financing | undefined; error: unknown }) {
  if (error) return <ErrorBox error={error} />;
  if (!data) return null;
  if (data.docType === 'receivable') {
    return (
      <>
        <div>
          <dt>{fieldText('creditor')}</dt>
          <dd>
            <Party id={data.creditor} />
          </dd>
        </div>
        <div>
          <dt>{t('approvals.receivableFace')}</dt>
          <dd>
            {money(data.amount, data.currency)} · {fieldText('dueDate')} {data.dueDate} · <Status value={data.status} />
          </dd>
        </div>
      </>
    );
  }
  const f = data;
  return (
    <>
      <div>
        <dt>{fieldText('applicant')}</dt>
        <dd>
          <Party id={f.applicant} />
        </dd>
      </div>
      <div>
        <dt>{fieldText('asset')}</dt>
        <dd>
          <Coded value={f.asset.type} text={assetTypeText} /> {f.asset.id} · {fieldText('requestedAmount')} {money(f.requestedAmount, f.currency)}
        </dd>
      </div>
    </>
  );
}

/** The record an approval acts on: the receivable an issue or a confirmation names, the financing an approval of terms names. */
function useTarget(approval: Approval) {
  const { transaction, command } = approval;
  const receivableId = transaction === 'voucher:Issue' ? command.receivableId : transaction === 'receivable:Confirm' ? command.id : undefined;
  const financingId = transaction === 'financing:Approve' ? command.id : undefined;
  return useLoad<Receivable | Financing | undefined>(
    () =>
      typeof receivableId === 'string'
        ? get<Receivable>(`/receivables/${encodeURIComponent(receivableId)}`)
        : typeof financingId === 'string'
          ? get<Financing>(`/financings/${encodeURIComponent(financingId)}`)
          : Promise.resolve(undefined),
    [approval.id],
  );
}

/** What an approval will execute: its command's fields in words (money in the record's currency), and the record it acts on. */
export function CommandSummary({ approval }: { approval: Approval }) {
  const { data, error } = useTarget(approval);
  const currency = typeof approval.command.currency === 'string' ? approval.command.currency : data?.currency;
  return (
    <dl class="record command">
      {Object.entries(approval.command)
        .filter(([k]) => k !== 'requestId')
        .map(([k, v]) => (
          <div key={k}>
            <dt title={k}>{fieldText(k)}</dt>
            <dd>{commandValue(k, v, currency)}</dd>
          </div>
        ))}
      <Target data={data} error={error} />
    </dl>
  );
}

/** The member's approvals waiting for a checker (maker-checker, dual control). */
export function ApprovalsSection({ onDecided, refresh }: { onDecided?: () => void; refresh?: number }) {
  const member = myId();
  const approvals = usePages<Approval>(`/approvals${query({ memberId: member, status: 'PENDING', pageSize: '100' })}`, [refresh]);
  const action = useAction();
  const checker = me.value?.identity.userRole !== 'MAKER';
  // The maker may withdraw its own request (a reject by the maker).
  const mine = (a: Approval) => a.maker === me.value?.identity.identityId;
  const decide = (a: Approval, verdict: 'approve' | 'reject') =>
    action.run(
      `${verdict}:${a.id}`,
      (key) => post(`/approvals/${encodeURIComponent(a.id)}/${verdict}`, {}, key),
      t(verdict === 'approve' ? 'approvals.approved' : mine(a) ? 'approvals.withdrawn' : 'approvals.rejected', { id: a.id }),
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
          { label: 'approvals.details', cell: (a) => <CommandSummary approval={a} /> },
          { label: 'field.amount', cell: (a) => money(a.amount) },
          { label: 'field.maker', cell: (a) => <Signer id={a.maker} member={a.memberId} /> },
          { label: 'field.status', cell: (a) => <Status value={a.status} /> },
          {
            label: 'field.actions',
            cell: (a) =>
              mine(a) ? (
                <span class="row-actions">
                  <button type="button" class="secondary" disabled={action.busy} onClick={() => void decide(a, 'reject')}>
                    {t('approvals.withdraw', { id: a.id })}
                  </button>
                </span>
              ) : checker ? (
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
