import { useState, type FormEvent } from 'react';
import { qs } from '../api';
import { Async, Empty, Field, Time, useLoad } from '../components';
import { useDashboard } from '../context';

interface AuditEvent {
  id: string;
  action: string;
  actor: { type: string; id: string };
  credentialId: string | null;
  target: { type: string; id: string };
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

interface Filters {
  action: string;
  actorId: string;
  keyId: string;
  from: string;
  to: string;
}

const ACTIONS = ['key.created', 'key.updated', 'key.enabled', 'key.disabled', 'key.rolled', 'key.deleted', 'key.exposed', 'account.created', 'account.updated', 'account.live_opened', 'member.invited', 'member.joined', 'member.role_changed', 'member.removed', 'member.invitation_revoked', 'webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.deleted', 'webhook_endpoint.secret_rotated'];

function initialFilters(): Filters {
  const search = new URLSearchParams(window.location.search);
  return { action: search.get('action') ?? '', actorId: search.get('actorId') ?? '', keyId: search.get('keyId') ?? '', from: '', to: '' };
}

export function AuditPage() {
  const { api, account, environment } = useDashboard();
  const [draft, setDraft] = useState<Filters>(initialFilters);
  const [filters, setFilters] = useState<Filters>(draft);
  const [pages, setPages] = useState<string[]>([]);
  const [older, setOlder] = useState<AuditEvent[]>([]);
  const query = (before?: string) =>
    qs({
      action: filters.action,
      actorId: filters.actorId,
      keyId: filters.keyId,
      from: filters.from === '' ? undefined : new Date(filters.from).toISOString(),
      to: filters.to === '' ? undefined : new Date(filters.to).toISOString(),
      limit: 50,
      before,
    });
  const events = useLoad(() => api.get<{ data: AuditEvent[]; nextCursor: string | null }>(`/v1/accounts/${account.id}/audit-events${query()}`), [api, account.id, filters]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const cursor = next === undefined ? events.data?.nextCursor ?? null : next;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOlder([]);
    setNext(undefined);
    setPages([]);
    setFilters(draft);
  };
  const loadOlder = async () => {
    if (cursor === null) return;
    const page = await api.get<{ data: AuditEvent[]; nextCursor: string | null }>(`/v1/accounts/${account.id}/audit-events${query(cursor)}`);
    setOlder([...older, ...page.data]);
    setPages([...pages, cursor]);
    setNext(page.nextCursor);
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <p className="muted">Who did what in {environment} for {account.name}, when, from where. Append-only: nothing here can be changed or removed.</p>
      <form className="filters" onSubmit={submit} aria-label="Filter the audit log">
        <Field id="f-action" label="Action">
          <input id="f-action" list="audit-actions" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} placeholder="any" />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </Field>
        <Field id="f-actor" label="Actor id">
          <input id="f-actor" value={draft.actorId} onChange={(e) => setDraft({ ...draft, actorId: e.target.value })} placeholder="usr_… or key_…" />
        </Field>
        <Field id="f-key" label="Key id">
          <input id="f-key" value={draft.keyId} onChange={(e) => setDraft({ ...draft, keyId: e.target.value })} placeholder="key_…" />
        </Field>
        <Field id="f-from" label="From">
          <input id="f-from" type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </Field>
        <Field id="f-to" label="To">
          <input id="f-to" type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </Field>
        <div className="filter-actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              const empty = { action: '', actorId: '', keyId: '', from: '', to: '' };
              setDraft(empty);
              setOlder([]);
              setNext(undefined);
              setFilters(empty);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <Async loaded={events} what="the audit log">
        {(page) => {
          const all = [...page.data, ...older];
          return all.length === 0 ? (
            <Empty title="No audit events match">
              <p>Changes to keys, members, webhook endpoints and the account appear here. Try other filters, or clear them.</p>
            </Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Audit events</caption>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Action</th>
                      <th scope="col">Actor</th>
                      <th scope="col">Target</th>
                      <th scope="col">From</th>
                      <th scope="col">Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    {all.map((e) => (
                      <tr key={e.id}>
                        <td>
                          <Time value={e.createdAt} />
                        </td>
                        <td className="mono">{e.action}</td>
                        <td>
                          <span className="muted small">{e.actor.type}</span> <span className="mono">{e.actor.id}</span>
                        </td>
                        <td>
                          <span className="muted small">{e.target.type}</span> <span className="mono">{e.target.id}</span>
                        </td>
                        <td>{e.ip ?? <span className="muted">—</span>}</td>
                        <td className="mono small">{JSON.stringify(e.details)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {cursor !== null && (
                <button type="button" className="secondary" onClick={() => void loadOlder()}>
                  Load older events
                </button>
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}
