/** Every command prints one JSON object with --json, or readable lines without. */
export class Output {
  constructor(readonly json: boolean) {}

  result(value: object, human: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
  }

  notice(text: string): void {
    process.stderr.write(`${text}\n`);
  }
}

export class UsageError extends Error {}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
