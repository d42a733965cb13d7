import type { IncomingMessage } from 'node:http';
import type { Environment } from '../domain/environment.js';

const PINNED = Symbol('tessera.environment');

interface PinnedMessage extends IncomingMessage {
  [PINNED]?: Environment;
}

/**
 * `/sandbox/...` and `/live/...` pin a request to an environment and route as
 * the same path without the prefix (OneKey: same paths, one host per
 * environment, here as a path for single-host deployments).
 */
export function rewriteEnvironmentPrefix(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  if (url.startsWith('/sandbox/')) {
    (raw as PinnedMessage)[PINNED] = 'sandbox';
    return url.slice('/sandbox'.length);
  }
  if (url.startsWith('/live/')) {
    (raw as PinnedMessage)[PINNED] = 'live';
    return url.slice('/live'.length);
  }
  return url;
}

/** The environment a request is pinned to by its host or path prefix; null when the credential decides. */
export function requestEnvironmentResolver(sandboxHosts: readonly string[], liveHosts: readonly string[]): (raw: IncomingMessage) => Environment | null {
  const byHost = new Map<string, Environment>([...sandboxHosts.map((h) => [h, 'sandbox'] as const), ...liveHosts.map((h) => [h, 'live'] as const)]);
  return (raw) => {
    const pinned = (raw as PinnedMessage)[PINNED];
    if (pinned !== undefined) return pinned;
    if (byHost.size === 0) return null;
    const host = raw.headers.host;
    if (host === undefined) return null;
    const colon = host.lastIndexOf(':');
    const name = (colon > host.lastIndexOf(']') ? host.slice(0, colon) : host).toLowerCase();
    return byHost.get(name) ?? null;
  };
}
