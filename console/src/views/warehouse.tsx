import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { maxPledgeAdvance, PLEDGE_CAP_PERCENT, type Financing } from '../../../chaincode/src/domain/financing';
import type { WarehouseReceipt } from '../../../chaincode/src/domain/warehouse';
import { post, query } from '../api';
import { ErrorBox, Form, MoreRows, Party, Section, Status, Table, type MemberCard, type Pages, useAction, usePages } from '../components';
import { partiesIn, useCounterparties, withRole } from '../counterparties';
import { money, wholeNumber } from '../format';
import { t, type MessageKey } from '../i18n';
import { myId } from '../session';
import { amount } from './supplier';

/*
 * Warehouse receipts (仓单) at the desk: the warehouse issues a receipt for a
 * lot it stores and records delivery; the owner passes it on, splits it, or
 * pledges it to a bank (supplier view); the bank releases or enforces the
 * pledge (bank view). The ledger's rules decide (DESIGN §2.3): the console
 * only offers an action in the states where it applies.
 */

/** A quantity field: a whole number of units, or an error in plain words. */
function quantity(value: string | undefined): number {
  const q = wholeNumber(value ?? '');
  if (q === undefined || q === 0) throw new Error(t('error.quantity'));
  return q;
}

/** A receipt's columns, the same in every view that lists receipts. */
const receiptColumns: Array<{ label: MessageKey; cell: (r: WarehouseReceipt) => ComponentChildren }> = [
  { label: 'field.id', cell: (r) => r.id },
  { label: 'field.commodity', cell: (r) => `${r.commodity} · ${r.grade}` },
  { label: 'field.quantity', cell: (r) => `${r.quantity} ${r.unit}` },
  { label: 'field.valuation', cell: (r) => money(r.valuation, r.currency) },
  { label: 'field.lot', cell: (r) => r.lotId },
  { label: 'field.status', cell: (r) => <Status value={r.status} /> },
];

export function WarehouseView() {
  const me = myId();
  const receipts = usePages<WarehouseReceipt>(`/warehouse-receipts${query({ warehouse: me, pageSize: '100' })}`);
  const delivery = useAction();
  const owners = withRole(useCounterparties(partiesIn(receipts.records)), 'SUPPLIER');

  const deliver = (r: WarehouseReceipt) =>
    delivery.run(`deliver:${r.id}`, (key) => post(`/warehouse-receipts/${encodeURIComponent(r.id)}/deliver`, {}, key), t('warehouse.delivered', { id: r.id }), receipts.reload);

  return (
    <div class="view">
      <h2 class="view-title">{t('warehouse.title')}</h2>
      <Section title={t('warehouse.receipts')}>
        <ErrorBox error={receipts.error} />
        {delivery.feedback}
        <Table
          caption={t('warehouse.receipts')}
          rows={receipts.records}
          rowKey={(r) => r.id}
          columns={[
            ...receiptColumns,
            { label: 'field.owner', cell: (r) => <Party id={r.owner} /> },
            {
              label: 'field.actions',
              cell: (r) =>
                // Goods go out only against a receipt nobody has a claim on: not pledged, not split.
                r.status === 'ACTIVE' ? (
                  <span class="row-actions">
                    <button type="button" aria-label={t('warehouse.deliverTitle', { id: r.id })} disabled={delivery.busy} onClick={() => void deliver(r)}>
                      {t('warehouse.deliver')}
                    </button>
                  </span>
                ) : null,
            },
          ]}
        />
        <MoreRows pages={receipts} />
      </Section>

      <Form
        title={t('warehouse.issue')}
        submit="warehouse.submitIssue"
        fields={[
          { name: 'owner', label: 'warehouse.owner', suggestions: owners },
          { name: 'commodity', label: 'warehouse.commodity' },
          { name: 'grade', label: 'warehouse.grade' },
          { name: 'quantity', label: 'warehouse.quantity', type: 'number' },
          { name: 'unit', label: 'warehouse.unit', value: 't' },
          { name: 'location', label: 'warehouse.location' },
          { name: 'lotId', label: 'warehouse.lotId' },
          { name: 'valuation', label: 'warehouse.valuation', type: 'number' },
        ]}
        onSubmit={async (v, key) => {
          const r = await post<WarehouseReceipt>(
            '/warehouse-receipts',
            {
              owner: (v.owner ?? '').trim(),
              commodity: v.commodity,
              grade: v.grade,
              quantity: quantity(v.quantity),
              unit: v.unit,
              location: v.location,
              // As typed: the gateway says in plain words what a lot number may hold.
              lotId: v.lotId,
              valuation: amount(v.valuation),
            },
            key,
          );
          receipts.reload();
          return t('warehouse.issued', { id: r.id });
        }}
      />
    </div>
  );
}

type OwnerAction = { kind: 'transfer' | 'split' | 'pledge'; receipt: WarehouseReceipt };

