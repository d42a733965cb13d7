import { collectDefaultMetrics, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Per-route counters and latency histogram, kept as plain numbers on the hot
 * path and turned into Prometheus metrics only when /metrics is scraped.
 */
export class RouteStats {
  readonly statuses = new Map<number, number>();
  readonly buckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  count = 0;
  sumSeconds = 0;

  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  observe(status: number, seconds: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.count++;
    this.sumSeconds += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        this.buckets[i]!++;
        break;
      }
    }
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  readonly registry = new Registry();
  private readonly routes: RouteStats[] = [];

  constructor(private readonly authOutcomes: () => ReadonlyMap<string, number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
  }

  routeStats(method: string, route: string): RouteStats {
    const stats = new RouteStats(method, route);
    this.routes.push(stats);
    return stats;
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    lines.push('# HELP tessera_http_requests_total HTTP requests by route and status.', '# TYPE tessera_http_requests_total counter');
    for (const r of this.routes) {
      for (const [status, n] of r.statuses) {
        lines.push(`tessera_http_requests_total{method="${r.method}",route="${escapeLabel(r.route)}",status="${status}"} ${n}`);
      }
    }
    lines.push('# HELP tessera_http_request_duration_seconds Time to answer, by route.', '# TYPE tessera_http_request_duration_seconds histogram');
    for (const r of this.routes) {
      if (r.count === 0) continue;
      const labels = `method="${r.method}",route="${escapeLabel(r.route)}"`;
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += r.buckets[i]!;
        lines.push(`tessera_http_request_duration_seconds_bucket{${labels},le="${le}"} ${cumulative}`);
      });
      lines.push(`tessera_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${r.count}`);
      lines.push(`tessera_http_request_duration_seconds_sum{${labels}} ${r.sumSeconds}`);
      lines.push(`tessera_http_request_duration_seconds_count{${labels}} ${r.count}`);
    }
    lines.push('# HELP tessera_auth_outcomes_total Authentication outcomes by reason (ok or an error code).', '# TYPE tessera_auth_outcomes_total counter');
    for (const [outcome, n] of this.authOutcomes()) lines.push(`tessera_auth_outcomes_total{outcome="${escapeLabel(outcome)}"} ${n}`);
    return `${lines.join('\n')}\n${await this.registry.metrics()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

}
