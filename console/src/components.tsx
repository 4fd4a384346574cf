import { Fragment, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, newIdempotencyKey, type Page } from './api';
import { codeMessage, locale, resources, t, type MessageKey } from './i18n';

/** A problem+json answer in plain words: what the code means, the gateway's detail, the fields. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  // Not from the gateway: the console's own check of what was typed, before anything was sent.
  if (!(error instanceof ApiError)) {
    return (
      <div role="alert" class="error">
        <strong>{t('error.notSent')}</strong>
        <p>{error instanceof Error ? error.message : typeof error === 'string' ? error : t('error.title')}</p>
      </div>
    );
  }
  const p = error.problem;
  if (p.code === 'NETWORK') {
    return (
      <div role="alert" class="error">
        <strong>{t('error.network')}</strong>
      </div>
    );
  }
  return (
    <div role="alert" class="error">
      <strong>{codeMessage(p.code) ?? t('error.title')}</strong>
      {p.detail && <p>{p.detail}</p>}
      {p.errors && p.errors.length > 0 && (
        <ul>
          {p.errors.map((e) => (
            <li key={e.path}>{t('error.field', { path: e.path, message: e.message })}</li>
          ))}
        </ul>
      )}
      {p.txId && <TransactionCheck txId={p.txId} />}
      <p class="muted">{t('error.codeLine', { title: p.title, code: p.code, status: p.status })}</p>
    </div>
  );
}

interface TransactionStatus {
  txId: string;
  blockNumber: number;
  validationCode: string;
  valid: boolean;
}

/** The transaction a refused or unconfirmed write submitted, and what the ledger says of it (GET /transactions/:txId). */
function TransactionCheck({ txId }: { txId: string }) {
  const [answer, setAnswer] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true);
    try {
      const s = await get<TransactionStatus>(`/transactions/${encodeURIComponent(txId)}`);
      setAnswer(s.valid ? t('tx.valid', { txId, block: s.blockNumber }) : t('tx.invalid', { txId, code: s.validationCode }));
    } catch (err) {
      setAnswer(err instanceof ApiError && err.problem.code === 'NOT_FOUND' ? t('tx.unknown', { txId }) : t('tx.failed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="transaction">
      <p>
        {t('tx.id')} <code>{txId}</code>
      </p>
      <p>{t('tx.retrySafe')}</p>
      <button type="button" class="secondary" disabled={busy} onClick={() => void check()}>
        {t('tx.check')}
      </button>
      {answer && <p role="status">{answer}</p>}
    </div>
  );
}

/**
 * Loads with `load` when `deps` change; `reload()` loads again; `update`
 * changes what was loaded (a later load replaces it).
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: unknown; reload: () => void; update: (next: (data: T | undefined) => T | undefined, error?: unknown) => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const update = useCallback((next: (d: T | undefined) => T | undefined, err?: unknown) => {
    setData(next);
    setError(err);
  }, []);
  return { data, error, reload, update };
}

/** A list read page by page: the rows so far, whether the ledger holds more, and how to read them. */
export interface Pages<T> {
  records: T[] | undefined;
  error: unknown;
  /** The ledger has rows past those shown. */
  partial: boolean;
  loadingMore: boolean;
  /** Reads the next page and adds its rows. */
  more: () => void;
  /** Reads again as many pages as are shown. */
  reload: () => void;
}

const withBookmark = (path: string, bookmark: string) => (bookmark ? `${path}${path.includes('?') ? '&' : '?'}bookmark=${encodeURIComponent(bookmark)}` : path);

interface Shown<T> {
  path: string;
  records: T[];
  bookmark: string;
  pages: number;
}

/**
 * `path` (a list route with its filters and pageSize) read page by page,
 * following the gateway's bookmark: the first page at once, the next ones
 * when the user asks (`more`); `reload` reads again as many as were shown.
 */
export function usePages<T>(path: string, deps: unknown[] = []): Pages<T> {
  const current = useRef<Shown<T> | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const shown = useLoad(async (): Promise<Shown<T>> => {
    const wanted = current.current?.path === path ? current.current.pages : 1;
    const records: T[] = [];
    let bookmark = '';
    let pages = 0;
    do {
      const page = await get<Page<T>>(withBookmark(path, bookmark));
      records.push(...page.records);
      bookmark = page.bookmark;
      pages += 1;
    } while (bookmark && pages < wanted);
    return { path, records, bookmark, pages };
  }, [path, ...deps]);
  current.current = shown.data;
  const more = () => {
    const from = current.current;
    if (!from?.bookmark || loadingMore) return;
    setLoadingMore(true);
    get<Page<T>>(withBookmark(from.path, from.bookmark))
      .then(
        // Only onto the rows it continues: a reload in between started over.
        (page) => shown.update((now) => (now === from ? { ...from, records: [...from.records, ...page.records], bookmark: page.bookmark, pages: from.pages + 1 } : now)),
        (e: unknown) => shown.update((now) => now, e),
      )
      .finally(() => setLoadingMore(false));
  };
  const fresh = shown.data?.path === path ? shown.data : undefined;
  return { records: fresh?.records, error: shown.error, partial: Boolean(fresh?.bookmark), loadingMore, more, reload: shown.reload };
}

/** Under a paged list: says the list is partial and offers the next page. */
export function MoreRows({ pages }: { pages: Pages<unknown> }) {
  if (!pages.partial) return null;
  return (
    <p class="more">
      <span class="muted">{t('list.partial', { count: pages.records?.length ?? 0 })}</span>{' '}
      <button type="button" class="secondary" disabled={pages.loadingMore} onClick={pages.more}>
        {t('list.more')}
      </button>
    </p>
  );
}

/** A value a text field offers (a counterparty: its member id, shown with its name). */
export interface Suggestion {
  id: string;
  name: string;
}

export interface FieldSpec {
  name: string;
  label: MessageKey;
  value?: string;
  type?: 'text' | 'date' | 'number';
  select?: readonly string[];
  /** How a `select` option reads (its value is sent as it is); the value itself when absent. */
  optionText?: (value: string) => string;
  hint?: string;
  /**
   * Values the field offers as the user types (a native datalist: arrow down
   * opens it, any other value can still be typed); from the form's values when
   * they depend on another field.
   */
  suggestions?: readonly Suggestion[] | ((values: Record<string, string>) => readonly Suggestion[] | undefined);
}

/**
 * A form with labelled fields: submits the values to `onSubmit`, shows its
 * problem in plain words when refused, or its message in a status region.
 * `onSubmit` gets the submission's Idempotency-Key: the same while the user
 * submits the same values again (a retry after a timeout or a lost answer),
 * a new one once the values changed.
 *
 * A submission that succeeded is not offered again as it stood: clicking
 * once more would be a second voucher, transfer or approval, not a retry.
 * A form opened for a row (one with `onCancel`) is finished: its fields and
 * submit button go, the result stays, and Cancel becomes Close (the row it
 * acted on has changed). Any other form goes back to its first values,
 * ready for the next one, with the result shown above its button. A form
 * that only reads (`repeatable`: a lookup, a check) stays as it is, to be
 * asked again.
 */
export function Form(props: {
  title: string;
  fields: FieldSpec[];
  submit: MessageKey;
  onSubmit: (values: Record<string, string>, key: string) => Promise<string>;
  onCancel?: () => void;
  repeatable?: boolean;
  children?: ComponentChildren;
  extra?: (values: Record<string, string>) => ComponentChildren;
}) {
  const id = useId();
  const initial = Object.fromEntries(props.fields.map((f) => [f.name, f.value ?? '']));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [finished, setFinished] = useState(false);
  const intent = useRef<{ values: string; key: string } | undefined>(undefined);
  const first = useRef<HTMLInputElement>(null);
  // From the values as they are when the update applies, not as this render saw
  // them: several input events before the next render (a paste, the browser's
  // autofill) would otherwise keep only the last field.
  const set = (name: string, value: string) => setValues((current) => ({ ...current, [name]: value }));
  // A form opened for a row takes the focus as it mounts. useEffect would run
  // only after the next paint, by when the user may have chosen another field
  // and started typing: the focus, and the rest of what they type, would jump.
  // A form with no fields (a confirmation) gives its submit button the focus.
  const submitButton = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    if (props.onCancel) (first.current ?? submitButton.current)?.focus();
  }, []);
  // A finished form's submit button goes: the focus goes to Close rather than to the page.
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (finished) closeButton.current?.focus();
  }, [finished]);
  const submitting = useRef(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    // A second submit before the next render (a double click, Enter twice) is the same one.
    if (submitting.current || finished) return;
    submitting.current = true;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    const shape = JSON.stringify(values);
    if (intent.current?.values !== shape) intent.current = { values: shape, key: newIdempotencyKey() };
    try {
      setDone(await props.onSubmit(values, intent.current.key));
      intent.current = undefined;
      if (props.repeatable) return;
      if (props.onCancel) setFinished(true);
      else setValues(Object.fromEntries(props.fields.map((f) => [f.name, f.value ?? ''])));
    } catch (err) {
      setError(err);
    } finally {
      submitting.current = false;
      setBusy(false);
    }
  };
  return (
    <form class="panel" aria-labelledby={`${id}-title`} onSubmit={(e) => void submit(e)} noValidate>
      <h3 id={`${id}-title`}>{props.title}</h3>
      {props.children}
      {!finished && (
        <div class="fields">
          {props.fields.map((f, i) => {
            const offered = typeof f.suggestions === 'function' ? f.suggestions(values) : f.suggestions;
            const listId = offered && offered.length > 0 ? `${id}-${f.name}-suggestions` : undefined;
            return (
              <Fragment key={f.name}>
                <label>
                  <span>{t(f.label)}</span>
                  {f.select ? (
                    <select value={values[f.name]} onChange={(e) => set(f.name, (e.target as HTMLSelectElement).value)}>
                      {f.select.map((o) => (
                        <option key={o} value={o}>
                          {f.optionText ? f.optionText(o) : o}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      ref={i === 0 ? first : undefined}
                      name={f.name}
                      type="text"
                      inputMode={f.type === 'number' ? 'decimal' : undefined}
                      placeholder={f.type === 'date' ? 'YYYY-MM-DD' : undefined}
                      value={values[f.name]}
                      list={listId}
                      autoComplete={listId ? 'off' : undefined}
                      onInput={(e) => set(f.name, (e.target as HTMLInputElement).value)}
                    />
                  )}
                </label>
                {/* Beside the label, not in it: the names it lists are not part of the field's name. */}
                {listId && (
                  <datalist id={listId}>
                    {offered?.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                      </option>
                    ))}
                  </datalist>
                )}
              </Fragment>
            );
          })}
        </div>
      )}
      {!finished && props.extra?.(values)}
      <div class="buttons">
        {!finished && (
          <button ref={submitButton} type="submit" disabled={busy}>
            {t(props.submit)}
          </button>
        )}
        {props.onCancel && (
          <button ref={closeButton} type="button" class="secondary" onClick={props.onCancel}>
            {t(finished ? 'common.close' : 'common.cancel')}
          </button>
        )}
      </div>
      <ErrorBox error={error} />
      {done && (
        <p role="status" class="ok">
          {done}
        </p>
      )}
    </form>
  );
}

