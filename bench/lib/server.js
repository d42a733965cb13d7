// Starts bench/server-child.js in its own process (optionally pinned to a CPU)
// and waits for it to listen.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pinned, trackChild } from './util.js';

const CHILD = fileURLToPath(new URL('../server-child.js', import.meta.url));

/**
 * @param {{ env: Record<string,string>, logFile: string, cpu?: number, nodeArgs?: string[], timeoutMs?: number, script?: string }} options
 * `script`: another child speaking the same IPC ('ready', 'stop'), e.g. bench/oidc-provider-child.js.
 */
export function startServer({ env, logFile, cpu, nodeArgs = [], timeoutMs = 30_000, script = CHILD }) {
  const nodeCommand = [...nodeArgs, script];
  const { command, args, pinned: isPinned } = cpu === undefined ? { command: process.execPath, args: nodeCommand, pinned: false } : pinned(cpu, process.execPath, nodeCommand);
  const logFd = openSync(logFile, 'a');
  const child = trackChild(
    spawn(command, args, {
      // stdout (pino's default destination) goes to the log file; stderr is kept for errors.
      stdio: ['ignore', logFd, 'pipe', 'ipc'],
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    }),
  );
  closeSync(logFd);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server child did not start within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server child exited early with ${code ?? signal}\n${stderr}`));
    });
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message?.type !== 'ready') return reject(new Error(`unexpected message from server child: ${JSON.stringify(message)}`));
      child.removeAllListeners('exit');
      resolve({
        ...message,
        child,
        pinned: isPinned,
        stderr: () => stderr,
        stop: (timeout = 15_000) =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
            const kill = setTimeout(() => child.kill('SIGKILL'), timeout);
            child.once('exit', (code) => {
              clearTimeout(kill);
              done(code);
            });
            if (child.connected) child.send({ type: 'stop' });
            else child.kill('SIGTERM');
          }),
      });
    });
  });
}
