import { SECRET_KIND_CODES } from '../domain/key-format.js';

const KIND_CODES = Object.values(SECRET_KIND_CODES).join('|');

/** Anything shaped like one of our secrets (every kind, signing secrets included), wherever it appears in text we log. */
export function secretPattern(brand: string): RegExp {
  return new RegExp(`${brand}_(${KIND_CODES})_(live|sandbox)_[0-9A-Za-z]{8,}`, 'g');
}

/** Secret-shaped text of any brand, for text that does not know the configured one. */
export function anySecretPattern(): RegExp {
  return secretPattern('[a-z][a-z0-9]{1,15}');
}

export function redactSecrets(text: string, pattern: RegExp): string {
  return text.replace(pattern, (match) => `${match.slice(0, match.indexOf('_', match.indexOf('_', match.indexOf('_') + 1) + 1) + 1)}[redacted]`);
}

/** pino redaction paths: credential-bearing headers and secret fields, wherever they appear. */
export function redactionPaths(extraHeaders: readonly string[]): string[] {
  const headers = ['authorization', 'x-api-key', 'cookie', 'set-cookie', 'idempotency-key', ...extraHeaders];
  const fields = ['secret', 'hmacKey', 'clientSecret', 'client_secret', 'signingSecret', 'password', 'credential', 'token', 'access_token'];
  return [
    ...headers.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]),
    ...fields.flatMap((f) => [f, `*.${f}`, `body.${f}`]),
  ];
}
