import type { FastifyListenOptions } from 'fastify';
import { buildApp } from './app/app.js';
import { loadConfig } from './config.js';

/**
 * Live update's entry (`nx run deploy:minikube --watch --live`; never in the image): the server of main.ts without its
 * process handling, for the runner that keeps the process and the packages it loaded and swaps the app each time the
 * executor's build changes (tools/nx-plugin/src/executors/helm-deploy/live/runner.mjs). Its listeners (the API's and
 * the metrics') take SO_REUSEPORT, so the next build listens beside this one before the runner closes this one.
 * Returns how to close it: the app stops accepting connections, lets in-flight requests finish and closes the database.
 */
export async function serve(): Promise<{ close(): Promise<void> }> {
  const config = { ...loadConfig(process.env, { command: 'serve' }), reusePort: true };
  const app = await buildApp(config);
  // Fastify hands its listen options to Node's server.listen; its types predate Node's reusePort (22.12).
  const listen: FastifyListenOptions & { reusePort?: boolean } = {
    host: config.host,
    port: config.port,
    reusePort: config.reusePort,
  };
  await app.listen(listen);
  return { close: () => app.close() };
}
