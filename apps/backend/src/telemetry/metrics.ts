import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { ChatMetrics } from '../chat/service.js';

/** What a connection pool reports about itself (node-postgres: total, idle and waiting clients). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** One series of the request histogram: its labels, and its counts per bucket (not cumulative) as prom-client keeps them. */
interface Series {
  labels: { method: string; route: string; status_code: number };
  counts: number[];
  sum: number;
  count: number;
}

/**
 * `http_request_duration_seconds`, observed on every response. prom-client's `Histogram#observe` builds a label
 * object and a closure, validates the labels, hashes them into a string key and finds the bucket through an object
 * keyed by the bound's decimal text: a few microseconds per request on the hottest path. Here a series is found
 * through Maps keyed by the label values themselves (route patterns and methods are the router's own strings) and
 * its buckets are an array. The registry reads it as it reads a prom-client histogram (`getForPromString`: the
 * same `_bucket` (cumulative, `le` first), `_sum` and `_count` samples), so the exposition is unchanged.
 */
class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #bounds: readonly number[];
  /** route → method → status code → series. */
  readonly #series = new Map<string, Map<string, Map<number, Series>>>();

  constructor({ name, help, buckets }: { name: string; help: string; buckets: number[] }) {
    this.name = name;
    this.help = help;
    this.#bounds = [...buckets].sort((a, b) => a - b);
  }

  observe(method: string, route: string, statusCode: number, seconds: number): void {
    let byMethod = this.#series.get(route);
    if (!byMethod) this.#series.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(statusCode);
    if (!series) {
      series = {
        labels: { method, route, status_code: statusCode },
        counts: this.#bounds.map(() => 0),
        sum: 0,
        count: 0,
      };
      byStatus.set(statusCode, series);
    }
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && seconds > bounds[bucket]!) bucket++;
    // Past the last bound: counted in +Inf only (the total count).
    if (bucket < bounds.length) series.counts[bucket]!++;
    series.sum += seconds;
    series.count++;
  }

  /** What prom-client's registry formats: the samples of every series, in prom-client's histogram layout. */
  getForPromString() {
    const values: {
      labels: Record<string, string | number>;
      sharedLabels: Series['labels'];
      value: number;
      metricName: string;
    }[] = [];
    const bucket = `${this.name}_bucket`;
    for (const byMethod of this.#series.values()) {
      for (const byStatus of byMethod.values()) {
        for (const series of byStatus.values()) {
          let cumulative = 0;
          this.#bounds.forEach((le, i) => {
            cumulative += series.counts[i]!;
            values.push({ labels: { le }, sharedLabels: series.labels, value: cumulative, metricName: bucket });
          });
          values.push({ labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: bucket });
          values.push({ labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
          values.push({
            labels: {},
            sharedLabels: series.labels,
            value: series.count,
            metricName: `${this.name}_count`,
          });
        }
      }
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same samples as JSON (`registry.getMetricsAsJSON()`), each with all its labels. */
  get() {
    const metric = this.getForPromString();
    return {
      ...metric,
      values: metric.values.map(({ labels, sharedLabels, ...sample }) => ({
        ...sample,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }

  reset(): void {
    this.#series.clear();
  }
}

/**
 * The backend's Prometheus registry: Node's process metrics (event-loop lag, heap, GC, handles) from prom-client,
 * and the service's own: requests by route and status, rate-limit refusals, chat turns and tool calls, and the
 * database pool. Nothing here knows about Fastify: the app plugin feeds it.
 */
export function createMetrics(options: { poolStats?: () => PoolStats | undefined } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requestDuration = new RequestHistogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by method, route and status code.',
    // From a cached session's list (~2 ms) to a chat turn with a model (seconds).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  registry.registerMetric(requestDuration as unknown as Metric);
  const rateLimited = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused with 429 by a rate-limit budget, by route.',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const chatTurns = new Counter({
    name: 'chat_turns_total',
    help: 'Chat turns by provider (openai, offline) and outcome (ok, error).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  });
  const toolCalls = new Counter({
    name: 'chat_tool_calls_total',
    help: 'Tools the chat agent called, by tool and outcome (ok, error).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [registry],
  });
  const { poolStats } = options;
  if (poolStats) {
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool clients by state: total open, idle, and requests waiting for a client.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = poolStats();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }

  const chat: ChatMetrics = {
    turn: (provider, outcome) => chatTurns.inc({ provider, outcome }),
    toolCall: (tool, outcome) => toolCalls.inc({ tool, outcome }),
  };

  return {
    registry,
    chat,
    /** One response, from the `onResponse` hook: positional, so recording it allocates nothing. */
    request(method: string, route: string, statusCode: number, seconds: number): void {
      requestDuration.observe(method, route, statusCode, seconds);
      if (statusCode === 429) rateLimited.inc({ route });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The scrape endpoint on a listener of its own: `GET /metrics` and nothing else, so a port that no public Service
 * exposes carries it and the API's port never answers it.
 */
export function createMetricsServer(registry: Registry, onError: (error: unknown) => void): Server {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: scrape GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('Collecting metrics failed\n');
        onError(error);
      },
    );
  });
  // Longer than a scrape interval, so the scraper keeps its connection, and than clients' idle timeout (undici's
  // 4 s), so they close an idle connection before the server does (a request sent as it closed would be reset).
  server.keepAliveTimeout = 65_000;
  return server;
}
