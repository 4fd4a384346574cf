import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TreeNode } from '../../../chaincode/src/domain/vouchers';
import { get, streamEvents, type LedgerEvent } from '../api';
import { Coded, creditLineKindText, docTypeText, ErrorBox, eventText, fieldText, Form, Party, Section, Status, statusText, transactionText } from '../components';
import { dateTime, money } from '../format';
import { MONEY_FIELDS } from '../money-fields';
import { namesMember } from '../counterparties';
import { Graph, type GraphEdge, type GraphNode } from '../graph';
import { locale, t } from '../i18n';

/** Where a record's routes are, by the prefix of its id. */
const COLLECTIONS: Record<string, { path: string; history: boolean }> = {
  RCV: { path: 'receivables', history: true },
  VCH: { path: 'vouchers', history: true },
  FIN: { path: 'financings', history: true },
  FRZ: { path: 'freezes', history: true },
  APR: { path: 'approvals', history: false },
  WRC: { path: 'warehouse-receipts', history: true },
  CRL: { path: 'credit-lines', history: true },
};

const collectionOf = (id: string) => COLLECTIONS[id.split('-')[0] ?? ''];

interface HistoryVersion {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  actor?: string | null;
  record: Record<string, unknown> | null;
}

interface History {
  id: string;
  versions: HistoryVersion[];
}

const META = new Set(['updatedAt', 'updatedTxId', 'updatedBy']);

