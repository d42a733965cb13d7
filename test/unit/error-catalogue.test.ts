import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/domain/errors.js';

const DOCS = new URL('../../docs/errors.md', import.meta.url);

describe('error catalogue', () => {
  it('docs/errors.md exists', () => {
    expect(existsSync(DOCS)).toBe(true);
  });

  it('documents every code of ERROR_CATALOGUE as a table row with its status', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const rows = new Map<string, string>();
    for (const line of docs.split('\n')) {
      const match = /^\|\s*`([a-z0-9_]+)`\s*\|/.exec(line);
      if (match !== null) rows.set(match[1]!, line);
    }
    const missing = Object.keys(ERROR_CATALOGUE).filter((code) => !rows.has(code));
    expect(missing, 'codes missing from docs/errors.md').toEqual([]);
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
      expect(rows.get(code)!, `the row of ${code}`).toContain(`| \`${code}\` |`);
      expect(rows.get(code)!, `the status of ${code}`).toMatch(new RegExp(`\\|\\s*${status}\\s*\\|`));
    }
  });

  it('documents no code that does not exist', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const documented = [...docs.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|\s*\d{3}\s*\|/gm)].map((m) => m[1]!);
    expect(documented.filter((code) => !(code in ERROR_CATALOGUE))).toEqual([]);
  });
});
