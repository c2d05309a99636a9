import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from './config.js';
import { buildApp } from './app/app.js';

/**
 * Listens, and on SIGTERM/SIGINT stops accepting connections, lets in-flight requests finish,
 * closes the database, then exits 0. A second signal, or the grace period running out, forces exit.
 */
export async function startServer(config: AppConfig): Promise<FastifyInstance> {
  // Before the app, so its first requests are traced. Loaded only when on: with tracing off no SDK is parsed.
  const tracing = config.tracing && (await import('./telemetry/tracing.js')).startTracing(config.tracing);
  const app = await buildApp(config);
  closeWithGrace(
    { delay: config.shutdownGraceMs, logger: { error: (msg) => app.log.error(msg) } },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'shutting down after an unexpected error');
      else app.log.info({ signal }, 'shutting down: finishing in-flight requests');
      await app.close();
      // The last requests' spans are still queued.
      await tracing?.shutdown().catch((err: unknown) => app.log.warn({ err }, 'exporting the last spans failed'));
      app.log.info('shutdown complete');
    },
  );
  await app.listen({ host: config.host, port: config.port });
  return app;
}
