import { useState } from 'react';
import { qs, type List } from '../api';
import { Async, Badge, CopyButton, Dialog, Empty, ErrorMessage, Field, Link, Time, useLoad, FormActions, CloseAction, useSubmit } from '../components';
import { useDashboard } from '../context';

export interface Key {
  id: string;
  name: string;
  kind: 'secret' | 'restricted' | 'publishable' | 'client';
  environment: string;
  redactedSecret: string;
  permissions: string[];
  enabled: boolean;
  status: 'active' | 'disabled' | 'expired' | 'deleted';
  rateLimit: { requests: number; windowSeconds: number } | null;
  allowedIps: string[];
  signing: { scheme: string; algorithm: string } | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

interface Issued extends Key {
  secret?: string;
  hmacKey?: string;
  clientId?: string;
  clientSecret?: string;
}

interface Operation {
  name: string;
  category: string;
  description: string;
}

const KIND_LABELS: Record<Key['kind'], string> = { secret: 'Secret', restricted: 'Restricted', publishable: 'Publishable', client: 'Client credentials (OAuth)' };

const GRACE: { seconds: number; label: string }[] = [
  { seconds: 0, label: 'None: the old secret stops working now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
];

function statusBadge(status: Key['status']) {
  const tone = status === 'active' ? 'good' : status === 'disabled' ? 'warn' : 'bad';
  return <Badge tone={tone}>{status}</Badge>;
}

function signingText(key: Key): string {
  if (key.signing === null) return 'None';
  return `${key.signing.algorithm === 'ed25519' ? 'Ed25519' : 'HMAC'} (${key.signing.scheme === 'payload-signature' ? 'Payload-Signature' : 'RFC 9421'})`;
}

/** The secrets of a new or rolled key, shown this once. */
export function SecretDialog({ issued, title, onClose }: { issued: Issued & { previousSecretExpiresAt?: string }; title: string; onClose: () => void }) {
  const rows: { label: string; value: string }[] = [];
  if (issued.clientId) rows.push({ label: 'Client ID', value: issued.clientId });
  if (issued.clientSecret) rows.push({ label: 'Client Secret', value: issued.clientSecret });
  if (issued.secret) rows.push({ label: 'Secret key', value: issued.secret });
  if (issued.hmacKey) rows.push({ label: 'Signing secret', value: issued.hmacKey });
  return (
    <Dialog title={title} onClose={onClose} labelledBy="secret-title" wide>
      <div className="warning" role="alert">
        <strong>Copy {rows.length > 1 ? 'these secrets' : 'this secret'} now: {rows.length > 1 ? 'they' : 'it'} will not be shown again.</strong> Store {rows.length > 1 ? 'them' : 'it'} in a password manager or your server’s secret store.
        If {rows.length > 1 ? 'one is' : 'it is'} lost, roll the key or create a new one.
      </div>
      {rows.map((row, i) => (
        <div className="field" key={row.label}>
          <label htmlFor={`shown-secret-${i}`}>{row.label}</label>
          <div className="copy-row">
            <input id={`shown-secret-${i}`} className="mono" readOnly value={row.value} onFocus={(e) => e.target.select()} />
            <CopyButton value={row.value} label={`Copy ${row.label}`} />
          </div>
        </div>
      ))}
      {issued.previousSecretExpiresAt && (
        <p>
          The previous secret works until <Time value={issued.previousSecretExpiresAt} />.
        </p>
      )}
      <CloseAction onClose={onClose} label="I have stored it, close" />
    </Dialog>
  );
}

function NewKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (issued: Issued) => void }) {
  const { api, account, membership } = useDashboard();
  const operations = useLoad(() => api.get<List<Operation>>('/v1/operations'), [api]);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Key['kind']>('restricted');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [signing, setSigning] = useState<'none' | 'hmac' | 'ed25519'>('none');
  const [publicKey, setPublicKey] = useState('');
  const [scheme, setScheme] = useState('http-message-signatures');
  const [ips, setIps] = useState('');
  const [expires, setExpires] = useState('');
  const [rateRequests, setRateRequests] = useState('');
  const [rateWindow, setRateWindow] = useState('60');
  const takesPermissions = kind === 'restricted' || kind === 'client';
  const signs = kind === 'secret' || kind === 'restricted';
  const grantable = (operations.data?.data ?? []).filter((op) => op.category !== 'membership' && (op.category !== 'operator' || account.type === 'operator' || membership.account.type === 'operator'));

  const { busy, error, submit } = useSubmit(async () => {
    const allowedIps = ips
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const issued = await api.post<Issued>(`/v1/accounts/${account.id}/keys`, {
      kind,
      ...(name.trim() !== '' && { name: name.trim() }),
      ...(takesPermissions && { permissions }),
      ...(signs && signing === 'hmac' && { generateHMAC: true, signatureScheme: scheme }),
      ...(signs && signing === 'ed25519' && { signingPublicKey: publicKey.trim() }),
      ...(allowedIps.length > 0 && { allowedIps }),
      ...(expires !== '' && { expiresAt: new Date(expires).toISOString() }),
      ...(rateRequests !== '' && { rateLimit: { requests: Number(rateRequests), windowSeconds: Number(rateWindow) } }),
    });
    onCreated(issued);
  });

  return (
    <Dialog title="New API Key" onClose={onClose} labelledBy="new-key-title" wide>
      <form onSubmit={submit}>
        <Field id="key-name" label="Name" hint="A friendly name that says where the key is used, e.g. “Checkout server”.">
          <input id="key-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <fieldset>
          <legend>Kind</legend>
          {(Object.keys(KIND_LABELS) as Key['kind'][]).map((k) => (
            <label key={k} className="choice">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {KIND_LABELS[k]}
            </label>
          ))}
        </fieldset>
        {takesPermissions && (
          <fieldset className="permissions">
            <legend>Permissions</legend>
            <p className="hint">Only these operations, forever: permissions can’t be changed later.</p>
            {operations.error !== undefined && <ErrorMessage error={operations.error} retry={operations.reload} />}
            <div className="grid">
              {grantable.map((op) => (
                <label key={op.name} className="choice" title={op.description}>
                  <input
                    type="checkbox"
                    name="permission"
                    value={op.name}
                    checked={permissions.includes(op.name)}
                    onChange={(e) => setPermissions(e.target.checked ? [...permissions, op.name] : permissions.filter((p) => p !== op.name))}
                  />{' '}
                  {op.name}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {signs && (
          <fieldset>
            <legend>Request signing</legend>
            <label className="choice">
              <input type="radio" name="signing" checked={signing === 'none'} onChange={() => setSigning('none')} /> None
            </label>
            <label className="choice">
              <input type="radio" name="signing" checked={signing === 'hmac'} onChange={() => setSigning('hmac')} /> HMAC: Tessera generates a signing secret
            </label>
            <label className="choice">
              <input type="radio" name="signing" checked={signing === 'ed25519'} onChange={() => setSigning('ed25519')} /> Ed25519: paste your public key
            </label>
            {signing === 'hmac' && (
              <Field id="key-scheme" label="Signature scheme">
                <select id="key-scheme" value={scheme} onChange={(e) => setScheme(e.target.value)}>
                  <option value="http-message-signatures">RFC 9421 HTTP Message Signatures (replay-proof)</option>
                  <option value="payload-signature">Payload-Signature (OneKey compatible, replayable)</option>
                </select>
              </Field>
            )}
            {signing === 'ed25519' && (
              <Field id="key-public" label="Ed25519 public key (PEM)">
                <textarea id="key-public" className="mono" rows={4} required value={publicKey} onChange={(e) => setPublicKey(e.target.value)} placeholder="-----BEGIN PUBLIC KEY-----" />
              </Field>
            )}
          </fieldset>
        )}
        <Field id="key-ips" label="IP allowlist (optional)" hint="Addresses or CIDR ranges, one per line (203.0.113.0/24, 2001:db8::/32). Empty: from anywhere.">
          <textarea id="key-ips" className="mono" rows={2} value={ips} onChange={(e) => setIps(e.target.value)} />
        </Field>
        <div className="row">
          <Field id="key-expires" label="Expires (optional)">
            <input id="key-expires" type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </Field>
          <Field id="key-rate" label="Rate limit: requests (optional)">
            <input id="key-rate" type="number" min={1} value={rateRequests} onChange={(e) => setRateRequests(e.target.value)} />
          </Field>
          <Field id="key-window" label="per seconds">
            <input id="key-window" type="number" min={1} value={rateWindow} onChange={(e) => setRateWindow(e.target.value)} />
          </Field>
        </div>
        <ErrorMessage error={error} />
        <FormActions onCancel={onClose} busy={busy} submitLabel={busy ? 'Generating…' : 'Generate Key'} />
      </form>
    </Dialog>
  );
}

function RollDialog({ keyToRoll, onClose, onRolled }: { keyToRoll: Key; onClose: () => void; onRolled: (issued: Issued & { previousSecretExpiresAt: string }) => void }) {
  const { api, account } = useDashboard();
  const [grace, setGrace] = useState(0);
  const { busy, error, submit } = useSubmit(async () => onRolled(await api.post(`/v1/accounts/${account.id}/keys/${keyToRoll.id}/roll`, { gracePeriodSeconds: grace })));
  return (
    <Dialog title={`Roll ${keyToRoll.name}`} onClose={onClose} labelledBy="roll-title">
      <form onSubmit={submit}>
        <p>A new secret replaces the current one. Choose how long the current secret keeps working, to give your servers time to switch.</p>
        <Field id="roll-grace" label="Grace period for the old secret">
          <select id="roll-grace" value={grace} onChange={(e) => setGrace(Number(e.target.value))} autoFocus>
            {GRACE.map((g) => (
              <option key={g.seconds} value={g.seconds}>
                {g.label}
              </option>
            ))}
          </select>
        </Field>
        <ErrorMessage error={error} />
        <FormActions onCancel={onClose} busy={busy} submitLabel="Roll key" />
      </form>
    </Dialog>
  );
}

export function ConfirmDialog({ title, children, confirm, danger = true, onConfirm, onClose }: { title: string; children: React.ReactNode; confirm: string; danger?: boolean; onConfirm: () => Promise<unknown>; onClose: () => void }) {
  const { busy, error, submit } = useSubmit(async () => {
    await onConfirm();
    onClose();
  });
  return (
    <Dialog title={title} onClose={onClose} labelledBy="confirm-title">
      {children}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" className="secondary" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : undefined}
          disabled={busy}
          onClick={() => submit()}
        >
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

function TrashIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M6 2h4l1 1h3v2H2V3h3l1-1zm-2 4h8l-.7 8H4.7L4 6z" fill="currentColor" />
    </svg>
  );
}

type Modal = { type: 'new' } | { type: 'secret'; issued: Issued; title: string } | { type: 'roll'; key: Key } | { type: 'delete'; key: Key } | null;

export function KeysPage() {
  const { api, account, environment, can } = useDashboard();
  const keys = useLoad(() => api.get<List<Key>>(`/v1/accounts/${account.id}/keys`), [api, account.id]);
  const [modal, setModal] = useState<Modal>(null);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const setEnabled = async (key: Key, enabled: boolean) => {
    setActionError(undefined);
    try {
      await api.patch(`/v1/accounts/${account.id}/keys/${key.id}`, { enabled });
      keys.reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const mutable = (key: Key) => key.status !== 'deleted';
  return (
    <section aria-labelledby="keys-title">
      <p className="breadcrumb">Settings → API Keys</p>
      <div className="title-row">
        <h1 id="keys-title">API Keys</h1>
        {can('keys.create') && (
          <button type="button" onClick={() => setModal({ type: 'new' })}>
            New API Key
          </button>
        )}
      </div>
      <p className="muted">
        {environment === 'live' ? 'Live' : 'Sandbox'} keys of {account.name}. Secrets are shown once, when a key is created or rolled; only their first and last characters are kept.
      </p>
      <ErrorMessage error={actionError} />
      <Async loaded={keys} what="API keys">
        {(list) =>
          list.data.length === 0 ? (
            <Empty title={`No ${environment} API keys yet`}>
              <p>{can('keys.create') ? 'Create one with New API Key: choose its kind, its permissions and how it signs requests.' : 'An owner or developer of this account can create one.'}</p>
            </Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Key</th>
                    <th scope="col">Permissions</th>
                    <th scope="col">Signing</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    {(can('keys.update') || can('keys.roll') || can('keys.delete')) && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((key) => (
                    <tr key={key.id} data-key-id={key.id}>
                      <td>
                        <Link to={`/keys/${key.id}`}>{key.name}</Link>
                      </td>
                      <td>{KIND_LABELS[key.kind]}</td>
                      <td className="mono">{key.kind === 'client' ? key.id : key.redactedSecret}</td>
                      <td>{key.kind === 'restricted' || key.kind === 'client' ? key.permissions.join(', ') : <span className="muted">all of its kind</span>}</td>
                      <td>{signingText(key)}</td>
                      <td>{statusBadge(key.status)}</td>
                      <td>
                        <Time value={key.createdAt} />
                      </td>
                      <td>
                        {key.lastUsedAt === null ? (
                          <span className="muted">Never</span>
                        ) : (
                          <>
                            <Time value={key.lastUsedAt} />
                            <br />
                            <span className="muted small">{key.lastUsedIp}</span>
                          </>
                        )}
                      </td>
                      <td>
                        <Time value={key.expiresAt} />
                      </td>
                      {(can('keys.update') || can('keys.roll') || can('keys.delete')) && (
                        <td className="row-actions">
                          {can('keys.update') && mutable(key) && (
                            <button type="button" className="secondary" onClick={() => setEnabled(key, !key.enabled)} aria-label={`${key.enabled ? 'Disable' : 'Enable'} ${key.name}`}>
                              {key.enabled ? 'Disable' : 'Enable'}
                            </button>
                          )}
                          {can('keys.roll') && mutable(key) && key.kind !== 'publishable' && (
                            <button type="button" className="secondary" onClick={() => setModal({ type: 'roll', key })} aria-label={`Roll ${key.name}`}>
                              Roll
                            </button>
                          )}
                          {can('keys.delete') && mutable(key) && (
                            <button type="button" className="icon danger-outline" onClick={() => setModal({ type: 'delete', key })} aria-label={`Delete ${key.name}`} title="Delete">
                              <TrashIcon />
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      {modal?.type === 'new' && (
        <NewKeyDialog
          onClose={() => setModal(null)}
          onCreated={(issued) => {
            keys.reload();
            setModal({ type: 'secret', issued, title: 'Your new API key' });
          }}
        />
      )}
      {modal?.type === 'secret' && <SecretDialog issued={modal.issued} title={modal.title} onClose={() => setModal(null)} />}
      {modal?.type === 'roll' && (
        <RollDialog
          keyToRoll={modal.key}
          onClose={() => setModal(null)}
          onRolled={(issued) => {
            keys.reload();
            setModal({ type: 'secret', issued, title: `New secret for ${modal.key.name}` });
          }}
        />
      )}
      {modal?.type === 'delete' && (
        <ConfirmDialog
          title="Remove API Key"
          confirm="Remove"
          onClose={() => setModal(null)}
          onConfirm={async () => {
            await api.delete(`/v1/accounts/${account.id}/keys/${modal.key.id}`);
            keys.reload();
          }}
        >
          <p>
            Remove <strong>{modal.key.name}</strong> ({modal.key.redactedSecret})? Everything using it stops working at once, access tokens obtained with it included. This can’t be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

interface Usage {
  hours: number;
  buckets: { hour: string; ok: number; '401': number; '403': number; '429': number }[];
  totals: { ok: number; '401': number; '403': number; '429': number };
}

const OUTCOMES = [
  { key: 'ok', label: 'OK', className: 'ok' },
  { key: '401', label: '401 Unauthorized', className: 'u401' },
  { key: '403', label: '403 Forbidden', className: 'u403' },
  { key: '429', label: '429 Rate limited', className: 'u429' },
] as const;

function UsageChart({ usage }: { usage: Usage }) {
  const width = 720;
  const height = 160;
  const max = Math.max(1, ...usage.buckets.map((b) => b.ok + b['401'] + b['403'] + b['429']));
  const slot = width / usage.buckets.length;
  const total = usage.totals.ok + usage.totals['401'] + usage.totals['403'] + usage.totals['429'];
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={`Requests per hour over the last ${usage.hours} hours: ${OUTCOMES.map((o) => `${usage.totals[o.key]} ${o.label}`).join(', ')}`}>
        {usage.buckets.map((b, i) => {
          let y = height;
          return (
            <g key={b.hour}>
              <title>{`${new Date(b.hour).toLocaleString(undefined, { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' })}: ${OUTCOMES.map((o) => `${b[o.key]} ${o.label}`).join(', ')}`}</title>
              {OUTCOMES.map((o) => {
                const h = (b[o.key] / max) * height;
                y -= h;
                return h > 0 ? <rect key={o.key} className={o.className} x={i * slot + 2} y={y} width={slot - 4} height={h} /> : null;
              })}
              {i % 6 === 0 && (
                <text x={i * slot + 2} y={height + 14} className="axis">
                  {new Date(b.hour).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
                </text>
              )}
            </g>
          );
        })}
        <line x1={0} x2={width} y1={height} y2={height} className="baseline" />
      </svg>
      <figcaption>
        <ul className="legend">
          {OUTCOMES.map((o) => (
            <li key={o.key}>
              <span className={`swatch ${o.className}`} aria-hidden="true" /> {o.label}: <strong data-outcome={o.key}>{usage.totals[o.key]}</strong>
            </li>
          ))}
        </ul>
        {total === 0 && <p className="muted">No request with this key in the last {usage.hours} hours.</p>}
        <p className="muted small">Counted in memory and saved every few seconds: the latest requests may take a moment to appear.</p>
      </figcaption>
    </figure>
  );
}

export function KeyDetailPage({ keyId }: { keyId: string }) {
  const { api, account } = useDashboard();
  const key = useLoad(() => api.get<Key>(`/v1/accounts/${account.id}/keys/${encodeURIComponent(keyId)}`), [api, account.id, keyId]);
  const usage = useLoad(() => api.get<Usage>(`/v1/accounts/${account.id}/keys/${encodeURIComponent(keyId)}/usage${qs({ hours: 24 })}`), [api, account.id, keyId]);
  return (
    <section aria-labelledby="key-title">
      <p className="breadcrumb">
        <Link to="/keys">API Keys</Link> → {keyId}
      </p>
      <Async loaded={key} what="the key">
        {(k) => (
          <>
            <div className="title-row">
              <h1 id="key-title">{k.name}</h1>
              {statusBadge(k.status)}
            </div>
            <dl className="details">
              <dt>Id</dt>
              <dd className="mono">{k.id}</dd>
              <dt>Kind</dt>
              <dd>{KIND_LABELS[k.kind]}</dd>
              <dt>Key</dt>
              <dd className="mono">{k.redactedSecret}</dd>
              <dt>Permissions</dt>
              <dd>{k.permissions.length === 0 ? 'All of its kind' : k.permissions.join(', ')}</dd>
              <dt>Signing</dt>
              <dd>{signingText(k)}</dd>
              <dt>IP allowlist</dt>
              <dd>{k.allowedIps.length === 0 ? 'Any address' : k.allowedIps.join(', ')}</dd>
              <dt>Rate limit</dt>
              <dd>{k.rateLimit === null ? 'None' : `${k.rateLimit.requests} per ${k.rateLimit.windowSeconds} s`}</dd>
              <dt>Created</dt>
              <dd>
                <Time value={k.createdAt} />
              </dd>
              <dt>Last used</dt>
              <dd>{k.lastUsedAt === null ? 'Never' : <><Time value={k.lastUsedAt} /> from {k.lastUsedIp}</>}</dd>
              <dt>Expires</dt>
              <dd>{k.expiresAt === null ? 'Never' : <Time value={k.expiresAt} />}</dd>
            </dl>
          </>
        )}
      </Async>
      <h2>Requests, last 24 hours</h2>
      <Async loaded={usage} what="usage">
        {(u) => <UsageChart usage={u} />}
      </Async>
      <p>
        <Link to={`/audit?keyId=${encodeURIComponent(keyId)}`}>Audit log of this key</Link>
      </p>
    </section>
  );
}
