import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { redactionPaths } from '../../src/http/log-redaction.js';
import { DeferredChildLogger } from '../../src/http/request-logger.js';

function serverLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: redactionPaths([]), censor: '[redacted]' } }, stream);
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('DeferredChildLogger (the per-request logger)', () => {
  it('makes no child until something is logged, then one, whose lines carry the request id and stay redacted', async () => {
    const { logger, lines } = serverLogger();
    const child = vi.spyOn(logger, 'child');
    const requestLog = new DeferredChildLogger(logger, { reqId: 'req_1' }, {});
    expect(requestLog.level).toBe('info');
    expect(child).not.toHaveBeenCalled();

    requestLog.error({ req: { headers: { authorization: 'Bearer tsr_sk_sandbox_secret' } } }, 'unhandled error');
    requestLog.warn('second line');
    requestLog.debug('below the level: not written');
    expect(child).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setImmediate(resolve));
    const written = lines();
    expect(written.map((l) => [l['reqId'], l['msg'], l['level']])).toEqual([
      ['req_1', 'unhandled error', 50],
      ['req_1', 'second line', 40],
    ]);
    expect(JSON.stringify(written)).not.toContain('tsr_sk_sandbox_secret');
  });

  it('a route-level log level applies to the child it makes', async () => {
    const { logger, lines } = serverLogger();
    const requestLog = new DeferredChildLogger(logger, { reqId: 'req_2' }, { level: 'debug' });
    expect(requestLog.level).toBe('debug');
    requestLog.debug('now written');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines().map((l) => l['msg'])).toEqual(['now written']);
  });
});
