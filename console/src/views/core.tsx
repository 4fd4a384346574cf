import { useState } from 'preact/hooks';
import type { Receivable, Voucher } from '../../../chaincode/src/domain/types';
import { post, query } from '../api';
import { ErrorBox, Form, MoreRows, Party, Section, Status, Table, useAction, useLedgerToday, usePages } from '../components';
import { money, month } from '../format';
import { t } from '../i18n';
import { myId } from '../session';
import { ApprovalsSection } from './approvals';
import { amount, short } from './supplier';

interface Verification {
  allMatch: boolean;
  complete: boolean;
}

type Action = { kind: 'check' | 'reject'; receivable: Receivable } | { kind: 'settle'; voucher: Voucher };

/** Vouchers grouped by the month they mature in, earliest first. */
function ladder(vouchers: Voucher[]): Array<[string, Voucher[]]> {
  const groups = new Map<string, Voucher[]>();
  for (const v of [...vouchers].sort((a, b) => a.maturityDate.localeCompare(b.maturityDate) || a.id.localeCompare(b.id))) {
    const key = v.maturityDate.slice(0, 7);
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  return [...groups.entries()];
}

export function CoreView() {
  const me = myId();
  const pending = usePages<Receivable>(`/receivables${query({ debtor: me, status: 'PENDING', pageSize: '100' })}`);
  const issued = usePages<Voucher>(`/vouchers${query({ issuer: me, pageSize: '200' })}`);
  const [action, setAction] = useState<Action | undefined>(undefined);
  const today = useLedgerToday();
  const confirmation = useAction();
  const [approvalsTick, setApprovalsTick] = useState(0);

  const confirm = (r: Receivable) =>
    confirmation.run(
      `confirm:${r.id}`,
      (key) => post<{ id: string; docType: string }>(`/receivables/${encodeURIComponent(r.id)}/confirm`, {}, key),
      // At or above the dual-control threshold the confirmation waits for a checker.
      (answer) => (answer.docType === 'approval' ? t('core.awaitingChecker', { id: answer.id }) : t('core.confirmed', { id: r.id })),
      () => {
        pending.reload();
        setApprovalsTick((n) => n + 1);
      },
    );

  return (
    <div class="view">
      <h2 class="view-title">{t('core.title')}</h2>
      <Section title={t('core.pending')}>
        <ErrorBox error={pending.error} />
        {confirmation.feedback}
        <Table
          caption={t('core.pending')}
          rows={pending.records}
          rowKey={(r) => r.id}
          columns={[
            { label: 'field.id', cell: (r) => r.id },
            { label: 'field.creditor', cell: (r) => <Party id={r.creditor} /> },
            { label: 'field.amount', cell: (r) => money(r.amount, r.currency) },
            { label: 'field.dueDate', cell: (r) => r.dueDate },
            { label: 'field.fingerprint', cell: (r) => <code title={r.documents[0]?.fingerprint}>{short(r.documents[0]?.fingerprint)}</code> },
            {
              label: 'field.actions',
              cell: (r) => (
                <span class="row-actions">
                  <button type="button" aria-label={t('core.checkTitle', { id: r.id })} onClick={() => setAction({ kind: 'check', receivable: r })}>
                    {t('core.check')}
                  </button>
                  <button type="button" aria-label={`${t('core.confirm')} ${r.id}`} disabled={confirmation.busy} onClick={() => void confirm(r)}>
                    {t('core.confirm')}
                  </button>
                  <button type="button" class="secondary" aria-label={`${t('core.reject')} ${r.id}`} onClick={() => setAction({ kind: 'reject', receivable: r })}>
                    {t('core.reject')}
                  </button>
                </span>
              ),
            },
          ]}
        />
        <MoreRows pages={pending} />
        {action?.kind === 'check' && (
          <Form
            key={`c-${action.receivable.id}`}
            title={t('core.checkTitle', { id: action.receivable.id })}
            submit="core.check"
            fields={[
              { name: 'sellerTaxId', label: 'supplier.sellerTaxId', value: action.receivable.creditor },
              { name: 'invoiceCode', label: 'supplier.invoiceCode' },
              { name: 'invoiceNumber', label: 'supplier.invoiceNumber' },
              { name: 'invoiceAmount', label: 'supplier.invoiceAmount', type: 'number' },
              { name: 'issueDate', label: 'supplier.issueDate', type: 'date' },
            ]}
            repeatable
            onCancel={() => setAction(undefined)}
            onSubmit={async (v) => {
              const r = await post<Verification>(`/receivables/${encodeURIComponent(action.receivable.id)}/verify-documents`, {
                documents: [
                  { kind: 'INVOICE', sellerTaxId: v.sellerTaxId, invoiceCode: v.invoiceCode, invoiceNumber: v.invoiceNumber, amount: amount(v.invoiceAmount), issueDate: v.issueDate },
                ],
              });
              return t(!r.allMatch ? 'core.checkMismatch' : r.complete ? 'core.checkMatch' : 'core.checkMatchPartial');
            }}
          />
        )}
        {action?.kind === 'reject' && (
          <Form
            key={`r-${action.receivable.id}`}
            title={`${t('core.reject')} ${action.receivable.id}`}
            submit="core.reject"
            fields={[{ name: 'reason', label: 'field.reason' }]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              await post(`/receivables/${encodeURIComponent(action.receivable.id)}/reject`, { reason: v.reason }, key);
              pending.reload();
              return t('core.rejected', { id: action.receivable.id });
            }}
          />
        )}
      </Section>

      <Form
        title={t('core.issue')}
        submit="core.submitIssue"
        fields={[
          { name: 'receivableId', label: 'core.receivableId' },
          { name: 'amount', label: 'supplier.amount', type: 'number' },
          { name: 'maturityDate', label: 'core.maturityDate', type: 'date' },
        ]}
        onSubmit={async (v, key) => {
          const r = await post<{ id: string; docType: string }>('/vouchers', { receivableId: v.receivableId, amount: amount(v.amount), maturityDate: v.maturityDate }, key);
          issued.reload();
          setApprovalsTick((n) => n + 1);
          return r.docType === 'approval' ? t('core.awaitingChecker', { id: r.id }) : t('core.issued', { id: r.id });
        }}
      />

      <ApprovalsSection
        refresh={approvalsTick}
        onDecided={() => {
          issued.reload();
          pending.reload();
        }}
      />

      <Section title={t('core.ladder')}>
        <ErrorBox error={issued.error} />
        {issued.records?.length === 0 && <p class="muted">{t('common.none')}</p>}
        {issued.records &&
          ladder(issued.records).map(([key, vouchers]) => (
            <div class="ladder-step" key={key}>
              <h3>{t('core.month', { month: month(`${key}-01`) })}</h3>
              <Table
                caption={t('core.month', { month: month(`${key}-01`) })}
                rows={vouchers}
                rowKey={(v) => v.id}
                columns={[
                  { label: 'field.id', cell: (v) => v.id },
                  { label: 'field.maturity', cell: (v) => v.maturityDate },
                  { label: 'field.holder', cell: (v) => <Party id={v.holder} /> },
                  { label: 'field.amount', cell: (v) => money(v.amount, v.currency) },
                  { label: 'field.status', cell: (v) => <Status value={v.status} /> },
                  {
                    label: 'field.actions',
                    cell: (v) =>
                      v.status !== 'ACTIVE' && v.status !== 'FINANCED' && v.status !== 'FINANCING_PENDING' ? null : v.maturityDate > today ? (
                        // The issuer pays from maturity (PRODUCT 3.2): before, the ledger would refuse.
                        <span class="muted">{t('core.settleFrom', { date: v.maturityDate })}</span>
                      ) : (
                        <button type="button" aria-label={t('core.settleTitle', { id: v.id })} onClick={() => setAction({ kind: 'settle', voucher: v })}>
                          {t('core.settle')}
                        </button>
                      ),
                  },
                ]}
              />
            </div>
          ))}
        <MoreRows pages={issued} />
        {action?.kind === 'settle' && (
          <Form
            key={`s-${action.voucher.id}`}
            title={t('core.settleTitle', { id: action.voucher.id })}
            submit="core.submitSettle"
            fields={[{ name: 'paymentRef', label: 'field.paymentRef' }]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              await post(`/vouchers/${encodeURIComponent(action.voucher.id)}/settle`, { paymentRef: v.paymentRef }, key);
              issued.reload();
              return t('core.settled', { id: action.voucher.id });
            }}
          />
        )}
      </Section>
    </div>
  );
}
