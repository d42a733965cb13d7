import { useState, type FormEvent, type ReactNode } from 'react';
import { qs } from '../api';
import { Async, Badge, Empty, ErrorMessage, Field, Link, Time, money, useLoad, type Loaded } from '../components';
import { useDashboard } from '../context';

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

interface CheckoutSession {
  id: string;
  status: 'pending' | 'completed' | 'expired';
  amount: number;
  currency: string;
  description: string | null;
  checkoutUrl?: string;
  successUrl?: string | null;
  cancelUrl?: string | null;
  paymentRequestId?: string | null;
  createdAt?: string;
  expiresAt: string;
  completedAt: string | null;
}

interface PaymentRequest {
  id: string;
  status: string;
  amount: number;
  currency: string;
  amountRefunded: number;
  description: string | null;
  card: { brand: string; last4: string } | null;
  failure: { code: string; message: string } | null;
  checkoutSessionId: string | null;
  paymentUrl: string | null;
  refunds: { id: string; amount: number; currency: string; reason: string | null; createdAt?: string }[];
  createdAt?: string;
}

function tone(status: string): 'good' | 'bad' | 'warn' | 'neutral' {
  if (status === 'completed' || status === 'succeeded' || status === 'approved') return 'good';
  if (status === 'failed' || status === 'expired') return 'bad';
  if (status === 'pending') return 'warn';
  return 'neutral';
}

function ReadOnlyNote() {
  return <p className="muted small">Read-only: checkout sessions and payments are created by your server with a secret key.</p>;
}

/** Pages of a list with a cursor: "Load more" appends the next page. */
function usePaged<T>(path: string) {
  const { api } = useDashboard();
  const first = useLoad(() => api.get<Page<T>>(`${path}${qs({ limit: 25 })}`), [api, path]);
  const [more, setMore] = useState<{ items: T[]; cursor: string | null } | null>(null);
  const items = [...(first.data?.data ?? []), ...(more?.items ?? [])];
  const cursor = more === null ? first.data?.nextCursor ?? null : more.cursor;
  const loadMore = async () => {
    if (cursor === null) return;
    const page = await api.get<Page<T>>(`${path}${qs({ limit: 25, before: cursor })}`);
    setMore({ items: [...(more?.items ?? []), ...page.data], cursor: page.nextCursor });
  };
  return { first, items, cursor, loadMore };
}

function LoadMore({ cursor, loadMore }: { cursor: string | null; loadMore: () => Promise<void> }) {
  if (cursor === null) return null;
  return (
    <button type="button" className="secondary" onClick={() => void loadMore()}>
      Load more
    </button>
  );
}

