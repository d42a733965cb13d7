import http from 'node:http';
import https from 'node:https';
import type { ResolvedTarget } from './webhook-targets.js';

export interface SendRequest {
  target: ResolvedTarget;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface SendResult {
  /** The HTTP status answered; null when none came. */
  status: number | null;
  durationMs: number;
  error: string | null;
}

/** Bodies of answers are read and thrown away; past this size the connection is dropped. */
const MAX_DRAINED_BYTES = 1024 * 1024;

function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if (error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT')) return `TLS: ${error.message}`;
      return error.message;
  }
}

/**
 * POSTs one delivery over node:http(s) with keep-alive, to the very address
 * that was checked (the Host header and TLS server name carry the host name),
 * so a DNS answer can't change between the check and the connection. No
 * redirect is followed: only a 2xx answer counts.
 */
export class WebhookTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' });
  private readonly open = new Set<http.ClientRequest>();

  async send(request: SendRequest): Promise<SendResult> {
    const first = await this.sendOnce(request);
    // A keep-alive socket the receiver closed while idle fails at once: that says nothing about the endpoint.
    if (first.reused && first.result.status === null && first.result.error === 'connection reset') return (await this.sendOnce(request)).result;
    return first.result;
  }

  private sendOnce({ target, headers, body, timeoutMs }: SendRequest): Promise<{ result: SendResult; reused: boolean }> {
    const secure = target.url.protocol === 'https:';
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let request: http.ClientRequest;
      const finish = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.open.delete(request);
        resolve({ result: { status, durationMs: Math.round(performance.now() - started), error }, reused: request.reusedSocket });
      };
      const options: https.RequestOptions = {
        host: target.addresses[0],
        port: target.url.port === '' ? (secure ? 443 : 80) : Number(target.url.port),
        method: 'POST',
        path: `${target.url.pathname}${target.url.search}`,
        headers: { ...headers, host: target.url.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        agent: secure ? this.httpsAgent : this.httpAgent,
        ...(secure && !target.literal && { servername: target.hostname }),
      };
      request = (secure ? https : http).request(options, (response) => {
        const status = response.statusCode ?? null;
        finish(status, status !== null && status >= 200 && status < 300 ? null : `HTTP ${status}`);
        let drained = 0;
        response.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > MAX_DRAINED_BYTES) response.destroy();
        });
        response.on('error', () => {});
      });
      this.open.add(request);
      timer = setTimeout(() => {
        finish(null, `timeout: no answer within ${timeoutMs} ms`);
        request.destroy();
      }, timeoutMs);
      request.on('error', (error) => finish(null, describe(error)));
      request.end(body);
    });
  }

  /** Drops every connection; requests still open fail. */
  close(): void {
    for (const request of this.open) request.destroy();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
