import { useState } from 'preact/hooks';
import type { Receivable, Voucher } from '../../../chaincode/src/domain/types';
import type { CreditLine } from '../../../chaincode/src/domain/credit-lines';
import { type Financing, withdrawableFrom } from '../../../chaincode/src/domain/financing';
import type { WarehouseReceipt } from '../../../chaincode/src/domain/warehouse';
import { post, query } from '../api';
import { assetTypeText, ErrorBox, Form, MoreRows, Party, Section, Status, Table, useAction, useLedgerToday, usePages } from '../components';
import { partiesIn, useCounterparties, withRole } from '../counterparties';
import { money, toMinor } from '../format';
import { t } from '../i18n';
import { myId } from '../session';
import { OwnedReceipts } from './warehouse';

/** An amount field in yuan → minor units, or an error in plain words. */
export function amount(value: string | undefined): string {
  const minor = toMinor(value ?? '');
  if (minor === undefined) throw new Error(t('error.amount'));
  return minor;
}

export const short = (fingerprint: string | undefined): string => (fingerprint ? `${fingerprint.slice(0, 12)}…` : '–');

interface FingerprintPreview {
  documents: Array<{ kind: string; canonical: string; fingerprint: string }>;
}

const invoiceOf = (v: Record<string, string>) => ({
  kind: 'INVOICE',
  sellerTaxId: v.sellerTaxId ?? '',
  invoiceCode: v.invoiceCode ?? '',
  invoiceNumber: v.invoiceNumber ?? '',
  amount: toMinor(v.invoiceAmount ?? '') ?? v.invoiceAmount ?? '',
  issueDate: v.issueDate ?? '',
});

/** The invoice's fields as typed: a preview is shown only while they are the ones it was made from. */
const invoiceFieldsOf = (v: Record<string, string>) => JSON.stringify(['sellerTaxId', 'invoiceCode', 'invoiceNumber', 'invoiceAmount', 'issueDate'].map((k) => v[k] ?? ''));

function FingerprintPreviewButton({ values }: { values: Record<string, string> }) {
  const [previewed, setPreviewed] = useState<{ fields: string; fingerprint: string | undefined } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const preview = async () => {
    setError(undefined);
    setPreviewed(undefined);
    const fields = invoiceFieldsOf(values);
    try {
      const r = await post<FingerprintPreview>('/fingerprints', { documents: [invoiceOf(values)] });
      setPreviewed({ fields, fingerprint: r.documents[0]?.fingerprint });
    } catch (err) {
      setError(err);
    }
  };
  const result = previewed !== undefined && previewed.fields === invoiceFieldsOf(values) ? previewed.fingerprint : undefined;
  return (
    <div class="preview">
      <button type="button" class="secondary" onClick={() => void preview()}>
        {t('supplier.preview')}
      </button>
      {result && (
        <p role="status" class="fingerprint">
          {t('supplier.previewResult', { fingerprint: result })}
        </p>
      )}
      <ErrorBox error={error} />
    </div>
  );
}

type Action = { kind: 'transfer' | 'split' | 'finance'; piece: Voucher };

/** What the bank granted: the advance, and the discount and fee it costs (what reaches the supplier is the advance less them). */
function Terms({ financing: f }: { financing: Financing }) {
  if (f.advanceAmount === undefined) return <>—</>;
  return (
    <>
      {money(f.advanceAmount, f.currency)}
      {f.discount !== undefined && f.fee !== undefined && (
        <span class="muted"> {t('supplier.terms', { discount: money(f.discount, f.currency), fee: money(f.fee, f.currency), rate: ((f.annualRateBps ?? 0) / 100).toFixed(2) })}</span>
      )}
      {f.paymentRef !== undefined && <span class="muted"> · {f.paymentRef}</span>}
    </>
  );
}

