import { useMemo, useState } from 'preact/hooks';
import { quoteTerms, type Financing } from '../../../chaincode/src/domain/financing';
import type { Provenance } from '../../../chaincode/src/domain/provenance';
import { get, post, query } from '../api';
import { assetTypeText, documentKindText, ErrorBox, Form, MoreRows, Party, Section, Status, statusText, Table, useLedgerToday, usePages } from '../components';
import { dateTime, money, toMinor, wholeNumber } from '../format';
import { Graph, type GraphEdge, type GraphNode } from '../graph';
import { locale, t } from '../i18n';
import { myId } from '../session';
import { ApprovalsSection } from './approvals';
import { amount, short } from './supplier';

type Action = { kind: 'approve' | 'disburse' | 'reject' | 'release' | 'enforce'; financing: Financing };

/** The rate field in basis points, or an error in plain words: a blank or a fraction is not a rate. */
function rateBps(value: string | undefined): number {
  const rate = wholeNumber(value ?? '');
  if (rate === undefined) throw new Error(t('error.rate'));
  return rate;
}

/** The discount and fee the chaincode will compute (its own arithmetic), before approving. */
function TermsPreview({ financing, values, today }: { financing: Financing; values: Record<string, string>; today: string }) {
  const advance = toMinor(values.advance ?? '');
  const rate = wholeNumber(values.rate ?? '');
  if (advance === undefined || rate === undefined) return null;
  let text: string;
  try {
    const terms = quoteTerms(financing.asset.type, BigInt(financing.faceAmount), BigInt(advance), rate, financing.dueDate, today);
    text = t('bank.preview', {
      days: terms.days,
      discount: money(terms.discount.toString(), financing.currency),
      fee: money(terms.fee.toString(), financing.currency),
    });
  } catch (err) {
    text = err instanceof Error ? err.message : String(err);
  }
  return (
    <p class="preview" role="status" aria-live="polite">
      {text}
    </p>
  );
}

/** The piece, its parents up to the root, and the confirmed receivable, as a picture and as text. */
export function ProvenancePanel({ provenance }: { provenance: Provenance }) {
  const { nodes, edges } = useMemo(() => {
    const r = provenance.receivable;
    const nodes: GraphNode[] = [
      { id: `receivable:${r.id}`, label: `${r.id}\n${r.confirmedTxId ? '✔ ' : ''}${statusText(r.status)}\n${money(r.amount, r.currency)}`, kind: 'RECEIVABLE' },
      ...provenance.lineage.map((s, i) => ({
        id: s.id,
        label: `${s.id}\n${s.holder}\n${money(s.amount)} · T${s.tier}`,
        // The piece under review stands out: red only when the verdict is against lending on it.
        kind: i === 0 ? (provenance.verdict.financeable ? 'FOCUS' : 'FOCUS_REFUSED') : s.status,
      })),
    ];
    const edges: GraphEdge[] = [];
    const root = provenance.lineage[provenance.lineage.length - 1];
    if (root) edges.push({ from: `receivable:${r.id}`, to: root.id });
    for (let i = provenance.lineage.length - 1; i > 0; i--) {
      const parent = provenance.lineage[i];
      const child = provenance.lineage[i - 1];
      if (parent && child) edges.push({ from: parent.id, to: child.id });
    }
    return { nodes, edges };
  }, [provenance, locale.value]);
  const hops = provenance.lineage.length - 1;
  const v = provenance.verdict;
  return (
    <section class="panel provenance" aria-labelledby="provenance-title">
      <h3 id="provenance-title">{t('bank.provenanceOf', { id: provenance.voucherId })}</h3>
      <p class={v.financeable ? 'verdict ok' : 'verdict bad'} role="status">
        <strong>{v.financeable ? t('bank.financeable') : t('bank.notFinanceable')}</strong>
        {v.reasons.length > 0 && <span> — {t('bank.reasons', { reasons: v.reasons.join(', ') })}</span>}
      </p>
      <p>{t('bank.hops', { hops })}</p>
      <Graph nodes={nodes} edges={edges} label={t('bank.graph')} direction="TB" />
      <ol class="lineage" aria-label={t('bank.provenanceOf', { id: provenance.voucherId })}>
        {provenance.lineage.map((s) => (
          <li key={s.id}>
            <strong>{s.id}</strong> · {t('field.holder')} <Party id={s.holder} /> · {money(s.amount)} · {t('field.tier')} {s.tier} · <Status value={s.status} />
          </li>
        ))}
        <li>
          <strong>{t('bank.receivableNode', { id: provenance.receivable.id, status: statusText(provenance.receivable.status) })}</strong> · {t('field.debtor')} <Party id={provenance.receivable.debtor} /> ·{' '}
          {money(provenance.receivable.amount, provenance.receivable.currency)} ·{' '}
          <span class="confirmation">
            {provenance.receivable.confirmedTxId
              ? t('bank.confirmedAt', { at: dateTime(provenance.receivable.confirmedAt), txId: provenance.receivable.confirmedTxId })
              : t('bank.unconfirmed')}
          </span>
          <ul>
            {provenance.receivable.documents.map((d) => (
              <li key={d.fingerprint}>
                {documentKindText(d.kind)} <code title={d.fingerprint}>{short(d.fingerprint)}</code>
              </li>
            ))}
          </ul>
        </li>
      </ol>
    </section>
  );
}

