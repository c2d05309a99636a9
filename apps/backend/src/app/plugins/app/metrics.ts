import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import fp from 'fastify-plugin';
import { createMetrics, createMetricsServer, type Metrics } from '../../../telemetry/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Prometheus registry and the service's counters; undefined when METRICS_PORT is unset. */
    metrics?: Metrics & { address: AddressInfo };
  }
}

/** Requests no route matched share one label value, so scanners probing random paths add no series. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Prometheus metrics (METRICS_PORT): every response is timed by method, route pattern and status in `onResponse`,
 * and `GET /metrics` is served on its own listener at HOST:METRICS_PORT, opened here and closed with the app, so
 * the API's port never answers it (the chart exposes that port to the scraper's namespace only).
 * Off (the default under `npm start`): no registry, no hook, nothing measured.
 */
export default fp(
  async (app) => {
    const { metricsPort, host, reusePort } = app.config;
    if (metricsPort === undefined) return;
    const metrics = createMetrics({ poolStats: app.database.poolStats });
    const server = createMetricsServer(metrics.registry, (err) => app.log.error({ err }, 'collecting metrics failed'));
    server.listen({ port: metricsPort, host, reusePort });
    await once(server, 'listening');
    const address = server.address() as AddressInfo;
    app.log.info({ address: `${address.address}:${address.port}` }, 'metrics listening on /metrics');
    app.decorate('metrics', { ...metrics, address });
    app.addHook('onClose', async () => {
      server.close();
      server.closeAllConnections();
    });
    // Callback style: no promise per request on the hot path.
    app.addHook('onResponse', (request, reply, done) => {
      metrics.request({
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        statusCode: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
      done();
    });
  },
  { name: 'metrics', dependencies: ['config', 'database'] },
);
