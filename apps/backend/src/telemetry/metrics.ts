import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChatMetrics } from '../chat/service.js';

/** What a connection pool reports about itself (node-postgres: total, idle and waiting clients). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface RequestSample {
  method: string;
  /** The route's pattern (`/api/:user_id/tasks`), never the raw URL: one series per route, not per id. */
  route: string;
  statusCode: number;
  seconds: number;
}

/**
 * The backend's Prometheus registry: Node's process metrics (event-loop lag, heap, GC, handles) from prom-client,
 * and the service's own: requests by route and status, rate-limit refusals, chat turns and tool calls, and the
 * database pool. Nothing here knows about Fastify: the app plugin feeds it.
 */
export function createMetrics(options: { poolStats?: () => PoolStats | undefined } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    // From a cached session's list (~2 ms) to a chat turn with a model (seconds).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
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
    request({ method, route, statusCode, seconds }: RequestSample): void {
      requestDuration.observe({ method, route, status_code: statusCode }, seconds);
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
