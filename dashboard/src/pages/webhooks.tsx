import { useState } from 'react';
import { qs, type List } from '../api';
import { Async, Badge, CopyButton, Dialog, Empty, ErrorMessage, Field, Link, Time, useLoad, FormActions, CloseAction, useSubmit } from '../components';
import { useDashboard } from '../context';
import { ConfirmDialog } from './keys';

interface Endpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  secret?: string;
}

interface EventType {
  name: string;
  description: string;
}

interface TesseraEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: string;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  lastAttemptAt: string | null;
  lastResponseStatus: number | null;
  nextAttemptAt: string | null;
}

function SecretOnce({ secret, onClose, title }: { secret: string; onClose: () => void; title: string }) {
  return (
    <Dialog title={title} onClose={onClose} labelledBy="whsec-title" wide>
      <div className="warning" role="alert">
        <strong>Copy this signing secret now: it will not be shown again.</strong> Your server verifies every delivery with it (Standard Webhooks).
      </div>
      <div className="field">
        <label htmlFor="whsec">Signing secret</label>
        <div className="copy-row">
          <input id="whsec" className="mono" readOnly value={secret} onFocus={(e) => e.target.select()} />
          <CopyButton value={secret} label="Copy signing secret" />
        </div>
      </div>
      <CloseAction onClose={onClose} label="I have stored it, close" />
    </Dialog>
  );
}

function NewEndpointDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (e: Endpoint) => void }) {
  const { api, account, environment } = useDashboard();
  const types = useLoad(() => api.get<List<EventType>>('/v1/event-types'), [api]);
  const [url, setUrl] = useState(environment === 'sandbox' ? 'http://localhost:3000/webhooks' : 'https://');
  const [description, setDescription] = useState('');
  const [selected, setSelected] = useState<string[]>(['*']);
  const { busy, error, submit } = useSubmit(async () => onCreated(await api.post<Endpoint>(`/v1/accounts/${account.id}/webhook-endpoints`, { url, eventTypes: selected, ...(description !== '' && { description }) })));
  const toggle = (name: string, on: boolean) => setSelected(on ? [...selected.filter((s) => s !== '*' || name === '*'), name] : selected.filter((s) => s !== name));
  return (
    <Dialog title="New webhook endpoint" onClose={onClose} labelledBy="new-endpoint-title" wide>
      <form onSubmit={submit}>
        <Field id="we-url" label="URL" hint={environment === 'live' ? 'Live endpoints need HTTPS to a public address.' : 'Sandbox may call http://localhost.'}>
          <input id="we-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} autoFocus />
        </Field>
        <Field id="we-description" label="Description (optional)">
          <input id="we-description" maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <fieldset className="permissions">
          <legend>Events to send</legend>
          <label className="choice">
            <input type="checkbox" checked={selected.includes('*')} onChange={(e) => setSelected(e.target.checked ? ['*'] : [])} /> All events
          </label>
          <div className="grid">
            {(types.data?.data ?? []).map((t) => (
              <label key={t.name} className="choice" title={t.description}>
                <input type="checkbox" disabled={selected.includes('*')} checked={selected.includes('*') || selected.includes(t.name)} onChange={(e) => toggle(t.name, e.target.checked)} /> {t.name}
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorMessage error={error} />
        <FormActions onCancel={onClose} busy={busy} submitLabel="Create endpoint" disabled={selected.length === 0} />
      </form>
    </Dialog>
  );
}

export function WebhooksPage() {
  const { api, account, environment, can } = useDashboard();
  const endpoints = useLoad(() => api.get<List<Endpoint>>(`/v1/accounts/${account.id}/webhook-endpoints`), [api, account.id]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <section aria-labelledby="we-title">
      <div className="title-row">
        <h1 id="we-title">Webhook endpoints</h1>
        {can('webhook_endpoints.manage') && (
          <button type="button" onClick={() => setCreating(true)}>
            New endpoint
          </button>
        )}
      </div>
      <Async loaded={endpoints} what="webhook endpoints">
        {(list) =>
          list.data.length === 0 ? (
            <Empty title={`No ${environment} webhook endpoint yet`}>
              <p>Add one to be told when keys change, payments succeed and checkouts complete.</p>
            </Empty>
          ) : (
            <table>
              <caption className="sr-only">Webhook endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link to={`/webhooks/${e.id}`}>{e.url}</Link>
                      {e.description !== '' && <div className="muted small">{e.description}</div>}
                    </td>
                    <td className="small">{e.eventTypes.join(', ')}</td>
                    <td>
                      <Badge tone={e.enabled ? (e.failingSince ? 'warn' : 'good') : 'bad'}>{e.enabled ? (e.failingSince ? 'failing' : 'enabled') : `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}`}</Badge>
                    </td>
                    <td>
                      <Time value={e.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      {creating && (
        <NewEndpointDialog
          onClose={() => setCreating(false)}
          onCreated={(e) => {
            setCreating(false);
            endpoints.reload();
            setSecret(e.secret ?? null);
          }}
        />
      )}
      {secret !== null && <SecretOnce secret={secret} title="Your new endpoint’s signing secret" onClose={() => setSecret(null)} />}
    </section>
  );
}

export function WebhookDetail({ endpointId }: { endpointId: string }) {
  const { api, account, can } = useDashboard();
  const path = `/v1/accounts/${account.id}/webhook-endpoints/${encodeURIComponent(endpointId)}`;
  const endpoint = useLoad(() => api.get<Endpoint>(path), [api, path]);
  const deliveries = useLoad(() => api.get<List<Delivery>>(`${path}/deliveries${qs({ limit: 20 })}`), [api, path]);
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const manage = can('webhook_endpoints.manage');
  const act = (work: Promise<unknown>) => work.then(endpoint.reload, setError);
  return (
    <section aria-labelledby="wed-title">
      <p className="breadcrumb">
        <Link to="/webhooks">Webhook endpoints</Link> → {endpointId}
      </p>
      <ErrorMessage error={error} />
      <Async loaded={endpoint} what="the endpoint">
        {(e) => (
          <>
            <div className="title-row">
              <h1 id="wed-title" className="mono">
                {e.url}
              </h1>
              <Badge tone={e.enabled ? 'good' : 'bad'}>{e.status}</Badge>
            </div>
            <dl className="details">
              <dt>Id</dt>
              <dd className="mono">{e.id}</dd>
              <dt>Events</dt>
              <dd>{e.eventTypes.join(', ')}</dd>
              <dt>Failing since</dt>
              <dd>
                <Time value={e.failingSince} />
              </dd>
              <dt>Previous secret valid until</dt>
              <dd>
                <Time value={e.previousSecretExpiresAt} />
              </dd>
            </dl>
            {manage && (
              <div className="actions left">
                <button type="button" className="secondary" onClick={() => act(api.patch(path, { enabled: !e.enabled }))}>
                  {e.enabled ? 'Disable' : 'Enable'}
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    api.post<Endpoint>(`${path}/rotate-secret`, {}).then((r) => {
                      setSecret(r.secret ?? null);
                      endpoint.reload();
                    }, setError)
                  }
                >
                  Rotate signing secret
                </button>
                <button type="button" className="danger" onClick={() => setDeleting(true)}>
                  Delete endpoint
                </button>
              </div>
            )}
          </>
        )}
      </Async>
      <h2>Recent deliveries</h2>
      <Async loaded={deliveries} what="deliveries">
        {(list) =>
          list.data.length === 0 ? (
            <p className="muted">Nothing sent to this endpoint yet.</p>
          ) : (
            <table>
              <caption className="sr-only">Deliveries</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Next attempt</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link to={`/events/${d.eventId}`}>{d.eventType}</Link>
                    </td>
                    <td>
                      <Badge tone={d.status === 'succeeded' ? 'good' : d.status === 'failed' ? 'bad' : 'warn'}>{d.status}</Badge>
                    </td>
                    <td>{d.attemptCount}</td>
                    <td>{d.lastResponseStatus ?? '—'}</td>
                    <td>
                      <Time value={d.nextAttemptAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      {secret !== null && <SecretOnce secret={secret} title="New signing secret" onClose={() => setSecret(null)} />}
      {deleting && (
        <ConfirmDialog
          title="Delete webhook endpoint"
          confirm="Delete"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.delete(path);
            window.history.back();
          }}
        >
          <p>Delete this endpoint? Tessera stops sending it events at once.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

export function EventsPage() {
  const { api, account, environment } = useDashboard();
  const [type, setType] = useState('');
  const [applied, setApplied] = useState('');
  const events = useLoad(() => api.get<{ data: TesseraEvent[]; nextCursor: string | null }>(`/v1/accounts/${account.id}/events${qs({ type: applied, limit: 50 })}`), [api, account.id, applied]);
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(type);
        }}
      >
        <Field id="ev-type" label="Event type">
          <input id="ev-type" value={type} onChange={(e) => setType(e.target.value)} placeholder="e.g. key.* or payment.succeeded" />
        </Field>
        <div className="filter-actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      <Async loaded={events} what="events">
        {(page) =>
          page.data.length === 0 ? (
            <Empty title={`No ${environment} event${applied ? ` of type ${applied}` : ''}`}>
              <p>Events are recorded when keys change, payments succeed or checkouts complete.</p>
            </Empty>
          ) : (
            <table>
              <caption className="sr-only">Events</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Id</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((e) => (
                  <tr key={e.id}>
                    <td className="mono">{e.type}</td>
                    <td className="mono">
                      <Link to={`/events/${e.id}`}>{e.id}</Link>
                    </td>
                    <td>
                      <Time value={e.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </section>
  );
}

export function EventDetail({ eventId }: { eventId: string }) {
  const { api, account } = useDashboard();
  const event = useLoad(() => api.get<TesseraEvent>(`/v1/accounts/${account.id}/events/${encodeURIComponent(eventId)}`), [api, account.id, eventId]);
  return (
    <section aria-labelledby="evd-title">
      <p className="breadcrumb">
        <Link to="/events">Events</Link> → {eventId}
      </p>
      <Async loaded={event} what="the event">
        {(e) => (
          <>
            <h1 id="evd-title" className="mono">
              {e.type}
            </h1>
            <p>
              <Time value={e.createdAt} />
            </p>
            <pre className="json">{JSON.stringify(e.data, null, 2)}</pre>
          </>
        )}
      </Async>
    </section>
  );
}