type Run = <T>(intent: string, what: (key: string) => Promise<T>, message: string | ((result: T) => string), then?: () => void) => Promise<void>;

/**
 * A button's action: `run(intent, what, message)` shows the message (or
 * what `message` makes of the answer) in a status region when it succeeds, or its problem in plain words; `feedback`
 * renders both. `intent` names what the user asked for (`confirm:RCV-1`):
 * `what` gets its Idempotency-Key, the same when the user asks for the same
 * thing again after a failure, a new one after a success or another intent.
 * While one runs, `busy` is true (its buttons are disabled) and another
 * `run` is ignored: a double click sends one request.
 */
export function useAction(): { run: Run; busy: boolean; feedback: ComponentChildren } {
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // Set at once, unlike the state: the second click of a double click comes before the next render.
  const running = useRef(false);
  const pending = useRef<{ intent: string; key: string } | undefined>(undefined);
  const run: Run = async (intent, what, message, then) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    if (pending.current?.intent !== intent) pending.current = { intent, key: newIdempotencyKey() };
    try {
      const result = await what(pending.current.key);
      pending.current = undefined;
      setDone(typeof message === 'function' ? message(result) : message);
      then?.();
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  const feedback = (
    <>
      <ErrorBox error={error} />
      {done && (
        <p role="status" class="ok">
          {done}
        </p>
      )}
    </>
  );
  return { run, busy, feedback };
}

/** A titled region of a view. */
export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const id = useId();
  return (
    <section aria-labelledby={id} class="section">
      <header>
        <h2 id={id}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

/** A table with a caption for screen readers and a row per record. */
export function Table<T>(props: { caption: string; columns: Array<{ label: MessageKey; cell: (row: T) => ComponentChildren }>; rows: T[] | undefined; rowKey: (row: T) => string }) {
  if (props.rows === undefined) return <p class="muted">{t('app.loading')}</p>;
  if (props.rows.length === 0) return <p class="muted">{t('common.none')}</p>;
  return (
    <table>
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c.label} scope="col">
              {t(c.label)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={props.rowKey(r)}>
            {props.columns.map((c) => (
              <td key={c.label}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What any member may read of another (GET /members/:id): enough to name it and to know what it may be party to. */
export interface MemberCard {
  id: string;
  name: string;
  roles: readonly string[];
  status: string;
}

const memberCards = new Map<string, Promise<MemberCard | undefined>>();

/**
 * A member as any member may read it (GET /members/:id), asked once per
 * member while the page lives. A failure is not kept: the next showing asks
 * again.
 */
export function memberCard(id: string): Promise<MemberCard | undefined> {
  let card = memberCards.get(id);
  if (card === undefined) {
    card = get<MemberCard>(`/members/${encodeURIComponent(id)}`).then(
      (m) => ({ id: m.id, name: m.name, roles: m.roles, status: m.status }),
      () => {
        memberCards.delete(id);
        return undefined;
      },
    );
    memberCards.set(id, card);
  }
  return card;
}

/** A member's name once its card arrives (undefined until then, for no id, or where it cannot be read). */
function useMemberName(id: string): string | undefined {
  const [name, setName] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setName(undefined);
    if (id) void memberCard(id).then((m) => live && setName(m?.name));
    return () => {
      live = false;
    };
  }, [id]);
  return name;
}

/**
 * A counterparty as people know it: its name, with its unified social credit
 * code beside it (the code alone until the name arrives, or where it cannot
 * be read). An 18-character code says little to a desk user.
 */
export function Party({ id }: { id: string }) {
  const name = useMemberName(id);
  if (!id) return <>—</>;
  return (
    <span class="party">
      {name !== undefined && <span class="party-name">{name} </span>}
      <span class="party-id">{id}</span>
    </span>
  );
}

/** The common name (CN) of the subject a Fabric identity id names (`x509::/C=CN/…/CN=core-maker@…::/…/CN=ca.…`); undefined when it names none. */
export function commonNameOf(identity: string): string | undefined {
  const subject = /^x509::(.*?)::/.exec(identity)?.[1] ?? '';
  return /(?:^|\/)CN=([^/]+)/.exec(subject)?.[1];
}

/**
 * An identity that signed a transaction (an approval's maker) as a desk user
 * reads it: the common name of its certificate, with the name of the member
 * it acts for; the full Fabric identity id in the title. The id itself where
 * it names no common name.
 */
export function Signer({ id, member }: { id: string; member: string }) {
  const name = useMemberName(member);
  const cn = commonNameOf(id);
  if (cn === undefined) return <span class="signer">{id}</span>;
  return (
    <span class="signer" title={id}>
      {name === undefined ? cn : t('signer.of', { cn, member: name })}
    </span>
  );
}

/**
 * The ledger's date today, UTC: the sandbox clock's when it has been moved
 * (GET /ready shows it), else this browser's. Only to offer what the date
 * allows; the chaincode decides with the transaction's own time.
 */
export function useLedgerToday(): string {
  const ready = useLoad(() => get<{ sandboxClock?: { now?: string } }>('/ready'), []);
  return (ready.data?.sandboxClock?.now ?? new Date().toISOString()).slice(0, 10);
}

/** The families of codes the ledger sends that the catalogue names, by their key's prefix. */
type CodeFamily = 'status' | 'assetType' | 'documentKind' | 'recordField' | 'role' | 'userRole' | 'transaction' | 'docType' | 'creditLineKind' | 'event';

/** The catalogue's words for a code the ledger sends, under `prefix`; the code itself where the catalogue has none. */
function catalogued(prefix: CodeFamily, code: string): string {
  const key = `${prefix}.${code}`;
  return key in resources.en ? t(key as MessageKey) : code;
}

/** A record's status in the reader's language: the ledger's code where the catalogue has none. */
export const statusText = (value: string): string => catalogued('status', value);

/** An asset's type (a financing's asset, a freeze's target) in the reader's language. */
export const assetTypeText = (value: string): string => catalogued('assetType', value);

/** A kind of document (an invoice…) in the reader's language. */
export const documentKindText = (value: string): string => catalogued('documentKind', value);

/** A record's property (the auditor's record and history) in the reader's language; the API's name where the catalogue has none. */
export const fieldText = (name: string): string => catalogued('recordField', name);

/** A member's role (SUPPLIER, BANK…) in the reader's language. */
export const roleText = (value: string): string => catalogued('role', value);

/** An identity's user role (MAKER, CHECKER, ADMIN) in the reader's language. */
export const userRoleText = (value: string): string => catalogued('userRole', value);

/** The transaction an approval executes (`voucher:Issue`…) in the reader's language. */
export const transactionText = (value: string): string => catalogued('transaction', value);

/** A record's type (its docType: `receivable`, `creditLine`…) in the reader's language. */
export const docTypeText = (value: string): string => catalogued('docType', value);

/** A credit line's kind (ISSUANCE, FINANCING) in the reader's language. */
export const creditLineKindText = (value: string): string => catalogued('creditLineKind', value);

/** A ledger event's or a notification's name (the live event stream) in the reader's language. */
export const eventText = (value: string): string => catalogued('event', value);

/** A code the ledger sends, in the reader's words from `text`, the code itself in the title (as Status shows a status). */
export function Coded({ value, text }: { value: string; text: (code: string) => string }) {
  return <span title={value}>{text(value)}</span>;
}

/** Several codes (a member's roles), each as Coded, separated by commas. */
export function CodedList({ values, text }: { values: readonly string[]; text: (code: string) => string }) {
  return (
    <>
      {values.map((v, i) => (
        <Fragment key={v}>
          {i > 0 && ', '}
          <Coded value={v} text={text} />
        </Fragment>
      ))}
    </>
  );
}

/**
 * The message for `id` with its `{name}` placeholders filled from `params`,
 * which may be elements (a Coded value): its text is what t() gives with the
 * same words as strings.
 */
export function Message({ id, params }: { id: MessageKey; params: Record<string, ComponentChildren> }) {
  const parts = resources[locale.value][id].split(/(\{\w+\})/);
  return (
    <>
      {parts.map((part, i) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        return <Fragment key={i}>{name !== undefined && name in params ? params[name] : part}</Fragment>;
      })}
    </>
  );
}

/** A record's status, its code in the title. */
export function Status({ value }: { value: string }) {
  return (
    <span class={`status status-${value.toLowerCase()}`} title={value}>
      {statusText(value)}
    </span>
  );
}
