import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../../config.js';
import type { Database } from '../../db/client.js';
import helmet from './external/helmet.js';
import cors from './external/cors.js';
import rateLimit from './external/rate-limit.js';
import swagger from './external/swagger.js';
import sensible from './external/sensible.js';
import config from './app/config.js';
import database from './app/database.js';
import metrics from './app/metrics.js';
import tracing from './app/tracing.js';
import errors from './app/errors.js';
import auth from './app/authentication.js';
import tasks from './app/tasks.js';
import chat from './app/chat.js';

export interface PluginOptions {
  config: AppConfig;
  database?: Database;
}

/**
 * Third-party plugins first (the app's own plugins and routes rely on them), then the app's services.
 * Registered explicitly rather than autoloaded: the backend ships as one esbuild bundle.
 */
export async function registerPlugins(app: FastifyInstance, options: PluginOptions): Promise<void> {
  await app.register(config, { config: options.config });
  // First: its onRequest hook opens the request's span, in whose context everything else runs.
  await app.register(tracing);
  await app.register(helmet);
  await app.register(cors);
  await app.register(swagger);
  await app.register(sensible);

  await app.register(errors);
  await app.register(database, { database: options.database });
  // Before everything with routes or counters, so its onResponse hook times every request.
  await app.register(metrics);
  // Its counters are shared through the database.
  await app.register(rateLimit);
  await app.register(auth);
  await app.register(tasks);
  await app.register(chat);
}
