import { describe, expect, it } from 'vitest';
import { generateSecret, SECRET_KIND_CODES, type SecretKind } from '../../src/domain/key-format.js';
import { redactSecrets, secretPattern } from '../../src/http/log-redaction.js';

describe('log redaction', () => {
  it('redacts a secret of every kind, signing secrets included, keeping only its prefix', () => {
    for (const kind of Object.keys(SECRET_KIND_CODES) as SecretKind[]) {
      for (const environment of ['sandbox', 'live'] as const) {
        const secret = generateSecret('tsr', kind, environment);
        const redacted = redactSecrets(`GET /v1/x?key=${secret}&y=1`, secretPattern('tsr'));
        expect(redacted, kind).not.toContain(secret.slice(-20));
        expect(redacted).toBe(`GET /v1/x?key=tsr_${SECRET_KIND_CODES[kind]}_${environment}_[redacted]&y=1`);
      }
    }
  });
});