export function SupplierView() {
  const me = myId();
  const receivables = usePages<Receivable>(`/receivables${query({ creditor: me, pageSize: '100' })}`);
  const pieces = usePages<Voucher>(`/vouchers${query({ holder: me, pageSize: '100' })}`);
  const financings = usePages<Financing>(`/financings${query({ applicant: me, pageSize: '100' })}`);
  const receipts = usePages<WarehouseReceipt>(`/warehouse-receipts${query({ owner: me, pageSize: '100' })}`);
  // Only to know the banks that lend to it: the view does not show its credit lines.
  const creditLines = usePages<CreditLine>(`/credit-lines${query({ obligor: me, pageSize: '200' })}`);
  const parties = useCounterparties(partiesIn(receivables.records, pieces.records, financings.records, receipts.records, creditLines.records));
  const [action, setAction] = useState<Action | undefined>(undefined);
  const today = useLedgerToday();
  const withdrawal = useAction();
  const reloadAll = () => {
    receivables.reload();
    pieces.reload();
    financings.reload();
  };

  return (
    <div class="view">
      <h2 class="view-title">{t('supplier.title')}</h2>
      <Section title={t('supplier.receivables')}>
        <ErrorBox error={receivables.error} />
        <Table
          caption={t('supplier.receivables')}
          rows={receivables.records}
          rowKey={(r) => r.id}
          columns={[
            { label: 'field.id', cell: (r) => r.id },
            { label: 'field.debtor', cell: (r) => <Party id={r.debtor} /> },
            { label: 'field.amount', cell: (r) => money(r.amount, r.currency) },
            { label: 'field.dueDate', cell: (r) => r.dueDate },
            { label: 'field.fingerprint', cell: (r) => <code title={r.documents[0]?.fingerprint}>{short(r.documents[0]?.fingerprint)}</code> },
            { label: 'field.status', cell: (r) => <Status value={r.status} /> },
          ]}
        />
        <MoreRows pages={receivables} />
      </Section>

      <Form
        title={t('supplier.register')}
        submit="supplier.submitRegister"
        fields={[
          { name: 'debtor', label: 'supplier.debtor', suggestions: withRole(parties, 'CORE_ENTERPRISE') },
          { name: 'amount', label: 'supplier.amount', type: 'number' },
          { name: 'dueDate', label: 'supplier.dueDate', type: 'date' },
          { name: 'sellerTaxId', label: 'supplier.sellerTaxId', value: me },
          { name: 'invoiceCode', label: 'supplier.invoiceCode' },
          { name: 'invoiceNumber', label: 'supplier.invoiceNumber' },
          { name: 'invoiceAmount', label: 'supplier.invoiceAmount', type: 'number' },
          { name: 'issueDate', label: 'supplier.issueDate', type: 'date' },
        ]}
        extra={(values) => <FingerprintPreviewButton values={values} />}
        onSubmit={async (v, key) => {
          const r = await post<Receivable>(
            '/receivables',
            {
              debtor: v.debtor,
              amount: amount(v.amount),
              dueDate: v.dueDate,
              documents: [invoiceOf(v)],
            },
            key,
          );
          receivables.reload();
          return t('supplier.registered', { id: r.id });
        }}
      />

      <Section title={t('supplier.pieces')}>
        <ErrorBox error={pieces.error} />
        <Table
          caption={t('supplier.pieces')}
          rows={pieces.records}
          rowKey={(v) => v.id}
          columns={[
            { label: 'field.id', cell: (v) => v.id },
            { label: 'field.tier', cell: (v) => v.tier },
            { label: 'field.issuer', cell: (v) => <Party id={v.issuer} /> },
            { label: 'field.amount', cell: (v) => money(v.amount, v.currency) },
            { label: 'field.maturity', cell: (v) => v.maturityDate },
            { label: 'field.status', cell: (v) => <Status value={v.status} /> },
            {
              label: 'field.actions',
              cell: (v) =>
                v.status === 'ACTIVE' ? (
                  <span class="row-actions">
                    <button type="button" aria-label={t('supplier.transferTitle', { id: v.id })} onClick={() => setAction({ kind: 'transfer', piece: v })}>
                      {t('supplier.transfer')}
                    </button>
                    <button type="button" aria-label={t('supplier.splitTitle', { id: v.id })} onClick={() => setAction({ kind: 'split', piece: v })}>
                      {t('supplier.split')}
                    </button>
                    <button type="button" aria-label={t('supplier.financeTitle', { id: v.id })} onClick={() => setAction({ kind: 'finance', piece: v })}>
                      {t('supplier.finance')}
                    </button>
                  </span>
                ) : null,
            },
          ]}
        />
        <MoreRows pages={pieces} />
        {action?.kind === 'transfer' && (
          <Form
            key={`t-${action.piece.id}`}
            title={t('supplier.transferTitle', { id: action.piece.id })}
            submit="supplier.submitTransfer"
            fields={[
              { name: 'to', label: 'supplier.to', suggestions: withRole(parties, 'SUPPLIER') },
              { name: 'amount', label: 'supplier.amount', type: 'number' },
            ]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              await post(`/vouchers/${encodeURIComponent(action.piece.id)}/transfer`, { to: v.to, amount: amount(v.amount) }, key);
              reloadAll();
              return t('supplier.transferred', { id: action.piece.id });
            }}
          />
        )}
        {action?.kind === 'split' && (
          <Form
            key={`s-${action.piece.id}`}
            title={t('supplier.splitTitle', { id: action.piece.id })}
            submit="supplier.submitSplit"
            fields={[{ name: 'amounts', label: 'supplier.amounts' }]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              const amounts = (v.amounts ?? '').trim().split(/[\s;；]+/).map((a) => amount(a));
              await post(`/vouchers/${encodeURIComponent(action.piece.id)}/split`, { amounts }, key);
              reloadAll();
              return t('supplier.splitDone', { id: action.piece.id });
            }}
          />
        )}
        {action?.kind === 'finance' && (
          <Form
            key={`f-${action.piece.id}`}
            title={t('supplier.financeTitle', { id: action.piece.id })}
            submit="supplier.submitFinance"
            fields={[
              { name: 'bank', label: 'supplier.bankId', suggestions: withRole(parties, 'BANK') },
              { name: 'requestedAmount', label: 'supplier.requestedAmount', type: 'number' },
            ]}
            onCancel={() => setAction(undefined)}
            onSubmit={async (v, key) => {
              const f = await post<Financing>(
                '/financings',
                {
                  asset: { type: 'VOUCHER', id: action.piece.id },
                  bank: v.bank,
                  requestedAmount: amount(v.requestedAmount),
                },
                key,
              );
              reloadAll();
              return t('supplier.financeDone', { id: f.id });
            }}
          />
        )}
      </Section>

      <OwnedReceipts receipts={receipts} parties={parties} onPledged={financings.reload} />

      <Section title={t('supplier.financings')}>
        <ErrorBox error={financings.error} />
        {withdrawal.feedback}
        <Table
          caption={t('supplier.financings')}
          rows={financings.records}
          rowKey={(f) => f.id}
          columns={[
            { label: 'field.id', cell: (f) => f.id },
            { label: 'field.asset', cell: (f) => `${assetTypeText(f.asset.type)} ${f.asset.id}` },
            { label: 'field.bank', cell: (f) => <Party id={f.bank} /> },
            { label: 'field.requested', cell: (f) => money(f.requestedAmount, f.currency) },
            { label: 'field.dueDate', cell: (f) => f.dueDate },
            { label: 'field.advance', cell: (f) => <Terms financing={f} /> },
            { label: 'field.status', cell: (f) => <Status value={f.status} /> },
            {
              label: 'field.actions',
              cell: (f) => {
                if (f.status !== 'REQUESTED' && f.status !== 'APPROVED') return null;
                // Once approved, the decision is the bank's for a few days: Withdraw is offered from the day the ledger allows it.
                const from = withdrawableFrom(f, today);
                return today < from ? (
                  <span class="muted">{t('supplier.withdrawFrom', { date: from })}</span>
                ) : (
                  <button
                    type="button"
                    class="secondary"
                    aria-label={t('supplier.withdrawTitle', { id: f.id })}
                    disabled={withdrawal.busy}
                    onClick={() =>
                      void withdrawal.run(
                        `withdraw:${f.id}`,
                        (key) => post(`/financings/${encodeURIComponent(f.id)}/withdraw`, {}, key),
                        t('supplier.withdrawn', { id: f.id }),
                        reloadAll,
                      )
                    }
                  >
                    {t('supplier.withdraw')}
                  </button>
                );
              },
            },
          ]}
        />
        <MoreRows pages={financings} />
      </Section>
    </div>
  );
}
