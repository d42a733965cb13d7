import { isIP } from 'node:net';
import type { Environment } from './environment.js';
import { classifyAddress, type AddressClass } from './network-address.js';

/**
 * Which non-public targets a sandbox endpoint may reach (for development):
 * `loopback` (the default: http://localhost), `private` (also RFC 1918, CGNAT
 * and unique local addresses) or `public` (none: as strict as live). Live
 * endpoints reach public addresses only, over HTTPS. Link-local, metadata,
 * multicast, unspecified and reserved addresses are never reachable.
 */
export const SANDBOX_TARGETS = ['loopback', 'private', 'public'] as const;
export type SandboxTargets = (typeof SANDBOX_TARGETS)[number];

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface WebhookTarget {
  url: URL;
  /** The host to resolve, without IPv6 brackets. */
  hostname: string;
  /** Set when the URL names an IP address rather than a host name. */
  literal: boolean;
}

export type UrlCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The shape of an endpoint URL: http(s), a host, no user info, no fragment. */
export function parseWebhookUrl(text: string): UrlCheck<WebhookTarget> {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) return { ok: false, reason: `is longer than ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'is not an absolute URL (https://hooks.example.com/tessera)' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: `must use https (not ${url.protocol.replace(':', '')})` };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'must not carry a user name or password: authenticate deliveries by their signature' };
  if (url.hash !== '') return { ok: false, reason: 'must not have a #fragment' };
  if (url.hostname === '') return { ok: false, reason: 'has no host' };
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { ok: true, value: { url, hostname, literal: isIP(hostname) !== 0 } };
}

function allowedClasses(environment: Environment, sandboxTargets: SandboxTargets): ReadonlySet<AddressClass> {
  if (environment === 'live' || sandboxTargets === 'public') return new Set(['public']);
  return new Set<AddressClass>(sandboxTargets === 'private' ? ['public', 'loopback', 'private'] : ['public', 'loopback']);
}

const CLASS_NAMES: Record<AddressClass, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private network address',
  link_local: 'a link-local address',
  metadata: 'a cloud metadata address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/**
 * May a delivery to `target` connect to these addresses (what its host
 * resolved to, all of them)? Checked when the endpoint is saved and again
 * before every delivery, against the very addresses the connection then uses.
 */
export function checkTargetAddresses(target: WebhookTarget, addresses: readonly string[], environment: Environment, sandboxTargets: SandboxTargets): UrlCheck<string[]> {
  if (environment === 'live' && target.url.protocol !== 'https:') return { ok: false, reason: 'must use https in live' };
  if (addresses.length === 0) return { ok: false, reason: `can't be reached: ${target.hostname} resolves to no address` };
  const allowed = allowedClasses(environment, sandboxTargets);
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls === null || !allowed.has(cls)) {
      const where = environment === 'live' ? 'live endpoints reach public addresses only' : `sandbox endpoints reach ${sandboxTargets === 'public' ? 'public addresses only' : `public and ${sandboxTargets} addresses only`} (TESSERA_WEBHOOK_SANDBOX_TARGETS)`;
      const via = target.literal ? '' : `${target.hostname} resolves to `;
      return { ok: false, reason: `is not allowed: ${via}${address}, ${cls === null ? 'not an IP address' : CLASS_NAMES[cls]}; ${where}` };
    }
    if (cls === 'public' && target.url.protocol !== 'https:') return { ok: false, reason: 'must use https: plain http is allowed for localhost (and private addresses, if configured) in sandbox only' };
  }
  return { ok: true, value: [...addresses] };
}
