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
  /**
   * What one account's chat history may hold, and how much of it one request reads: conversations per user and
   * messages per conversation (409 once full), pages of the conversation list and of one conversation's messages,
   * the stored text of a reply, and the stored JSON of one tool call's arguments or result (longer is kept as a
   * bounded preview). The worst page is then 50 messages × (10,000 + 20 calls × 2 × 4,000) characters.
   */
  conversationsPerUser: 200,
  messagesPerConversation: 200,
  conversationPageDefault: 20,
  conversationPageMax: 100,
  messagePageDefault: 50,
  messagePageMax: 50,
  chatReply: 10_000,
  storedToolJson: 4_000,
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

/** `limit` and `offset` of a paged list: a default and a largest page size, offsets up to the largest id. */
export const PageQuery = (options: { default: number; max: number; items: string; offsetFrom?: string }) =>
  Type.Object(
    {
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: options.max,
          default: options.default,
          description: `Page size (1-${options.max})`,
        }),
      ),
      offset: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: LIMITS.maxId,
          default: 0,
          description: `${options.items} to skip${options.offsetFrom ? `, ${options.offsetFrom}` : ''} (pages: 0, limit, 2×limit…)`,
        }),
      ),
    },
    { additionalProperties: false },
  );

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
