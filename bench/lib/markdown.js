// Markdown pieces every section of BENCHMARKS.md renders with.
import { fmt } from './util.js';

export const yes = (met) => (met === null || met === undefined ? '—' : met ? '**yes**' : '**NO**');
export const int = (n) => fmt.int(n);
export const pct = (r) => fmt.pct(r);
export const us = (v, d = 1) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(d)} µs`);
export const interval = (i) => `${pct(i.low)} – ${pct(i.high)}`;
export const range = (values, f) => `${f(Math.min(...values))} – ${f(Math.max(...values))}`;

export function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** A section that did not produce figures says why: not selected, skipped, or failed with its error. */
export function failed(section, title) {
  if (section === undefined) return `${title}\n\nNot run (not selected in BENCH_ONLY).\n`;
  if (section.skipped) return `${title}\n\nSkipped: ${section.error}\n`;
  return `${title}\n\n**FAILED** after ${section.seconds.toFixed(1)} s:\n\n\`\`\`\n${section.error}\n\`\`\`\n`;
}
