import { StrictMode, useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, apiFor, sessionApi, type Account, type Environment, type List, type Membership, type SessionInfo } from './api';
import { ErrorMessage, Field, Link, Loading, navigate, usePath, useSubmit } from './components';
import { Dashboard, type DashboardState } from './context';
import { AuditPage } from './pages/audit';
import { AccountsPage } from './pages/accounts';
import { KeyDetailPage, KeysPage } from './pages/keys';
import { MembersPage, SessionsPage } from './pages/members';
import { BalancePage, CheckoutSessionDetail, CheckoutSessionsPage, PaymentDetail, PaymentsPage } from './pages/payments';
import { EventDetail, EventsPage, WebhookDetail, WebhooksPage } from './pages/webhooks';
import './styles.css';

const STORE = 'tessera.dashboard';

interface Saved {
  membership?: string;
  account?: string;
  environment?: Environment;
}

function saved(): Saved {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

function save(value: Saved): void {
  sessionStorage.setItem(STORE, JSON.stringify(value));
}

function SignIn({ onSignedIn, notice }: { onSignedIn: (s: SessionInfo) => void; notice: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(async () => onSignedIn(await sessionApi.signIn(email, password)));
  return (
    <main className="auth" id="main">
      <form onSubmit={submit} className="card" aria-labelledby="signin-title">
        <p className="brand">Tessera</p>
        <h1 id="signin-title">Sign in</h1>
        {notice !== null && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <Field id="email" label="Email">
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </Field>
        <Field id="password" label="Password">
          <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">No account yet? Ask an owner of your account for an invitation link.</p>
      </form>
    </main>
  );
}

function Accept({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  const [info, setInfo] = useState<Awaited<ReturnType<typeof sessionApi.lookupInvitation>> | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(undefined);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    if (!info?.existingUser && password !== confirm) throw new Error('The two passwords differ. Type the same password twice.');
    const session = await sessionApi.acceptInvitation({ token, password, ...(info?.email === null && { email }), ...(name !== '' && { name }) });
    // The token is spent: keep it out of the address bar and history.
    window.history.replaceState(null, '', '/dashboard/');
    onSignedIn(session);
  });
  useEffect(() => {
    if (token === '') {
      setLookupError(new Error('This page needs the whole invitation link (it ends with #token=…). Copy it again from where you received it.'));
      return;
    }
    sessionApi.lookupInvitation(token).then(setInfo, setLookupError);
  }, [token]);
  return (
    <main className="auth" id="main">
      <form onSubmit={submit} className="card" aria-labelledby="accept-title">
        <p className="brand">Tessera</p>
        <h1 id="accept-title">{info?.existingUser ? 'Join an account' : 'Set your password'}</h1>
        {lookupError !== undefined && <ErrorMessage error={lookupError} />}
        {info === null && lookupError === undefined && <Loading what="the invitation" />}
        {info !== null && (
          <>
            <p>
              You are invited to <strong>{info.account.name}</strong> ({info.account.type}) as <strong>{info.role}</strong>.
            </p>
            {info.email === null ? (
              <Field id="accept-email" label="Email" hint="You will sign in with it.">
                <input id="accept-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
              </Field>
            ) : (
              <p>
                Email: <strong>{info.email}</strong>
              </p>
            )}
            {!info.existingUser && (
              <Field id="accept-name" label="Your name (optional)">
                <input id="accept-name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
              </Field>
            )}
            <Field id="accept-password" label={info.existingUser ? 'Your password' : 'New password'} hint={info.existingUser ? undefined : 'At least 10 characters; a passphrase of a few words works well.'}>
              <input id="accept-password" type="password" autoComplete={info.existingUser ? 'current-password' : 'new-password'} required minLength={info.existingUser ? 1 : 10} value={password} onChange={(e) => setPassword(e.target.value)} />
            </Field>
            {!info.existingUser && (
              <Field id="accept-confirm" label="Repeat the password">
                <input id="accept-confirm" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} />
              </Field>
            )}
            <ErrorMessage error={error} />
            <button type="submit" disabled={busy}>
              {busy ? 'Please wait…' : info.existingUser ? 'Join and sign in' : 'Set password and sign in'}
            </button>
          </>
        )}
        <p className="small">
          <Link to="/sign-in">Already have a password? Sign in</Link>
        </p>
      </form>
    </main>
  );
}

interface Reachable {
  membership: Membership;
  account: Account;
}

const NAV: { to: string; label: string; op: string; own?: boolean }[] = [
  { to: '/keys', label: 'API Keys', op: 'keys.read' },
  { to: '/webhooks', label: 'Webhook endpoints', op: 'webhook_endpoints.read' },
  { to: '/events', label: 'Events', op: 'events.read' },
  { to: '/audit', label: 'Audit log', op: 'audit_events.read' },
  { to: '/checkout-sessions', label: 'Checkout sessions', op: 'checkout_sessions.read', own: true },
  { to: '/payments', label: 'Payment requests', op: 'payment_requests.read', own: true },
  { to: '/balance', label: 'Balance', op: 'balance.read', own: true },
  { to: '/accounts', label: 'Sub-merchants', op: 'accounts.read', own: true },
  { to: '/members', label: 'Members', op: 'members.read' },
  { to: '/sessions', label: 'Your sessions', op: '' },
];

function Shell({ session, onSignedOut }: { session: SessionInfo; onSignedOut: (why: string | null) => void }) {
  const path = usePath();
  const initial = saved();
  const [environment, setEnvironment] = useState<Environment>(initial.environment === 'live' ? 'live' : 'sandbox');
  const [membershipId, setMembershipId] = useState(session.memberships.find((m) => m.accountId === initial.membership)?.accountId ?? session.memberships[0]?.accountId ?? '');
  const [accountId, setAccountId] = useState(initial.account ?? membershipId);
  const [below, setBelow] = useState<Reachable[]>([]);
  const [accountsVersion, setAccountsVersion] = useState(0);
  const membership = session.memberships.find((m) => m.accountId === membershipId);

  // Partners and the operator also reach the accounts below them.
  useEffect(() => {
    let live = true;
    Promise.all(
      session.memberships
        .filter((m) => m.account.type !== 'merchant' && m.permissions.includes('accounts.read'))
        .map((m) =>
          apiFor({ csrfToken: session.csrfToken, actingAs: m.accountId, environment: 'sandbox' })
            .get<List<Account>>('/v1/accounts')
            .then((list) => list.data.filter((a) => a.id !== m.accountId).map((account) => ({ membership: m, account })))
            .catch(() => [] as Reachable[]),
        ),
    ).then((lists) => live && setBelow(lists.flat()));
    return () => {
      live = false;
    };
  }, [session, accountsVersion]);

  const reachable: Reachable[] = useMemo(() => [...session.memberships.map((m) => ({ membership: m, account: m.account })), ...below], [session, below]);
  const current = reachable.find((r) => r.membership.accountId === membershipId && r.account.id === accountId) ?? reachable.find((r) => r.membership.accountId === membershipId && r.account.id === membershipId);

  useEffect(() => save({ membership: membershipId, account: current?.account.id ?? membershipId, environment }), [membershipId, current, environment]);

  const signedOut = useCallback((why: string) => onSignedOut(why), [onSignedOut]);
  const state: DashboardState | null = useMemo(() => {
    if (membership === undefined || current === undefined) return null;
    return {
      session,
      membership,
      account: current.account,
      environment,
      api: apiFor({ csrfToken: session.csrfToken, actingAs: membership.accountId, environment }),
      can: (op: string) => membership.permissions.includes(op),
      own: current.account.id === membership.accountId,
      signedOut,
      view: (account: Account) => {
        setAccountId(account.id);
        navigate('/keys');
      },
      accountsChanged: () => setAccountsVersion((v) => v + 1),
    };
  }, [session, membership, current, environment, signedOut]);

  if (session.memberships.length === 0 || state === null || membership === undefined) {
    return (
      <main className="auth" id="main">
        <div className="card">
          <h1>No account</h1>
          <p>You are not a member of any account any more. Ask an owner to invite you again.</p>
          <button type="button" onClick={() => sessionApi.signOut(session.csrfToken).finally(() => onSignedOut(null))}>
            Sign out
          </button>
        </div>
      </main>
    );
  }

  const route = path.replace(/\/$/, '') || '/keys';
  const [, section, id] = route.split('/');
  let page;
  switch (section) {
    case 'keys':
      page = id ? <KeyDetailPage keyId={decodeURIComponent(id)} /> : <KeysPage />;
      break;
    case 'audit':
      page = <AuditPage />;
      break;
    case 'webhooks':
      page = id ? <WebhookDetail endpointId={decodeURIComponent(id)} /> : <WebhooksPage />;
      break;
    case 'events':
      page = id ? <EventDetail eventId={decodeURIComponent(id)} /> : <EventsPage />;
      break;
    case 'checkout-sessions':
      page = id ? <CheckoutSessionDetail sessionId={decodeURIComponent(id)} /> : <CheckoutSessionsPage />;
      break;
    case 'payments':
      page = id ? <PaymentDetail paymentRequestId={decodeURIComponent(id)} /> : <PaymentsPage />;
      break;
    case 'balance':
      page = <BalancePage />;
      break;
    case 'accounts':
      page = <AccountsPage />;
      break;
    case 'members':
      page = <MembersPage />;
      break;
    case 'sessions':
      page = <SessionsPage />;
      break;
    default:
      page = (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no such page. <Link to="/keys">Go to API Keys</Link>.
          </p>
        </section>
      );
  }

  return (
    <Dashboard.Provider value={state}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className={`top ${environment}`}>
        <span className="brand">Tessera</span>
        <label className="inline">
          <span>Account</span>
          <select
            aria-label="Account"
            value={`${membership.accountId}|${state.account.id}`}
            onChange={(e) => {
              const [m, a] = e.target.value.split('|');
              setMembershipId(m!);
              setAccountId(a!);
            }}
          >
            {reachable.map((r) => (
              <option key={`${r.membership.accountId}|${r.account.id}`} value={`${r.membership.accountId}|${r.account.id}`}>
                {r.account.id === r.membership.accountId ? `${r.account.name} (${r.account.type}, ${r.membership.role})` : `  ↳ ${r.account.name} (${r.account.type} of ${r.membership.account.name})`}
              </option>
            ))}
          </select>
        </label>
        <div className="env-switch" role="group" aria-label="Environment">
          {(['sandbox', 'live'] as const).map((env) => (
            <button key={env} type="button" className={`env ${env}`} aria-pressed={environment === env} onClick={() => setEnvironment(env)}>
              {env === 'sandbox' ? 'Sandbox' : 'Live'}
            </button>
          ))}
        </div>
        <span className="user">
          {session.user.email} · {membership.role}
        </span>
        <button type="button" className="secondary" onClick={() => sessionApi.signOut(session.csrfToken).finally(() => onSignedOut(null))}>
          Sign out
        </button>
      </header>
      {environment === 'live' ? (
        <div className="banner live" role="status">
          LIVE — real credentials and real money. Everything on this page belongs to the live environment.
          {!state.account.liveEnabled && ' This account’s live environment is not open yet: the operator opens it at go-live.'}
        </div>
      ) : (
        <div className="banner sandbox" role="status">
          Sandbox — test data only; nothing here touches live.
        </div>
      )}
      <div className="layout">
        <nav aria-label="Settings">
          <p className="nav-title">{state.account.name}</p>
          {!state.own && <p className="muted small">Sub-merchant of {membership.account.name}</p>}
          <ul>
            {NAV.filter((n) => (n.op === '' || state.can(n.op)) && (!n.own || state.own) && (n.to !== '/accounts' || membership.account.type !== 'merchant')).map((n) => (
              <li key={n.to}>
                <Link to={n.to} ariaCurrent={route.startsWith(n.to)}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {page}
        </main>
      </div>
    </Dashboard.Provider>
  );
}

function App() {
  const path = usePath();
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(undefined);
  useEffect(() => {
    if (path.startsWith('/accept')) {
      setSession(null);
      return;
    }
    sessionApi.current().then(setSession, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) setSession(null);
      else setFailure(error);
    });
    // Only on load: later changes come from sign-in and sign-out.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  // A request refused for an expired or revoked session brings the sign-in page back.
  useEffect(() => {
    const onEnded = (event: Event) => {
      setNotice((event as CustomEvent<string>).detail);
      setSession((s) => (s === undefined ? s : null));
    };
    window.addEventListener('tessera:session-ended', onEnded);
    return () => window.removeEventListener('tessera:session-ended', onEnded);
  }, []);
  const signedIn = (s: SessionInfo) => {
    setNotice(null);
    setSession(s);
    if (path.startsWith('/sign-in') || path.startsWith('/accept') || path === '/') navigate('/keys', true);
  };
  const signedOut = useCallback((why: string | null) => {
    setNotice(why ?? 'You are signed out.');
    setSession(null);
    navigate('/sign-in', true);
  }, []);

  if (failure !== undefined) {
    return (
      <main className="auth" id="main">
        <ErrorMessage error={failure} retry={() => window.location.reload()} />
      </main>
    );
  }
  if (path.startsWith('/accept') && session === null) return <Accept onSignedIn={signedIn} />;
  if (session === undefined) {
    return (
      <main className="auth" id="main">
        <Loading what="the dashboard" />
      </main>
    );
  }
  if (session === null) return <SignIn onSignedIn={signedIn} notice={notice} />;
  return <Shell key={session.id} session={session} onSignedOut={signedOut} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
