import { Type } from 'typebox';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { MAX_ALLOWED_IPS } from '../../domain/ip-allowlist.js';
import { SIGNATURE_SCHEMES } from '../../domain/signatures/signing-keys.js';
import { MAX_GRACE_SECONDS } from '../../services/key-service.js';
import { Metadata, Nullable, StringEnum, Timestamp } from './common.js';

export const KEY_KINDS = ['secret', 'restricted', 'publishable', 'client'] as const;

export const RateLimitSchema = Type.Object(
  {
    requests: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Requests allowed per window.' }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400, description: 'Window length in seconds.' }),
  },
  { additionalProperties: false },
);

export const AllowedIps = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: MAX_ALLOWED_IPS,
  description: 'IPv4/IPv6 addresses or CIDR ranges the key may be used from (IPv4-mapped IPv6 counts as IPv4). Empty: anywhere.',
});

export const KeyName = Type.String({ minLength: 1, maxLength: 100, description: 'A friendly name, e.g. "Checkout server".' });

export const CreateKeyBody = Type.Object(
  {
    kind: StringEnum(KEY_KINDS, { description: 'secret, restricted (only the listed operations), publishable (browser), client (OAuth client credentials).' }),
    environment: Type.Optional(StringEnum(ENVIRONMENTS, { description: "Defaults to the caller's environment; must match it." })),
    name: Type.Optional(KeyName),
    permissions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Operations a restricted key or client credential may perform (GET /v1/operations). Fixed forever.' }),
    ),
    expiresAt: Type.Optional(Nullable(Timestamp)),
    rateLimit: Type.Optional(Nullable(RateLimitSchema)),
    metadata: Type.Optional(Metadata),
    allowedIps: Type.Optional(AllowedIps),
    generateHMAC: Type.Optional(Type.Boolean({ description: 'Make a signing secret (returned once as hmacKey): every request with this key must then be signed.' })),
    signingPublicKey: Type.Optional(Type.String({ minLength: 40, maxLength: 4096, description: 'Or register an Ed25519 public key (PEM, or raw 32 bytes in base64): requests are signed with its private key, and Tessera holds no secret.' })),
    tokenLifetimeSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400, description: "Client credentials: lifetime of their access tokens (default 900 s), within the operator's maximum." })),
    signatureScheme: Type.Optional(StringEnum(SIGNATURE_SCHEMES, { description: 'http-message-signatures (RFC 9421, default, replay-proof) or payload-signature (OneKey compatibility, HMAC only, replayable).' })),
  },
  { additionalProperties: false },
);

export const UpdateKeyBody = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'false disables the key on every node at once; true enables it again.' })),
    name: Type.Optional(KeyName),
    metadata: Type.Optional(Metadata),
    allowedIps: Type.Optional(AllowedIps),
    // Accepted by the schema only to answer with a precise error: these never change.
    permissions: Type.Optional(Type.Unknown({ description: 'Immutable: create a new key instead.' })),
    kind: Type.Optional(Type.Unknown({ description: 'Immutable.' })),
    environment: Type.Optional(Type.Unknown({ description: 'Immutable.' })),
  },
  { additionalProperties: false },
);

export const RollKeyBody = Type.Object(
  {
    gracePeriodSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_GRACE_SECONDS, default: 0, description: 'How long the old secret keeps working: 0 (dies now) up to 604800 (7 days).' }),
    ),
  },
  { additionalProperties: false },
);

export const KeyView = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('key'),
    accountId: Type.String(),
    environment: StringEnum(ENVIRONMENTS),
    kind: StringEnum(KEY_KINDS),
    name: Type.String(),
    redactedSecret: Type.String({ description: 'Prefix and last 4 characters, e.g. tsr_sk_live_…a1B2.' }),
    prefix: Type.String(),
    last4: Type.String(),
    permissions: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    status: StringEnum(['active', 'disabled', 'expired', 'deleted'] as const),
    rateLimit: Nullable(RateLimitSchema),
    allowedIps: Type.Array(Type.String()),
    signing: Nullable(
      Type.Object({
        scheme: StringEnum(SIGNATURE_SCHEMES),
        algorithm: StringEnum(['hmac-sha256', 'ed25519'] as const),
      }),
      { description: 'Null when the key does not sign; otherwise every request with it must be signed this way.' },
    ),
    metadata: Type.Record(Type.String(), Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    expiresAt: Nullable(Timestamp),
    deletedAt: Nullable(Timestamp),
    lastUsedAt: Nullable(Timestamp),
    lastUsedIp: Nullable(Type.String()),
  },
  { description: 'An API key as every list and get shows it: never its secret.' },
);

export const IssuedKeyView = Type.Intersect([
  KeyView,
  Type.Object({
    secret: Type.Optional(Type.String({ description: 'The secret, shown this once and never again (client credentials: clientSecret instead).' })),
    hmacKey: Type.Optional(Type.String({ description: 'The signing secret (with generateHMAC), shown this once: the HMAC key is the UTF-8 bytes of this string.' })),
    clientId: Type.Optional(Type.String({ description: 'Client credentials: the public client_id (the key id).' })),
    clientSecret: Type.Optional(Type.String({ description: 'Client credentials: the client_secret, shown this once.' })),
  }),
]);

export const RolledKeyView = Type.Intersect([
  KeyView,
  Type.Object({
    secret: Type.Optional(Type.String({ description: 'The new secret, shown this once (client credentials: clientSecret).' })),
    clientId: Type.Optional(Type.String()),
    clientSecret: Type.Optional(Type.String()),
    previousSecretExpiresAt: Timestamp,
  }),
]);
