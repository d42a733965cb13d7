import { credentialStatus, type Credential } from '../domain/credential.js';
import type { Static } from 'typebox';
import type { KeyView as KeyViewSchema } from '../http/schemas/key.js';
import { isoOrNull } from './time.js';

/** A key as every list and get shows it: never its secret. */
export type KeyView = Static<typeof KeyViewSchema>;

export function keyView(credential: Credential, now: number): KeyView {
  return {
    id: credential.id,
    object: 'key',
    accountId: credential.accountId,
    environment: credential.environment,
    kind: credential.kind,
    name: credential.name,
    redactedSecret: `${credential.prefix}…${credential.last4}`,
    prefix: credential.prefix,
    last4: credential.last4,
    permissions: credential.permissions,
    enabled: credential.enabled,
    status: credentialStatus(credential, now),
    rateLimit: credential.rateLimit,
    allowedIps: credential.allowedIps,
    signing: credential.signing === null ? null : { scheme: credential.signing.scheme, algorithm: credential.signing.algorithm },
    metadata: credential.metadata,
    createdAt: new Date(credential.createdAt).toISOString(),
    updatedAt: new Date(credential.updatedAt).toISOString(),
    expiresAt: isoOrNull(credential.expiresAt),
    deletedAt: isoOrNull(credential.deletedAt),
    lastUsedAt: isoOrNull(credential.lastUsedAt),
    lastUsedIp: credential.lastUsedIp,
  };
}

/**
 * What a create or roll answers besides the view: the secret, shown once,
 * as `secret`, or for client credentials as OAuth names them.
 */
export function issuedSecretFields(credential: Credential, secret: string): { secret: string } | { clientId: string; clientSecret: string } {
  return credential.kind === 'client' ? { clientId: credential.id, clientSecret: secret } : { secret };
}
