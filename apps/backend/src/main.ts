import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { createDatabase } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { startServer } from './server.js';

const USAGE = 'Usage: node main.js [serve|migrate]';

async function migrate(config: AppConfig): Promise<void> {
  const log = { warn: (obj: object, msg: string) => console.warn(msg, obj) };
  const database = await createDatabase(config.database, log);
  try {
    await runMigrations(config.database, database);
    console.log(JSON.stringify({ level: 'info', msg: 'migrations applied', database: config.database.kind }));
  } finally {
    await database.close();
  }
}

async function main(command = 'serve'): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, { command: command === 'migrate' ? 'migrate' : 'serve' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  if (command === 'serve') await startServer(config);
  else if (command === 'migrate') await migrate(config);
  else {
    console.error(`Unknown command "${command}". ${USAGE}`);
    process.exit(64); // EX_USAGE
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
