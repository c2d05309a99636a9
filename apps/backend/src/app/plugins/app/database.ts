import fp from 'fastify-plugin';
import { createDatabase, type Database } from '../../../db/client.js';
import { runMigrations } from '../../../db/migrate.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
  }
}

/**
 * Opens the database named by the config (PostgreSQL pool or embedded PGlite), applies migrations
 * when configured to, and closes it after the server has finished its in-flight requests.
 */
export default fp<{ database?: Database }>(
  async (app, options) => {
    const { config } = app;
    const database =
      options.database ?? (await createDatabase(config.database, app.log, { traced: Boolean(config.tracing) }));
    if (config.migrateOnStart) await runMigrations(config.database, database);
    app.decorate('database', database);
    // Injected databases belong to the caller (tests share one across app instances).
    if (!options.database) app.addHook('onClose', () => database.close());
  },
  { name: 'database', dependencies: ['config'] },
);
