import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { formatMoney } from '../../src/domain/money.js';
import { ApiError } from './api';

// --- routing: History API under /dashboard ----------------------------------------------------

const ROOT = '/dashboard';

export function currentPath(): string {
  const path = window.location.pathname.startsWith(ROOT) ? window.location.pathname.slice(ROOT.length) : '/';
  return path === '' ? '/' : path;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string, replace = false): void {
  const url = ROOT + path;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return path;
}

export function Link({ to, children, className, ariaCurrent }: { to: string; children: ReactNode; className?: string; ariaCurrent?: boolean }) {
  return (
    <a
      href={ROOT + to}
      className={className}
      aria-current={ariaCurrent ? 'page' : undefined}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

// --- data loading -------------------------------------------------------------------------------

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** What to tell the user about a failure: the API's own message says what is wrong and how to fix it. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return `${error.body.message}`;
    return error.body.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong. Reload the page and try again.';
}

export function ErrorMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  if (error === undefined || error === null) return null;
  const requestId = error instanceof ApiError ? error.body.request_id : '';
  return (
    <div className="error" role="alert">
      <p>{errorText(error)}</p>
      {requestId !== '' && <p className="muted small">Request id {requestId}</p>}
      {retry && (
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** Loading, error, or the content: the three states every page has. */
export function Async<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => ReactNode }) {
  if (loaded.error !== undefined) return <ErrorMessage error={loaded.error} retry={loaded.reload} />;
  if (loaded.data === undefined) return <Loading what={what} />;
  return <>{children(loaded.data)}</>;
}

// --- dialogs: native <dialog>, modal, focus kept inside and given back on close -----------------

export function Dialog({ title, onClose, children, labelledBy = 'dialog-title', wide }: { title: string; onClose: () => void; children: ReactNode; labelledBy?: string; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'wide' : undefined}
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={labelledBy}>{title}</h2>
      {children}
    </dialog>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      aria-label={label}
      onClick={() => {
        navigator.clipboard?.writeText(value).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

export function Time({ value }: { value: string | null | undefined }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={date.toISOString()}>
      {date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}

export function Badge({ tone, children }: { tone: 'good' | 'bad' | 'warn' | 'neutral'; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** `USD 12,345.67`: the hosted checkout page's own formatting (integer minor units, each currency's exponent). */
export function money(amount: number, currency: string): string {
  return formatMoney({ amount, currency });
}

export function Field({ label, hint, children, id }: { label: string; hint?: string; children: ReactNode; id: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** The buttons under every dialog form: cancel, and the submit that says what it does. */
export function FormActions({ onCancel, submitLabel, busy, disabled }: { onCancel: () => void; submitLabel: string; busy: boolean; disabled?: boolean }) {
  return (
    <div className="actions">
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" disabled={busy || disabled === true}>
        {submitLabel}
      </button>
    </div>
  );
}

/** The one button under a dialog that only shows something (a secret, a link). */
export function CloseAction({ onClose, label }: { onClose: () => void; label: string }) {
  return (
    <div className="actions">
      <button type="button" onClick={onClose}>
        {label}
      </button>
    </div>
  );
}

/**
 * A form's submit: busy while the work runs (so a double click sends one request), the last
 * error kept for <ErrorMessage>, cleared on the next try.
 */
export function useSubmit(work: () => Promise<void>): { busy: boolean; error: unknown; setError: (e: unknown) => void; submit: (event?: FormEvent) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    work()
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return { busy, error, setError, submit };
}
