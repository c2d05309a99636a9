import { SpanKind, SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import pg from 'pg';

const tracer = trace.getTracer('todo-backend');

/** `SELECT`, `INSERT`...: the statement's first keyword, the span's name as the DB semantic conventions ask. */
const operation = (text: string): string => /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';

/**
 * Runs `run` inside a CLIENT span for one statement. The statement's text is recorded as sent: the app's queries
 * are parameterised (Drizzle), so it holds placeholders, never values.
 */
export function traceQuery<T>(text: string, attributes: Attributes, run: () => Promise<T>): Promise<T> {
  const name = operation(text);
  return tracer.startActiveSpan(
    name,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
        [ATTR_DB_OPERATION_NAME]: name,
        [ATTR_DB_QUERY_TEXT]: text,
        ...attributes,
      },
    },
    async (span) => {
      try {
        return await run();
      } catch (error) {
        span.setAttribute(ATTR_ERROR_TYPE, (error as { code?: string }).code ?? 'error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

type Callback = (error: Error | null, ...results: unknown[]) => void;
type Query = (...args: unknown[]) => unknown;

/**
 * node-postgres with a span per query: the pool's `Client` (Drizzle's pool queries and transactions both end in
 * `Client#query`). Cursors and other submittables pass through untraced.
 */
export class TracedClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config] = args as [string | { text?: string; submit?: unknown }];
    const base = super.query.bind(this) as Query;
    if (typeof config === 'object' && typeof config?.submit === 'function') return base(...args) as never;
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const attributes = {
      [ATTR_DB_NAMESPACE]: this.database,
      [ATTR_SERVER_ADDRESS]: this.host,
      [ATTR_SERVER_PORT]: this.port,
    };
    const last = args.at(-1);
    if (typeof last !== 'function')
      return traceQuery(text, attributes, () => base(...args) as Promise<unknown>) as never;
    // Callback style (pg-pool's own `query`): wrap it in the promise form so the span ends with the callback.
    const callback = last as Callback;
    traceQuery(text, attributes, () => base(...args.slice(0, -1)) as Promise<unknown>).then(
      (result) => callback(null, result),
      (error: Error) => callback(error),
    );
    return undefined as never;
  }
}

/**
 * A pool whose waiting `connect` callbacks resume in their caller's context: a client handed over when another
 * request releases it would otherwise run the query in that other request's trace.
 */
export class TracedPool extends pg.Pool {
  override connect(...args: unknown[]): never {
    const [callback] = args;
    const base = super.connect.bind(this) as Query;
    if (typeof callback === 'function') return base(context.bind(context.active(), callback as Callback)) as never;
    return base() as never;
  }
}
