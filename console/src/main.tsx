import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import type { BindingOffer } from '../../chaincode/src/domain/types';
import { post, signedIn, signedOutBecause, signIn, signOut } from './api';
import { Coded, ErrorBox, Message, useAction, userRoleText } from './components';
import { LOCALES, locale, setLocale, t, type Locale, type MessageKey } from './i18n';
import { demoIdentities, loadMe, me, offer, type DemoSignIn } from './session';
import { AuditorView } from './views/auditor';
import { BankView } from './views/bank';
import { CoreView } from './views/core';
import { OperatorView } from './views/operator';
import { SupplierView } from './views/supplier';
import { WarehouseView } from './views/warehouse';

/** The views, and which member roles see each. */
const VIEWS: Array<{ path: string; label: MessageKey; roles: string[] }> = [
  { path: '/console/supplier', label: 'nav.supplier', roles: ['SUPPLIER'] },
  { path: '/console/core', label: 'nav.core', roles: ['CORE_ENTERPRISE'] },
  { path: '/console/bank', label: 'nav.bank', roles: ['BANK'] },
  { path: '/console/warehouse', label: 'nav.warehouse', roles: ['WAREHOUSE'] },
  { path: '/console/operator', label: 'nav.operator', roles: ['OPERATOR'] },
  { path: '/console/auditor', label: 'nav.auditor', roles: ['AUDITOR', 'OPERATOR'] },
];

const viewsFor = (roles: readonly string[]) => VIEWS.filter((v) => v.roles.some((r) => roles.includes(r)));

