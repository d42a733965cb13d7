import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { expect } from 'vitest';

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/** Keep-alive: thousands of sequential requests reuse one connection. */
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * One request through node:http, which sends header bytes fetch refuses.
 * Answers null when Node itself refuses to send the request (an invalid
 * header name or value, an unescaped path): such a request never reaches the
 * server, so there is nothing to check.
 */
export function fuzzRequest(baseUrl: string, method: string, path: string, headers: OutgoingHttpHeaders, body?: string | Buffer): Promise<FuzzResponse | null> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      });
    } catch (error) {
      if (isClientSideRefusal(error)) return resolve(null);
      return reject(error);
    }
    req.on('error', (error) => (isClientSideRefusal(error) ? resolve(null) : reject(error)));
    try {
      req.end(body);
    } catch (error) {
      if (isClientSideRefusal(error)) resolve(null);
      else reject(error);
    }
  });
}

const CLIENT_SIDE = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_UNESCAPED_CHARACTERS', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']);

function isClientSideRefusal(error: unknown): boolean {
  return CLIENT_SIDE.has((error as { code?: string }).code ?? '');
}

/** What every answer must be: no 5xx, a request id, and errors in the JSON envelope. */
export function expectWellFormed(response: FuzzResponse, method: string, what: string): void {
  expect(response.status, what).toBeGreaterThanOrEqual(200);
  expect(response.status, `${what} answered ${response.status}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
  const requestId = response.headers['request-id'];
  expect(typeof requestId, `${what}: no request-id header`).toBe('string');
  expect(requestId as string).toMatch(/^req_[0-9A-Za-z]+$/);
  if (response.status >= 400 && method !== 'HEAD') {
    const error = response.body?.error;
    expect(error, `${what} answered ${response.status} without the envelope: ${response.text.slice(0, 300)}`).toBeTypeOf('object');
    expect(typeof error.type, what).toBe('string');
    expect(typeof error.code, what).toBe('string');
    expect(typeof error.message, what).toBe('string');
    expect(error.request_id, what).toBe(requestId);
    expect(response.text, what).not.toMatch(/\n\s+at \S+ \(|node_modules/);
  }
}

export function closeFuzzAgent(): void {
  agent.destroy();
}
