// Shared helpers for the benchmark: statistics, machine description, and a
// cleanup registry so that child processes, temp dirs and the throwaway
// PostgreSQL cluster are removed however the run ends.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

// ---------------------------------------------------------------- statistics

export function sortedCopy(values) {
  const copy = Float64Array.from(values);
  copy.sort();
  return copy;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values) {
  const s = sortedCopy(values);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A 95% interval for the median of `values`: the 2.5th and 97.5th percentiles
 * of the medians of 4,000 bootstrap resamples. A fixed-seed generator makes
 * the same values give the same interval in every run.
 */
export function medianInterval(values) {
  let state = 0x9e3779b9;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const medians = new Float64Array(4000);
  const sample = new Array(values.length);
  for (let i = 0; i < medians.length; i++) {
    for (let j = 0; j < values.length; j++) sample[j] = values[Math.floor(random() * values.length)];
    medians[i] = median(sample);
  }
  medians.sort();
  return { low: percentile(medians, 2.5), high: percentile(medians, 97.5) };
}

export function summarize(samples) {
  const s = sortedCopy(samples);
  return { count: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), p999: percentile(s, 99.9), max: s[s.length - 1] };
}

export const fmt = {
  int: (n) => Math.round(n).toLocaleString('en-US'),
  ms: (n, digits = 3) => `${n.toFixed(digits)} ms`,
  pct: (r, digits = 1) => `${(r * 100).toFixed(digits)}%`,
  num: (n, digits = 2) => n.toFixed(digits),
};

// ---------------------------------------------------------------- machine

export function machineInfo() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  let os = `${process.platform} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) os = `${pretty[1]} (kernel ${release()})`;
  } catch {
    // keep the generic description
  }
  let cores = cpus().length;
  try {
    cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || cores;
  } catch {
    // keep os.cpus()
  }
  return { cpuModel, cores, ramGiB: totalmem() / 1024 ** 3, node: process.version, os };
}

// ---------------------------------------------------------------- cleanup

const children = new Set();
const dirs = new Set();
const finalizers = [];

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** A synchronous clean-up step run at exit (e.g. stopping PostgreSQL). Returns a function that runs it now. */
export function onCleanup(fn) {
  const entry = { fn, done: false };
  finalizers.push(entry);
  return () => {
    if (entry.done) return;
    entry.done = true;
    fn();
  };
}

export function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function cleanupNow() {
  for (const child of children) {
    try {
      // Only processes this run started, by their own pid.
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const entry of finalizers.reverse()) {
    if (entry.done) continue;
    entry.done = true;
    try {
      entry.fn();
    } catch (error) {
      process.stderr.write(`bench cleanup: ${error?.message ?? error}\n`);
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

let installed = false;
export function installCleanup() {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      cleanupNow();
      process.exit(130);
    });
  }
}

// ---------------------------------------------------------------- processes

let tasksetChecked = null;
/** `taskset -c N` prefix when taskset works here, else nothing. */
export function pinned(cpu, command, args) {
  if (tasksetChecked === null) {
    const probe = spawnSync('taskset', ['-c', '0', 'true']);
    tasksetChecked = probe.status === 0 && cpus().length >= 2;
  }
  return tasksetChecked ? { command: 'taskset', args: ['-c', String(cpu), command, ...args], pinned: true } : { command, args, pinned: false };
}

export function tasksetWorks() {
  pinned(0, 'true', []);
  return tasksetChecked;
}

/** Runs a command to completion, answering stdout; throws with its stderr on failure. */
export function runProcess(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      // Options travel as one JSON argument and may hold throwaway keys: never echo them.
      else reject(new Error(`${command} ${args.map((a) => (a.startsWith('{') ? '<options>' : a)).join(' ')} exited with ${code ?? signal}\n${stderr}`));
    });
  });
}

export function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** A log destination that discards everything (pino still formats every line). */
export function nullStream() {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
