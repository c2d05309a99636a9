/**
 * What an error may carry into a log line. Database errors are where secrets hide: Drizzle's message quotes the
 * failed statement and its parameters (session tokens, password hashes, task text), and PostgreSQL adds `detail`
 * ("Key (email)=(…) already exists"), `where` and `internalQuery`. So errors are rebuilt from an allow-list of
 * fields instead of copied, and the text of database errors is replaced by their SQLSTATE code.
 */

type SerializedError = {
  type: string;
  message: string;
  stack: string;
  code?: string;
  statusCode?: number;
  /** PostgreSQL's names for what failed: no values. */
  severity?: string;
  routine?: string;
  constraint?: string;
  table?: string;
  column?: string;
  cause?: SerializedError;
};

type ErrorLike = Error & Record<string, unknown>;

const MAX_CAUSES = 5;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Drizzle's wrapper: `Failed query: <sql>\nparams: <values>`, with the driver's error as `cause`. */
const isQueryError = (error: ErrorLike) =>
  typeof error['query'] === 'string' && ('params' in error || error.message.startsWith('Failed query'));

/** A driver error from the server (node-postgres DatabaseError, PGlite): a SQLSTATE code and a severity. */
const isServerError = (error: ErrorLike) =>
  typeof error['code'] === 'string' && SQLSTATE.test(error['code']) && typeof error['severity'] === 'string';

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * `scheme://user:password@host` -> `scheme://***@host`: a connection error quoting DATABASE_URL or
 * OPENAI_BASE_URL must not carry its credentials into the log. (`/` cannot occur unencoded in userinfo, so the
 * match stops at the first one: linear.)
 */
const URL_CREDENTIALS = /:\/\/[^\s/@]*@/g;
export const withoutUrlCredentials = (value: string): string => value.replace(URL_CREDENTIALS, '://***@');

/** The stack without its first line(s), which repeat the (possibly secret) message. */
function stackFrames(error: Error): string | undefined {
  if (!error.stack) return undefined;
  const index = error.stack.indexOf('\n    at ');
  return index === -1 ? undefined : withoutUrlCredentials(error.stack.slice(index + 1));
}

function serialize(error: ErrorLike, depth: number): SerializedError {
  const type = error.constructor?.name ?? error.name ?? 'Error';
  const withheld = isQueryError(error) || isServerError(error);
  const code = text(error['code']);
  const message = isServerError(error)
    ? `Database error ${code}`
    : isQueryError(error)
      ? 'Database query failed (statement and parameters withheld)'
      : withoutUrlCredentials(error.message);
  const frames = stackFrames(error);
  const out: SerializedError = {
    type,
    message,
    stack: frames ? `${type}: ${message}\n${frames}` : `${type}: ${message}`,
    ...(code ? { code } : {}),
    ...(typeof error['statusCode'] === 'number' ? { statusCode: error['statusCode'] } : {}),
  };
  if (withheld) {
    for (const key of ['severity', 'routine', 'constraint', 'table', 'column'] as const) {
      const value = text(error[key]);
      if (value) out[key] = value;
    }
  }
  if (error.cause instanceof Error && depth < MAX_CAUSES) out.cause = serialize(error.cause as ErrorLike, depth + 1);
  return out;
}

/** pino serializer for `err`: safe to log whatever threw. */
function serializeError(error: Error): SerializedError {
  return serialize(error as ErrorLike, 0);
}

const serializeIfError = (value: unknown) => (value instanceof Error ? serializeError(value) : value);

export const logSerializers = {
  err: serializeError,
  error: serializeIfError,
  /** Better Auth logs its failures as `{args}` lists: the errors among them get the same treatment. */
  args: (value: unknown) => (Array.isArray(value) ? value.map(serializeIfError) : value),
};
