import { useState } from 'react';
import { sessionApi, type List, type Role } from '../api';
import { Async, CopyButton, Dialog, Empty, ErrorMessage, Field, Time, useLoad, FormActions, CloseAction, useSubmit } from '../components';
import { useDashboard } from '../context';
import { ConfirmDialog } from './keys';

interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}

interface Invitation {
  id: string;
  email: string | null;
  role: Role;
  createdAt: string;
  expiresAt: string;
  url?: string;
}

const ROLES: { role: Role; label: string }[] = [
  { role: 'owner', label: 'Owner: everything, members included' },
  { role: 'developer', label: 'Developer: manage keys and webhook endpoints' },
  { role: 'viewer', label: 'Viewer: read only' },
];

function InviteDialog({ onClose, onInvited }: { onClose: () => void; onInvited: (i: Invitation) => void }) {
  const { api, account } = useDashboard();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const [issued, setIssued] = useState<Invitation | null>(null);
  const { busy, error, submit } = useSubmit(async () => {
    const invitation = await api.post<Invitation>(`/v1/accounts/${account.id}/invitations`, { email, role });
    setIssued(invitation);
    onInvited(invitation);
  });
  return (
    <Dialog title={issued ? 'Invitation link' : 'Invite a member'} onClose={onClose} labelledBy="invite-title">
      {issued ? (
        <>
          <div className="warning" role="alert">
            <strong>Send this link to {issued.email}. It is shown only now</strong>, works once, and expires <Time value={issued.expiresAt} />.
          </div>
          <div className="field">
            <label htmlFor="invite-link">Invitation link</label>
            <div className="copy-row">
              <input id="invite-link" className="mono" readOnly value={issued.url ?? ''} onFocus={(e) => e.target.select()} />
              <CopyButton value={issued.url ?? ''} label="Copy invitation link" />
            </div>
          </div>
          <CloseAction onClose={onClose} label="Done" />
        </>
      ) : (
        <form onSubmit={submit}>
          <Field id="invite-email" label="Email">
            <input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          </Field>
          <Field id="invite-role" label="Role">
            <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r.role} value={r.role}>
                  {r.label}
                </option>
              ))}
            </select>
          </Field>
          <ErrorMessage error={error} />
          <FormActions onCancel={onClose} busy={busy} submitLabel="Create invitation link" />
        </form>
      )}
    </Dialog>
  );
}

export function MembersPage() {
  const { api, account, can, session } = useDashboard();
  const members = useLoad(() => api.get<List<Member>>(`/v1/accounts/${account.id}/members`), [api, account.id]);
  const invitations = useLoad(() => api.get<List<Invitation>>(`/v1/accounts/${account.id}/invitations`), [api, account.id]);
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const manage = can('members.manage');
  const changeRole = async (member: Member, role: Role) => {
    setError(undefined);
    try {
      await api.patch(`/v1/accounts/${account.id}/members/${member.userId}`, { role });
      members.reload();
    } catch (e) {
      setError(e);
      members.reload();
    }
  };
  return (
    <section aria-labelledby="members-title">
      <div className="title-row">
        <h1 id="members-title">Members</h1>
        {manage && (
          <button type="button" onClick={() => setInviting(true)}>
            Invite a member
          </button>
        )}
      </div>
      <p className="muted">Who may sign in to the dashboard for {account.name}, and with which role. Roles apply in sandbox and live alike.</p>
      <ErrorMessage error={error} />
      <Async loaded={members} what="members">
        {(list) =>
          list.data.length === 0 ? (
            <Empty title="No members yet" />
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Members</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Joined</th>
                    {manage && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((m) => (
                    <tr key={m.userId}>
                      <td>
                        {m.name}
                        {m.userId === session.user.id && <span className="muted"> (you)</span>}
                      </td>
                      <td>{m.email}</td>
                      <td>
                        {manage ? (
                          <select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => void changeRole(m, e.target.value as Role)}>
                            {ROLES.map((r) => (
                              <option key={r.role} value={r.role}>
                                {r.role}
                              </option>
                            ))}
                          </select>
                        ) : (
                          m.role
                        )}
                      </td>
                      <td>
                        <Time value={m.joinedAt} />
                      </td>
                      {manage && (
                        <td>
                          <button type="button" className="secondary" onClick={() => setRemoving(m)} aria-label={`Remove ${m.email}`}>
                            Remove
                          </button>
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
      <h2>Pending invitations</h2>
      <Async loaded={invitations} what="invitations">
        {(list) =>
          list.data.length === 0 ? (
            <p className="muted">No pending invitation.</p>
          ) : (
            <ul className="plain">
              {list.data.map((i) => (
                <li key={i.id}>
                  {i.email ?? 'Anyone with the link'} as {i.role}, expires <Time value={i.expiresAt} />{' '}
                  {manage && (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Withdraw the invitation of ${i.email ?? 'the first owner'}`}
                      onClick={() => api.delete(`/v1/accounts/${account.id}/invitations/${i.id}`).then(invitations.reload, setError)}
                    >
                      Withdraw
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      {inviting && <InviteDialog onClose={() => setInviting(false)} onInvited={() => invitations.reload()} />}
      {removing !== null && (
        <ConfirmDialog
          title="Remove member"
          confirm="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.delete(`/v1/accounts/${account.id}/members/${removing.userId}`);
            members.reload();
          }}
        >
          <p>
            Remove <strong>{removing.email}</strong> from {account.name}? Their next request for this account is refused.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

export function SessionsPage() {
  const { session } = useDashboard();
  const sessions = useLoad(() => sessionApi.sessions(), []);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Your sessions</h1>
      <p className="muted">Every browser signed in as {session.user.email}. Sign out any you don’t recognise: it stops working at its next request.</p>
      <ErrorMessage error={error} />
      <Async loaded={sessions} what="sessions">
        {(list) => (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Sessions</caption>
              <thead>
                <tr>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last active</th>
                  <th scope="col">Expires</th>
                  <th scope="col">From</th>
                  <th scope="col">Browser</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Time value={s.createdAt} />
                      {s.current && <strong> (this browser)</strong>}
                    </td>
                    <td>
                      <Time value={s.lastSeenAt} />
                    </td>
                    <td>
                      <Time value={s.expiresAt} />
                    </td>
                    <td>{s.ip}</td>
                    <td className="small">{s.userAgent}</td>
                    <td>
                      {!s.current && (
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Sign out the session from ${s.ip ?? 'an unknown address'} (${s.userAgent ?? 'unknown browser'})`}
                          onClick={() => sessionApi.revokeSession(session.csrfToken, s.id).then(sessions.reload, setError)}
                        >
                          Sign out
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </section>
  );
}