/** The fields whose values differ from the version before. */
function changedFields(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null): string[] {
  if (!after) return [];
  if (!before) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !META.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

const describe = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** How a property whose value is a code the ledger sends reads, by the property (a credit line's `kind` by its record's type too). */
function codeText(field: string, record: Record<string, unknown> | null | undefined): ((code: string) => string) | undefined {
  switch (field) {
    case 'status':
      return statusText;
    case 'docType':
      return docTypeText;
    case 'transaction':
      return transactionText;
    case 'kind':
      return record?.docType === 'creditLine' ? creditLineKindText : undefined;
    default:
      return undefined;
  }
}

/**
 * A field's value as the user reads it: money in the record's currency; a
 * code (a status, the record's type, an approval's transaction, a credit
 * line's kind) in the reader's language with the code in its title; a
 * member (holder, debtor, createdBy…) by name and id; anything else as it is.
 */
function shown(field: string, value: unknown, record: Record<string, unknown> | null | undefined): ComponentChildren {
  if (MONEY_FIELDS.has(field) && typeof value === 'string' && /^-?\d+$/.test(value)) {
    return money(value, typeof record?.currency === 'string' ? record.currency : undefined);
  }
  const text = codeText(field, record);
  if (text && typeof value === 'string') return <Coded value={value} text={text} />;
  if (namesMember(field) && typeof value === 'string' && value !== '') return <Party id={value} />;
  return describe(value);
}

/** The member whose transaction wrote a version: the history's actor, else the record's updatedBy; empty when neither says. */
const actorOf = (v: HistoryVersion): string => v.actor ?? (typeof v.record?.updatedBy === 'string' ? v.record.updatedBy : '');

/** Oldest first, whichever order the ledger answered in (the embedded ledger and Fabric's history both list the newest first). */
function chronological(versions: HistoryVersion[]): HistoryVersion[] {
  const first = versions[0]?.timestamp ?? '';
  const last = versions[versions.length - 1]?.timestamp ?? '';
  return first > last || (first === last && versions.length > 1 && versions[0]?.record?.createdTxId !== versions[0]?.txId) ? [...versions].reverse() : versions;
}

export function Timeline({ history: raw }: { history: History }) {
  const history = { ...raw, versions: chronological(raw.versions) };
  return (
    <section class="panel" aria-labelledby="timeline-title">
      <h3 id="timeline-title">{t('auditor.historyOf', { id: history.id })}</h3>
      <ol class="timeline">
        {history.versions.map((v, i) => {
          const before = i > 0 ? history.versions[i - 1]?.record : undefined;
          const changed = changedFields(before, v.record);
          return (
            <li key={`${v.txId}-${i}`}>
              <p>
                <time dateTime={v.timestamp}>{dateTime(v.timestamp)}</time> · {t('field.actor')} <Party id={actorOf(v)} /> · {t('field.txId')}{' '}
                <code>{v.txId}</code>
              </p>
              {i === 0 ? (
                <p>
                  {t('auditor.createdVersion')}
                  {typeof v.record?.status === 'string' && (
                    <>
                      {' '}
                      <Status value={v.record.status} />
                    </>
                  )}
                </p>
              ) : (
                <>
                  <p>{t('auditor.changed', { fields: changed.map(fieldText).join(', ') || '–' })}</p>
                  <ul>
                    {changed.map((k) => (
                      <li key={k}>
                        <span title={k}>{fieldText(k)}</span>: {shown(k, before?.[k] ?? '–', before)} → {shown(k, v.record?.[k] ?? '–', v.record)}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function flatten(node: TreeNode, out: TreeNode[] = []): TreeNode[] {
  out.push(node);
  for (const c of node.children) flatten(c, out);
  return out;
}

export function TreePanel({ tree, onHistory }: { tree: TreeNode; onHistory: (id: string) => void }) {
  const pieces = useMemo(() => flatten(tree), [tree]);
  const { nodes, edges } = useMemo(() => {
    const nodes: GraphNode[] = pieces.map((p) => ({ id: p.id, label: `${p.id}\n${p.holder || '—'}\n${money(p.amount)} · T${p.tier} · ${statusText(p.status)}`, kind: p.status }));
    const edges: GraphEdge[] = pieces.flatMap((p) => p.children.map((c) => ({ from: p.id, to: c.id })));
    return { nodes, edges };
  }, [pieces, locale.value]);
  const renderList = (n: TreeNode) => (
    <li key={n.id}>
      <button type="button" class="link" aria-label={`${t('auditor.history')} ${n.id}`} onClick={() => onHistory(n.id)}>
        {n.id}
      </button>{' '}
      · {t('field.holder')} <Party id={n.holder} /> · {money(n.amount)} · {t('field.tier')} {n.tier} · <Status value={n.status} />
      {n.children.length > 0 && <ul>{n.children.map(renderList)}</ul>}
    </li>
  );
  return (
    <section class="panel" aria-labelledby="tree-title">
      <h3 id="tree-title">{t('auditor.treeOf', { id: tree.id, count: pieces.length })}</h3>
      <Graph nodes={nodes} edges={edges} label={t('auditor.treeGraph')} onSelect={onHistory} />
      <ul class="tree-list" aria-label={t('auditor.tree')}>
        {renderList(tree)}
      </ul>
    </section>
  );
}

function EventStream() {
  const [events, setEvents] = useState<LedgerEvent[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => abort.current?.abort(), []);
  const start = () => {
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setError(undefined);
    streamEvents((e) => setEvents((list) => [e, ...list].slice(0, 200)), controller.signal)
      .catch(setError)
      .finally(() => setRunning(false));
  };
  const stop = () => {
    abort.current?.abort();
    setRunning(false);
  };
  return (
    <Section
      title={t('auditor.events')}
      actions={
        running ? (
          <button type="button" class="secondary" onClick={stop}>
            {t('auditor.stopEvents')}
          </button>
        ) : (
          <button type="button" onClick={start}>
            {t('auditor.startEvents')}
          </button>
        )
      }
    >
      {running && <p class="muted">{t('auditor.streaming')}</p>}
      <ErrorBox error={error} />
      <div role="log" aria-live="polite" aria-label={t('auditor.events')}>
      <ol class="events">
        {events.map((e, i) => (
          // A notification has no ledger cursor: its own id (in its data), else its place.
          <li key={e.id || ((e.data as { id?: unknown } | undefined)?.id as string | undefined) || `n${events.length - i}`}>
            <strong title={e.event}>{eventText(e.event)}</strong> <code>{e.id}</code> {recordIdsOf(e.data).join(', ')}
          </li>
        ))}
      </ol>
      </div>
    </Section>
  );
}

/** What an event's data holds of the records it is about: a ledger event's payload, a notification's data. */
interface AboutRecords {
  /** A ledger event: the records its transaction wrote, by role. */
  payload?: { ids?: Record<string, unknown> };
  /** A notification: a reminder's or an escalation's asset; a disabled webhook endpoint and its failed delivery. */
  data?: { asset?: { id?: unknown }; endpointId?: unknown; failedDeliveryId?: unknown };
}

/**
 * The ids of the records an event is about, each once: those a ledger
 * event's transaction wrote (its payload's `ids`, by role); the asset a
 * reminder or an escalation is about; the endpoint a WebhookEndpointDisabled
 * notification disabled, and the delivery that failed.
 */
function recordIdsOf(data: unknown): string[] {
  const about = (data ?? {}) as AboutRecords;
  const ids = [...Object.values(about.payload?.ids ?? {}).flat(), about.data?.asset?.id, about.data?.endpointId, about.data?.failedDeliveryId];
  return [...new Set(ids.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

export function AuditorView() {
  const [record, setRecord] = useState<Record<string, unknown> | undefined>(undefined);
  const [tree, setTree] = useState<TreeNode | undefined>(undefined);
  const [history, setHistory] = useState<History | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const openHistory = async (id: string) => {
    setError(undefined);
    const c = collectionOf(id);
    if (!c?.history) return;
    try {
      setHistory(await get<History>(`/${c.path}/${encodeURIComponent(id)}/history`));
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div class="view">
      <h2 class="view-title">{t('auditor.title')}</h2>
      <Form
        title={t('auditor.lookup')}
        submit="auditor.find"
        fields={[{ name: 'id', label: 'auditor.assetId' }]}
        repeatable
        onSubmit={async (v) => {
          const id = (v.id ?? '').trim();
          const c = collectionOf(id) ?? COLLECTIONS.VCH;
          setTree(undefined);
          setHistory(undefined);
          setRecord(undefined);
          const found = await get<Record<string, unknown>>(`/${c?.path ?? 'vouchers'}/${encodeURIComponent(id)}`);
          setRecord(found);
          if (c?.path === 'vouchers') setTree((await get<{ root: TreeNode }>(`/vouchers/${encodeURIComponent(id)}/tree`)).root);
          if (c?.history) await openHistory(id);
          return t('common.open', { id });
        }}
      />
      <ErrorBox error={error} />
      {record && (
        <section class="panel" aria-labelledby="record-title">
          <h3 id="record-title">{t('auditor.record')}</h3>
          <dl class="record">
            {Object.entries(record)
              .filter(([, v]) => typeof v !== 'object' || v === null)
              .map(([k, v]) => (
                <div key={k}>
                  <dt title={k}>{fieldText(k)}</dt>
                  <dd>{shown(k, v, record)}</dd>
                </div>
              ))}
          </dl>
        </section>
      )}
      {tree && <TreePanel tree={tree} onHistory={(id) => void openHistory(id)} />}
      {history && <Timeline history={history} />}
      <EventStream />
    </div>
  );
}
