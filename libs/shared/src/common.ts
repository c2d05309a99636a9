import Type, { type Static } from 'typebox';

/** Limits shared by the API, its validation and the forms that feed it. */
export const LIMITS = {
  taskTitle: 200,
  taskDescription: 1000,
  chatMessage: 5000,
  userName: 100,
  passwordMin: 8,
  passwordMax: 128,
  email: 254,
  /** Task list pages: the size when `limit` is not given, and the largest a client may ask for. */
  taskPageDefault: 50,
  taskPageMax: 100,
  /** Tasks one user may keep: bounds every list, count and export a single account can cause. */
  tasksPerUser: 1000,
  /** Largest id PostgreSQL's `integer` column can hold. */
  maxId: 2_147_483_647,
} as const;

/** The text rules as regular expressions, for validators other than the API's (the MCP tools' zod schemas). */
export const TEXT_PATTERNS = {
  /**
   * Some visible text, no NUL anywhere. Written so that each character has one way to match (leading spaces, the
   * first visible character, the rest): linear time. The obvious `^[^\0]*[^\s\0][^\0]*$` backtracks
   * quadratically on a long run of spaces ending in NUL, and ajv (`allErrors`) and zod run patterns even on a
   * string that already failed `maxLength`, so a body under the size limit could block the event loop for seconds.
   */
  visible: '^\\s*[^\\s\\u0000][^\\u0000]*$',
  /** Any text (empty included) without NUL. */
  noNul: '^[^\\u0000]*$',
} as const;

/**
 * Human text: at least one visible character and no NUL byte (PostgreSQL `text` cannot store U+0000,
 * so rejecting it here turns a would-be 500 into a 422).
 */
export const Text = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({
    pattern: options.minLength === 0 ? TEXT_PATTERNS.noNul : TEXT_PATTERNS.visible,
    minLength: options.minLength ?? 1,
    maxLength: options.maxLength,
    ...(options.description ? { description: options.description } : {}),
  });

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 timestamp (UTC)' });

/** Integer id of a row (tasks, conversations): path params arrive as strings and are coerced. */
export const Id = Type.Integer({ minimum: 1, maximum: LIMITS.maxId });

/** Better Auth user ids are opaque strings. */
export const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const UserParams = Type.Object({ user_id: UserId });
export type UserParams = Static<typeof UserParams>;

/** One validation problem, shaped like FastAPI's: where it is, what is wrong, a machine-readable type. */
export const ValidationIssue = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
  msg: Type.String(),
  type: Type.String(),
});
export type ValidationIssue = Static<typeof ValidationIssue>;

/** Every error body, as FastAPI writes them: `detail` is a message, or a list of validation issues (422). */
export const ErrorBody = Type.Object({
  detail: Type.Union([Type.String(), Type.Array(ValidationIssue)]),
});
export type ErrorBody = Static<typeof ErrorBody>;
