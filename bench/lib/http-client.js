// A minimal keep-alive HTTP/1.1 load client that times every request with
// process.hrtime.bigint(), for latency at microsecond resolution (autocannon
// records whole milliseconds). Each of `connections` sockets sends one
// request, waits for the whole response (Content-Length framed), and sends the
// next: the same closed-loop model as autocannon without pipelining. It costs
// the load generator a fraction of what autocannon does per request, so the
// server stays the bottleneck even when every request is signed anew.
import { connect } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r\n]*chunked/i;

/** The bytes of one keep-alive request. */
export function rawRequest({ host, method = 'GET', path, headers = {}, body }) {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: keep-alive', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`, 'utf8');
}

/**
 * @param {{ url: string, path: string, headers?: Record<string,string>, connections: number, durationMs: number, nextRequest?: () => Buffer }} options
 * `nextRequest`: builds every request anew (e.g. signed) instead of repeating `GET path` with `headers`.
 * @returns {Promise<{ latenciesMs: Float64Array, completed: number, elapsedMs: number, statuses: Record<string, number>, errors: number }>}
 */
export function timedLoad({ url, path, headers = {}, connections, durationMs, nextRequest }) {
  const target = new URL(url);
  const host = target.hostname;
  const port = Number(target.port);
  const request = nextRequest === undefined ? rawRequest({ host: target.host, path, headers }) : null;

  let latencies = new Float64Array(1 << 16);
  let completed = 0;
  let errors = 0;
  const statuses = {};
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(durationMs * 1e6));

  function record(ms) {
    if (completed === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[completed++] = ms;
  }

  function runConnection() {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      let pending = null;
      let sentAt = 0n;
      let expected = -1;
      let status = 0;
      const send = () => {
        sentAt = process.hrtime.bigint();
        socket.write(request ?? nextRequest());
      };
      socket.once('connect', send);
      socket.on('error', (error) => {
        errors++;
        reject(error);
      });
      socket.on('data', (chunk) => {
        pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
        if (expected === -1) {
          const end = pending.indexOf(HEADER_END);
          if (end === -1) return;
          const head = pending.toString('latin1', 0, end);
          if (CHUNKED.test(head)) return reject(new Error('chunked responses are not supported by the timing client'));
          const length = CONTENT_LENGTH.exec(head);
          if (length === null) return reject(new Error(`response without Content-Length: ${head.slice(0, 200)}`));
          status = Number(head.slice(9, 12));
          expected = end + HEADER_END.length + Number(length[1]);
        }
        if (pending.length < expected) return;
        const now = process.hrtime.bigint();
        if (pending.length > expected) return reject(new Error('unexpected bytes after a response (pipelining is not used)'));
        record(Number(now - sentAt) / 1e6);
        statuses[status] = (statuses[status] ?? 0) + 1;
        pending = null;
        expected = -1;
        if (now < deadline) send();
        else {
          socket.end();
          resolve();
        }
      });
    });
  }

  return Promise.all(Array.from({ length: connections }, runConnection)).then(() => ({
    latenciesMs: latencies.subarray(0, completed),
    completed,
    elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
    statuses,
    errors,
  }));
}