/**
 * The owner's receipts (supplier view, which reads them: `receipts`): pass one
 * on, split it by quantity, or pledge it to a bank. `parties`: the
 * counterparties the owner has met, offered as recipient and bank.
 */
export function OwnedReceipts({ receipts, parties, onPledged }: { receipts: Pages<WarehouseReceipt>; parties: readonly MemberCard[]; onPledged: () => void }) {
  const [action, setAction] = useState<OwnerAction | undefined>(undefined);
  return (
    <Section title={t('receipts.mine')}>
      <ErrorBox error={receipts.error} />
      <Table
        caption={t('receipts.mine')}
        rows={receipts.records}
        rowKey={(r) => r.id}
        columns={[
          ...receiptColumns,
          { label: 'field.warehouse', cell: (r) => <Party id={r.warehouse} /> },
          { label: 'field.pledgee', cell: (r) => r.pledgee ?? '–' },
          {
            label: 'field.actions',
            cell: (r) =>
              r.status === 'ACTIVE' ? (
                <span class="row-actions">
                  <button type="button" aria-label={t('receipts.transferTitle', { id: r.id })} onClick={() => setAction({ kind: 'transfer', receipt: r })}>
                    {t('receipts.transfer')}
                  </button>
                  <button type="button" aria-label={t('receipts.splitTitle', { id: r.id })} onClick={() => setAction({ kind: 'split', receipt: r })}>
                    {t('receipts.split')}
                  </button>
                  <button type="button" aria-label={t('receipts.pledgeTitle', { id: r.id })} onClick={() => setAction({ kind: 'pledge', receipt: r })}>
                    {t('receipts.pledge')}
                  </button>
                </span>
              ) : null,
          },
        ]}
      />
      <MoreRows pages={receipts} />
      {action && <OwnerForm action={action} receipts={receipts} parties={parties} onCancel={() => setAction(undefined)} onPledged={onPledged} />}
    </Section>
  );
}

function OwnerForm({
  action,
  receipts,
  parties,
  onCancel,
  onPledged,
}: {
  action: OwnerAction;
  receipts: Pages<WarehouseReceipt>;
  parties: readonly MemberCard[];
  onCancel: () => void;
  onPledged: () => void;
}) {
  const r = action.receipt;
  const path = `/warehouse-receipts/${encodeURIComponent(r.id)}`;
  if (action.kind === 'transfer') {
    return (
      <Form
        key={`t-${r.id}`}
        title={t('receipts.transferTitle', { id: r.id })}
        submit="receipts.submitTransfer"
        fields={[{ name: 'to', label: 'supplier.to', suggestions: withRole(parties, 'SUPPLIER') }]}
        onCancel={onCancel}
        onSubmit={async (v, key) => {
          await post(`${path}/transfer`, { to: (v.to ?? '').trim() }, key);
          receipts.reload();
          return t('receipts.transferred', { id: r.id });
        }}
      />
    );
  }
  if (action.kind === 'split') {
    return (
      <Form
        key={`s-${r.id}`}
        title={t('receipts.splitTitle', { id: r.id })}
        submit="receipts.submitSplit"
        fields={[{ name: 'quantities', label: 'receipts.quantities' }]}
        extra={() => <p class="muted">{t('receipts.splitHint', { quantity: r.quantity, unit: r.unit })}</p>}
        onCancel={onCancel}
        onSubmit={async (v, key) => {
          const quantities = (v.quantities ?? '').trim().split(/[\s;；,，]+/).map((q) => quantity(q));
          await post(`${path}/split`, { quantities }, key);
          receipts.reload();
          return t('receipts.splitDone', { id: r.id });
        }}
      />
    );
  }
  return (
    <Form
      key={`p-${r.id}`}
      title={t('receipts.pledgeTitle', { id: r.id })}
      submit="receipts.submitPledge"
      fields={[
        { name: 'bank', label: 'supplier.bankId', suggestions: withRole(parties, 'BANK') },
        { name: 'requestedAmount', label: 'supplier.requestedAmount', type: 'number' },
        // A pledge's loan term is the applicant's to choose (a voucher's is its maturity).
        { name: 'dueDate', label: 'receipts.dueDate', type: 'date' },
      ]}
      // What the bank may lend against the goods, by the chaincode's own rule; the ledger checks it again.
      extra={() => <p class="muted">{t('receipts.pledgeHint', { percent: PLEDGE_CAP_PERCENT.toString(), most: money(maxPledgeAdvance(BigInt(r.valuation)).toString(), r.currency) })}</p>}
      onCancel={onCancel}
      onSubmit={async (v, key) => {
        const f = await post<Financing>('/financings', { asset: { type: 'WAREHOUSE_RECEIPT', id: r.id }, bank: (v.bank ?? '').trim(), requestedAmount: amount(v.requestedAmount), dueDate: v.dueDate }, key);
        receipts.reload();
        onPledged();
        return t('receipts.pledged', { id: f.id });
      }}
    />
  );
}
