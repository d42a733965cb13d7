import { useState } from 'react';
import type { Account, List } from '../api';
import { Async, Dialog, Empty, ErrorMessage, Field, Time, useLoad, FormActions, useSubmit } from '../components';
import { useDashboard } from '../context';

function NewAccountDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (a: Account) => void }) {
  const { api, membership } = useDashboard();
  const operator = membership.account.type === 'operator';
  const [name, setName] = useState('');
  const [type, setType] = useState<'merchant' | 'partner'>('merchant');
  const { busy, error, submit } = useSubmit(async () => onCreated(await api.post<Account>('/v1/accounts', { type: operator ? type : 'merchant', name: name.trim() })));
  return (
    <Dialog title={operator ? 'New account' : 'New sub-merchant'} onClose={onClose} labelledBy="new-account-title">
      <form onSubmit={submit}>
        <Field id="account-name" label="Name">
          <input id="account-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        {operator && (
          <fieldset>
            <legend>Type</legend>
            <label className="choice">
              <input type="radio" name="type" checked={type === 'merchant'} onChange={() => setType('merchant')} /> Merchant
            </label>
            <label className="choice">
              <input type="radio" name="type" checked={type === 'partner'} onChange={() => setType('partner')} /> Partner
            </label>
          </fieldset>
        )}
        <ErrorMessage error={error} />
        <FormActions onCancel={onClose} busy={busy} submitLabel="Create" />
      </form>
    </Dialog>
  );
}

/** A partner's sub-merchants (the operator: every account), each one's keys one click away. */
export function AccountsPage() {
  const { api, membership, can, view, accountsChanged } = useDashboard();
  const accounts = useLoad(() => api.get<List<Account>>('/v1/accounts'), [api]);
  const [creating, setCreating] = useState(false);
  const operator = membership.account.type === 'operator';
  return (
    <section aria-labelledby="accounts-title">
      <div className="title-row">
        <h1 id="accounts-title">{operator ? 'Accounts' : 'Sub-merchants'}</h1>
        {can('accounts.create') && (
          <button type="button" onClick={() => setCreating(true)}>
            {operator ? 'New account' : 'New sub-merchant'}
          </button>
        )}
      </div>
      <Async loaded={accounts} what="accounts">
        {(list) => {
          const others = list.data.filter((a) => a.id !== membership.accountId);
          return others.length === 0 ? (
            <Empty title={operator ? 'No partner or merchant yet' : 'No sub-merchant yet'}>
              <p>{can('accounts.create') ? 'Create one: you then manage its API keys from here.' : 'An owner of this account can create one.'}</p>
            </Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Id</th>
                    <th scope="col">Live</th>
                    <th scope="col">Created</th>
                    <th scope="col">Manage</th>
                  </tr>
                </thead>
                <tbody>
                  {others.map((a) => (
                    <tr key={a.id}>
                      <td>{a.name}</td>
                      <td>{a.type}</td>
                      <td className="mono">{a.id}</td>
                      <td>{a.liveEnabled ? 'Open' : 'Not open yet'}</td>
                      <td>
                        <Time value={a.createdAt} />
                      </td>
                      <td>
                        <button type="button" className="secondary" onClick={() => view(a)} aria-label={`Manage keys of ${a.name}`}>
                          Manage keys
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Async>
      {creating && (
        <NewAccountDialog
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            accounts.reload();
            accountsChanged();
          }}
        />
      )}
    </section>
  );
}