export function BankView() {
  const me = myId();
  const today = useLedgerToday();
  const financings = usePages<Financing>(`/financings${query({ bank: me, pageSize: '100' })}`);
  const [action, setAction] = useState<Action | undefined>(undefined);
  const [provenance, setProvenance] = useState<Provenance | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [approvalsTick, setApprovalsTick] = useState(0);

  const openProvenance = async (f: Financing) => {
    setError(undefined);
    try {
      setProvenance(await get<Provenance>(`/vouchers/${encodeURIComponent(f.asset.id)}/provenance`));
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div class="view">
      <h2 class="view-title">{t('bank.title')}</h2>
      <Section title={t('bank.requests')}>
        <ErrorBox error={financings.error ?? error} />
        <Table
          caption={t('bank.requests')}
          rows={financings.records}
          rowKey={(f) => f.id}
          columns={[
            { label: 'field.id', cell: (f) => f.id },
            { label: 'field.asset', cell: (f) => `${assetTypeText(f.asset.type)} ${f.asset.id}` },
            { label: 'field.applicant', cell: (f) => <Party id={f.applicant} /> },
            { label: 'field.requested', cell: (f) => money(f.requestedAmount, f.currency) },
            { label: 'field.maturity', cell: (f) => f.dueDate },
            { label: 'field.advance', cell: (f) => money(f.advanceAmount, f.currency) },
            { label: 'field.status', cell: (f) => <Status value={f.status} /> },
            {
              label: 'field.actions',
              cell: (f) => (
                <span class="row-actions">
                  {f.asset.type === 'VOUCHER' && (
                    <button type="button" aria-label={t('bank.provenanceOf', { id: f.asset.id })} onClick={() => void openProvenance(f)}>
                      {t('bank.provenance')}
                    </button>
                  )}
                  {/* Approval and disbursement happen strictly before the due date (the ledger's day): after it only rejecting is left. */}
                  {f.status === 'REQUESTED' && today < f.dueDate && (
                    <button type="button" aria-label={t('bank.approveTitle', { id: f.id })} onClick={() => setAction({ kind: 'approve', financing: f })}>
                      {t('bank.approve')}
                    </button>
                  )}
                  {f.status === 'APPROVED' && today < f.dueDate && (
                    <button type="button" aria-label={t('bank.disburseTitle', { id: f.id })} onClick={() => setAction({ kind: 'disburse', financing: f })}>
                      {t('bank.disburse')}
                    </button>
                  )}
                  {(f.status === 'REQUESTED' || f.status === 'APPROVED') && (
                    <button type="button" class="secondary" aria-label={`${t('bank.rejectFinancing')} ${f.id}`} onClick={() => setAction({ kind: 'reject', financing: f })}>
                      {t('bank.rejectFinancing')}
                    </button>
                  )}
                  {(f.status === 'REQUESTED' || f.status === 'APPROVED') && today >= f.dueDate && <span class="muted">{t('bank.tooLate', { date: f.dueDate })}</span>}
                  {/* A pledge whose advance is out ends when the bank releases the goods (repaid) or takes them (in default). */}
                  {f.status === 'DISBURSED' && f.asset.type === 'WAREHOUSE_RECEIPT' && (
                    <>
                      <button type="button" aria-label={t('bank.releaseTitle', { id: f.asset.id })} onClick={() => setAction({ kind: 'release', financing: f })}>
                        {t('bank.release')}
                      </button>
                      <button type="button" class="secondary" aria-label={t('bank.enforceTitle', { id: f.asset.id })} onClick={() => setAction({ kind: 'enforce', financing: f })}>
                        {t('bank.enforce')}
                      </button>
                    </>
                  )}
                </span>
              ),
            },
          ]}
        />
        <MoreRows pages={financings} />
        {action?.kind === 'approve' && (
          <Form
            key={`a-${action.financing.id}`}
            title={t('bank.approveTitle', { id: action.financing.id })}
            submit="bank.submitApprove"
            fields={[
              { name: 'advance', label: 'bank.advance', type: 'number' },
              { name: 'rate', label: 'field.rate', type: 'number' },
            ]}
            extra={(values) => <TermsPreview financing={action.financing} values={values} today={today} />}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              const r = await post<{ id: string; docType: string }>(
                `/financings/${encodeURIComponent(action.financing.id)}/approve`,
                {
                  advanceAmount: amount(v.advance),
                  annualRateBps: rateBps(v.rate),
                },
                key,
              );
              financings.reload();
              setApprovalsTick((n) => n + 1);
              return r.docType === 'approval' ? t('core.awaitingChecker', { id: r.id }) : t('bank.approved', { id: action.financing.id });
            }}
          />
        )}
        {action?.kind === 'reject' && (
          <Form
            key={`r-${action.financing.id}`}
            title={`${t('bank.rejectFinancing')} ${action.financing.id}`}
            submit="bank.rejectFinancing"
            fields={[{ name: 'reason', label: 'field.reason' }]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              await post(`/financings/${encodeURIComponent(action.financing.id)}/reject`, { reason: v.reason }, key);
              financings.reload();
              return t('common.done', { what: action.financing.id });
            }}
          />
        )}
        {action?.kind === 'disburse' && (
          <Form
            key={`d-${action.financing.id}`}
            title={t('bank.disburseTitle', { id: action.financing.id })}
            submit="bank.submitDisburse"
            fields={[{ name: 'paymentRef', label: 'field.paymentRef' }]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              await post(`/financings/${encodeURIComponent(action.financing.id)}/disburse`, { paymentRef: v.paymentRef }, key);
              financings.reload();
              return t('bank.disbursed', { id: action.financing.id });
            }}
          />
        )}
        {action?.kind === 'release' && (
          <Form
            key={`l-${action.financing.id}`}
            title={t('bank.releaseTitle', { id: action.financing.asset.id })}
            submit="bank.submitRelease"
            fields={[{ name: 'paymentRef', label: 'field.paymentRefOptional' }]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              const paymentRef = (v.paymentRef ?? '').trim();
              await post(`/warehouse-receipts/${encodeURIComponent(action.financing.asset.id)}/release`, paymentRef ? { paymentRef } : {}, key);
              financings.reload();
              return t('bank.released', { id: action.financing.asset.id });
            }}
          />
        )}
        {action?.kind === 'enforce' && (
          <Form
            key={`e-${action.financing.id}`}
            title={t('bank.enforceTitle', { id: action.financing.asset.id })}
            submit="bank.submitEnforce"
            fields={[]}
            extra={() => <p>{t('bank.enforceHint', { id: action.financing.asset.id, due: action.financing.dueDate })}</p>}
            onCancel={() => setAction(undefined)}
            onSubmit={async (_v, key) => {
              await post(`/warehouse-receipts/${encodeURIComponent(action.financing.asset.id)}/enforce`, {}, key);
              financings.reload();
              return t('bank.enforced', { id: action.financing.asset.id });
            }}
          />
        )}
      </Section>
      {provenance && <ProvenancePanel provenance={provenance} />}
      <ApprovalsSection refresh={approvalsTick} onDecided={() => financings.reload()} />
    </div>
  );
}
