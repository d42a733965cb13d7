import { lookup } from 'node:dns/promises';
import type { Environment } from '../domain/environment.js';
import { checkTargetAddresses, parseWebhookUrl, type SandboxTargets, type UrlCheck, type WebhookTarget } from '../domain/webhook-url.js';

/** Every address a host name resolves to. Tests replace it to play DNS. */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) => {
  try {
    return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return [];
  }
};

export interface ResolvedTarget extends WebhookTarget {
  /** The checked addresses; a delivery connects to the first, never re-resolving in between. */
  addresses: string[];
}

/**
 * Parses an endpoint URL, resolves its host and checks every address against
 * the environment's rules (src/domain/webhook-url.ts). Run when an endpoint is
 * saved and again before each delivery, because DNS can change.
 */
export async function resolveTarget(url: string, environment: Environment, sandboxTargets: SandboxTargets, resolve: HostResolver): Promise<UrlCheck<ResolvedTarget>> {
  const parsed = parseWebhookUrl(url);
  if (!parsed.ok) return parsed;
  const target = parsed.value;
  const addresses = target.literal ? [target.hostname] : await resolve(target.hostname);
  const checked = checkTargetAddresses(target, addresses, environment, sandboxTargets);
  if (!checked.ok) return checked;
  return { ok: true, value: { ...target, addresses: checked.value } };
}