function SignIn() {
  const { path, route } = useLocation();
  // Signed out (by the button, or a token the gateway no longer knows): no view's address stays.
  useEffect(() => {
    if (path !== '/console') route('/console', true);
  }, []);
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [demo, setDemo] = useState<DemoSignIn[]>([]);
  useEffect(() => {
    demoIdentities().then(setDemo, () => setDemo([]));
  }, []);
  const use = async (value: string) => {
    signIn(value);
    try {
      await loadMe();
    } catch (err) {
      // An identity only offered a binding stays signed in: the shell asks it to accept.
      if (offer.value) return;
      signOut();
      setError(err);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>{t('app.title')}</h1>
      <form
        class="panel"
        aria-labelledby="signin-title"
        onSubmit={(e) => {
          e.preventDefault();
          void use(token);
        }}
      >
        <h2 id="signin-title">{t('signin.title')}</h2>
        <p>{t('signin.intro')}</p>
        <label>
          <span>{t('signin.token')}</span>
          <input type="password" autoComplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        </label>
        <div class="buttons">
          <button type="submit">{t('signin.submit')}</button>
        </div>
        <ErrorBox error={error ?? signedOutBecause.value} />
      </form>
      {demo.length > 0 && (
        <section class="panel" aria-labelledby="demo-title">
          <h2 id="demo-title">{t('signin.demo')}</h2>
          <p>{t('signin.demoIntro')}</p>
          <ul class="demo-list">
            {demo.map((d) => (
              <li key={d.label}>
                <button type="button" onClick={() => void use(d.token)} aria-label={t('signin.as', { label: d.label })}>
                  <strong>{d.label}</strong> <span>{d.memberName}</span>{' '}
                  <span class="muted" title={d.userRole}>
                    {userRoleText(d.userRole)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

function Home() {
  const { route } = useLocation();
  const first = viewsFor(me.value?.member.roles ?? [])[0];
  useEffect(() => {
    if (first) route(first.path, true);
  }, [first?.path]);
  return first ? null : <p>{t('app.noView')}</p>;
}

function LanguageSwitch() {
  return (
    <label class="language">
      <span>{t('app.language')}</span>
      <select value={locale.value} onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {l === 'zh' ? '中文' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * An identity its member's ADMIN bound and it has not accepted: who offers
 * it and as what, then Accept (it acts for that member from then on) or
 * leave (it acts for nobody; the ADMIN or the operator withdraws the offer).
 */
function OfferPanel({ offered, accepted, leave }: { offered: BindingOffer; accepted: () => void; leave: () => void }) {
  const { run, busy, feedback } = useAction();
  const memberId = offered.member.id;
  const accept = () =>
    run(`accept:${memberId}`, (key) => post(`/members/${memberId}/identities/accept`, {}, key), t('offer.accept'), () => {
      offer.value = undefined;
      accepted();
    });
  return (
    <main id="main" class="signin">
      <section class="panel" aria-labelledby="offer-title">
        <h2 id="offer-title">{t('offer.title')}</h2>
        <p>
          <Message id="offer.intro" params={{ name: offered.member.name, member: memberId, userRole: <Coded value={offered.identity.userRole} text={userRoleText} /> }} />
        </p>
        <div class="buttons">
          <button type="button" onClick={() => void accept()} disabled={busy} aria-busy={busy}>
            {t('offer.accept')}
          </button>
          <button type="button" class="secondary" onClick={leave}>
            {t('offer.decline')}
          </button>
        </div>
        {feedback}
      </section>
    </main>
  );
}

/** The signed-in console; `error` is why /me failed (then `retry` asks again). */
function Shell({ error, retry }: { error: unknown; retry: () => void }) {
  const who = me.value;
  const { path, route } = useLocation();
  const allowed = viewsFor(who?.member.roles ?? []);
  // A view's address the identity has no role for (another identity's, kept across a sign-out, or typed): its first own view instead.
  const refused = who !== undefined && VIEWS.some((v) => v.path === path) && !allowed.some((v) => v.path === path);
  useEffect(() => {
    if (refused && allowed[0]) route(allowed[0].path, true);
  }, [refused, allowed[0]?.path]);
  const leave = () => {
    signOut();
    route('/console');
  };
  if (!who) {
    if (offer.value) return <OfferPanel offered={offer.value} accepted={retry} leave={leave} />;
    if (error === undefined) return <p class="muted">{t('app.loading')}</p>;
    // Who the token is could not be read (the gateway down, the network): the user may ask again, or leave.
    return (
      <main id="main">
        <ErrorBox error={error} />
        <div class="buttons">
          <button type="button" onClick={retry}>
            {t('app.retry')}
          </button>
          <button type="button" class="secondary" onClick={leave}>
            {t('app.signOut')}
          </button>
        </div>
      </main>
    );
  }
  return (
    <>
      <header class="top">
        <h1>{t('app.title')}</h1>
        <nav aria-label={t('app.nav')}>
          <ul>
            {viewsFor(who.member.roles).map((v) => (
              <li key={v.path}>
                <a href={v.path} aria-current={path === v.path ? 'page' : undefined}>
                  {t(v.label)}
                </a>
              </li>
            ))}
            <li>
              <a href="/docs">{t('app.docs')}</a>
            </li>
          </ul>
        </nav>
        <p class="who">
          <Message id="app.signedInAs" params={{ label: who.member.name, member: who.member.id, userRole: <Coded value={who.identity.userRole} text={userRoleText} /> }} />
        </p>
        <button type="button" class="secondary" onClick={leave}>
          {t('app.signOut')}
        </button>
      </header>
      <main id="main">
        {refused ? (
          <p>{allowed[0] ? t('app.loading') : t('app.noView')}</p>
        ) : (
          <Router>
            <Route path="/console/supplier" component={SupplierView} />
            <Route path="/console/core" component={CoreView} />
            <Route path="/console/bank" component={BankView} />
            <Route path="/console/warehouse" component={WarehouseView} />
            <Route path="/console/auditor" component={AuditorView} />
            <Route path="/console/operator" component={OperatorView} />
            <Route default component={Home} />
          </Router>
        )}
      </main>
    </>
  );
}

function App() {
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    document.documentElement.lang = locale.value === 'zh' ? 'zh-CN' : 'en';
    document.title = t('app.title');
  }, [locale.value]);
  const loadWho = () => {
    setError(undefined);
    loadMe().catch(setError);
  };
  useEffect(() => {
    if (signedIn.value && !me.value) loadWho();
    if (!signedIn.value) {
      me.value = undefined;
      offer.value = undefined;
      setError(undefined);
    }
  }, [signedIn.value]);
  return (
    // Links outside /console (/docs, /openapi.json) are ordinary page loads, not the router's.
    <LocationProvider scope="/console">
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <div class="bar">
        <LanguageSwitch />
      </div>
      {signedIn.value ? <Shell error={error} retry={loadWho} /> : <SignIn />}
    </LocationProvider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
