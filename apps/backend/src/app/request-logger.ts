import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** pino's log methods read their logger from `this`. */
const write = (logger: FastifyBaseLogger, level: Level, args: unknown[]) =>
  (logger[level] as (...args: unknown[]) => void).apply(logger, args);

/**
 * `request.log` without a pino child logger per request. Fastify binds the request id through `logger.child()` for
 * every request; a child is an object with its bindings serialized to JSON and its own copy of the log methods,
 * which most requests never use: their one line is the access log, which the `AccessLog` writes through `parent`
 * with the id in its fields. The child is made the first time a handler or hook logs through `request.log`, and
 * every line it writes is what the eager child would have written.
 */
export class RequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    /** The logger Fastify would have made the child of (the app's, or a plugin's with its own level). */
    readonly parent: FastifyBaseLogger,
    /** `{ request_id }`: what the child binds. */
    readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /**
   * The logger to write a line through that carries the bindings in its own fields, as the child would write it
   * (pino puts bindings first, then the line's fields): `parent` unless this request's route has a log level or
   * serializers of its own.
   */
  get unbound(): FastifyBaseLogger | undefined {
    return this.options.level === undefined && this.options.serializers === undefined ? this.parent : undefined;
  }

  get #logger(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.#logger.level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  fatal(...args: unknown[]): void {
    write(this.#logger, 'fatal', args);
  }

  error(...args: unknown[]): void {
    write(this.#logger, 'error', args);
  }

  warn(...args: unknown[]): void {
    write(this.#logger, 'warn', args);
  }

  info(...args: unknown[]): void {
    write(this.#logger, 'info', args);
  }

  debug(...args: unknown[]): void {
    write(this.#logger, 'debug', args);
  }

  trace(...args: unknown[]): void {
    write(this.#logger, 'trace', args);
  }

  silent(...args: unknown[]): void {
    write(this.#logger, 'silent', args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a `RequestLogger` per request. */
export function requestLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(logger, bindings, options);
}
