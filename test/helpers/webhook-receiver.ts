import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver answers: a status, or 'hang' (never answers until closed). */
export type Answer = number | 'hang';

/**
 * A merchant's webhook receiver on 127.0.0.1: records every request as it
 * arrived, answers as told. `verify` checks a delivery the way a merchant
 * would, with the Standard Webhooks library (written by others, not us).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Requests being answered right now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** TCP connections accepted, whether or not a request came over them. */
  connections = 0;
  answer: (request: Received) => Answer | Promise<Answer> = () => 204;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private waiters: (() => void)[] = [];
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const entry: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.received.push(entry);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        for (const wake of this.waiters.splice(0)) wake();
        res.on('close', () => {
          this.inFlight--;
          this.hanging.delete(res);
        });
        Promise.resolve(this.answer(entry)).then((answer) => {
          if (answer === 'hang') this.hanging.add(res);
          else res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
        });
      });
    });
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await receiver.listen(port);
    return receiver;
  }

  listen(port = this.port): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Deliveries of one event type (parsed bodies), in arrival order. */
  ofType(type: string): { entry: Received; event: any }[] {
    return this.received.map((entry) => ({ entry, event: safeParse(entry.body) })).filter((r) => r.event?.type === type);
  }

  /** Waits until `predicate` holds, or fails after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'webhook deliveries'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${this.received.length}: ${this.received.map((r) => safeParse(r.body)?.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Stops listening and drops every connection (hanging requests included). */
  close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function safeParse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Verifies a received delivery with the standardwebhooks library; answers the parsed event or throws. */
export function verifyDelivery(secret: string, entry: Received): any {
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[name] = String(entry.headers[name] ?? '');
  return new Webhook(secret).verify(entry.body, headers);
}