export function CheckoutSessionsPage() {
  const { environment } = useDashboard();
  const { first, items, cursor, loadMore } = usePaged<CheckoutSession>('/v1/checkout/sessions');
  return (
    <section aria-labelledby="cs-title">
      <h1 id="cs-title">Checkout sessions</h1>
      <ReadOnlyNote />
      <Async loaded={first} what="checkout sessions">
        {() =>
          items.length === 0 ? (
            <Empty title={`No ${environment} checkout session yet`}>
              <p>Your server creates them with POST /v1/checkout/sessions; they appear here with their status.</p>
            </Empty>
          ) : (
            <>
              <table>
                <caption className="sr-only">Checkout sessions</caption>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Status</th>
                    <th scope="col">Description</th>
                    <th scope="col">Expires</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((s) => (
                    <tr key={s.id}>
                      <td className="mono">
                        <Link to={`/checkout-sessions/${s.id}`}>{s.id}</Link>
                      </td>
                      <td>{money(s.amount, s.currency)}</td>
                      <td>
                        <Badge tone={tone(s.status)}>{s.status}</Badge>
                      </td>
                      <td>{s.description ?? <span className="muted">—</span>}</td>
                      <td>
                        <Time value={s.expiresAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <LoadMore cursor={cursor} loadMore={loadMore} />
            </>
          )
        }
      </Async>
    </section>
  );
}

/** A payment object's page: breadcrumb back to its list, amount and status as the title, its details. */
function AmountDetail<T extends { id: string; amount: number; currency: string; status: string }>({ list, listLabel, id, what, loaded, children }: { list: string; listLabel: string; id: string; what: string; loaded: Loaded<T>; children: (item: T) => ReactNode }) {
  return (
    <section aria-labelledby="detail-title">
      <p className="breadcrumb">
        <Link to={list}>{listLabel}</Link> → {id}
      </p>
      <Async loaded={loaded} what={what}>
        {(item) => (
          <>
            <div className="title-row">
              <h1 id="detail-title">{money(item.amount, item.currency)}</h1>
              <Badge tone={tone(item.status)}>{item.status}</Badge>
            </div>
            {children(item)}
            <ReadOnlyNote />
          </>
        )}
      </Async>
    </section>
  );
}

export function CheckoutSessionDetail({ sessionId }: { sessionId: string }) {
  const { api } = useDashboard();
  const session = useLoad(() => api.get<CheckoutSession>(`/v1/checkout/sessions/${encodeURIComponent(sessionId)}`), [api, sessionId]);
  return (
    <AmountDetail list="/checkout-sessions" listLabel="Checkout sessions" id={sessionId} what="the checkout session" loaded={session}>
      {(s) => (
        <dl className="details">
          <dt>Id</dt>
          <dd className="mono">{s.id}</dd>
          <dt>Description</dt>
          <dd>{s.description ?? '—'}</dd>
          <dt>Expires</dt>
          <dd>
            <Time value={s.expiresAt} />
          </dd>
          <dt>Completed</dt>
          <dd>
            <Time value={s.completedAt} />
          </dd>
        </dl>
      )}
    </AmountDetail>
  );
}

export function PaymentsPage() {
  const { environment } = useDashboard();
  const { first, items, cursor, loadMore } = usePaged<PaymentRequest>('/v1/payment-requests');
  return (
    <section aria-labelledby="pr-title">
      <h1 id="pr-title">Payment requests</h1>
      <ReadOnlyNote />
      <Async loaded={first} what="payment requests">
        {() =>
          items.length === 0 ? (
            <Empty title={`No ${environment} payment yet`}>
              <p>Payments made on the hosted checkout page or with POST /v1/payment-requests appear here.</p>
            </Empty>
          ) : (
            <>
              <table>
                <caption className="sr-only">Payment requests</caption>
                <thead>
                  <tr>
                    <th scope="col">Payment request</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Refunded</th>
                    <th scope="col">Status</th>
                    <th scope="col">Card</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.id}>
                      <td className="mono">
                        <Link to={`/payments/${p.id}`}>{p.id}</Link>
                      </td>
                      <td>{money(p.amount, p.currency)}</td>
                      <td>{p.amountRefunded > 0 ? money(p.amountRefunded, p.currency) : '—'}</td>
                      <td>
                        <Badge tone={tone(p.status)}>{p.status}</Badge>
                      </td>
                      <td>{p.card === null ? '—' : `${p.card.brand} •••• ${p.card.last4}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <LoadMore cursor={cursor} loadMore={loadMore} />
            </>
          )
        }
      </Async>
    </section>
  );
}

export function PaymentDetail({ paymentRequestId }: { paymentRequestId: string }) {
  const { api } = useDashboard();
  const payment = useLoad(() => api.get<PaymentRequest>(`/v1/payment-requests/${encodeURIComponent(paymentRequestId)}`), [api, paymentRequestId]);
  return (
    <AmountDetail list="/payments" listLabel="Payment requests" id={paymentRequestId} what="the payment request" loaded={payment}>
      {(p) => (
        <>
          <dl className="details">
            <dt>Id</dt>
            <dd className="mono">{p.id}</dd>
            <dt>Card</dt>
            <dd>{p.card === null ? '—' : `${p.card.brand} •••• ${p.card.last4}`}</dd>
            <dt>Failure</dt>
            <dd>{p.failure === null ? '—' : `${p.failure.code}: ${p.failure.message}`}</dd>
            <dt>Checkout session</dt>
            <dd>{p.checkoutSessionId === null ? '—' : <Link to={`/checkout-sessions/${p.checkoutSessionId}`}>{p.checkoutSessionId}</Link>}</dd>
            <dt>Refunded</dt>
            <dd>{money(p.amountRefunded, p.currency)}</dd>
          </dl>
          <h2>Refunds</h2>
          {p.refunds.length === 0 ? (
            <p className="muted">No refund.</p>
          ) : (
            <ul className="plain">
              {p.refunds.map((r) => (
                <li key={r.id}>
                  <span className="mono">{r.id}</span> {money(r.amount, r.currency)} {r.reason ?? ''}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </AmountDetail>
  );
}

interface Balance {
  available: { currency: string; amount: number }[];
}

interface Deposit {
  id: string;
  amount: number;
  currency: string;
  status: 'pending' | 'approved';
}

/** The balance; in sandbox, test funds (OneKey's "create and approve a deposit"). */
export function BalancePage() {
  const { api, environment, can } = useDashboard();
  const balance = useLoad(() => api.get<Balance>('/v1/balance'), [api]);
  const [amount, setAmount] = useState('100.00');
  const [currency, setCurrency] = useState('USD');
  const [deposits, setDeposits] = useState<Deposit[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const deposit = await api.post<Deposit>('/v1/deposits', { amount: Math.round(Number(amount) * 100), currency: currency.toUpperCase() });
      setDeposits([deposit, ...deposits]);
    } catch (e) {
      setError(e);
    }
  };
  const approve = async (deposit: Deposit) => {
    setError(undefined);
    try {
      const approved = await api.post<Deposit>(`/v1/deposits/${deposit.id}/approve`, {});
      setDeposits(deposits.map((d) => (d.id === approved.id ? approved : d)));
      balance.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="balance-title">
      <h1 id="balance-title">Balance</h1>
      <Async loaded={balance} what="the balance">
        {(b) =>
          b.available.length === 0 ? (
            <Empty title="The balance is empty">
              <p>{environment === 'sandbox' ? 'Add test funds below to try cashouts and refunds.' : 'Successful payments fund it.'}</p>
            </Empty>
          ) : (
            <ul className="plain balance">
              {b.available.map((a) => (
                <li key={a.currency}>
                  <strong>{money(a.amount, a.currency)}</strong> available
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      {environment === 'sandbox' && can('deposits.create') && (
        <>
          <h2>Test funds</h2>
          <form className="filters" onSubmit={create}>
            <Field id="dep-amount" label="Amount">
              <input id="dep-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} required />
            </Field>
            <Field id="dep-currency" label="Currency">
              <input id="dep-currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} required />
            </Field>
            <div className="filter-actions">
              <button type="submit">Create deposit</button>
            </div>
          </form>
          <ErrorMessage error={error} />
          {deposits.length > 0 && (
            <ul className="plain">
              {deposits.map((d) => (
                <li key={d.id}>
                  <span className="mono">{d.id}</span> {money(d.amount, d.currency)} <Badge tone={tone(d.status)}>{d.status}</Badge>{' '}
                  {d.status === 'pending' && can('deposits.approve') && (
                    <button type="button" className="secondary" onClick={() => void approve(d)}>
                      Approve
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
