import createClient from 'openapi-fetch';
import type { AuthResponse, Session, SignInBody, SignUpBody } from './auth.js';
import type {
  ChatRequest,
  ChatResponse,
  Conversation,
  ConversationList,
  ConversationQuery,
  MessageQuery,
} from './chat.js';
import type { ErrorBody, ValidationIssue } from './common.js';
import type { paths } from './generated/api.js';
import type { Health, Readiness } from './health.js';
import type { CreateTask, Task, TaskList, TaskQuery, UpdateTask } from './tasks.js';

/** A non-2xx answer from the API, with its `{detail}` kept for display and branching. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: ErrorBody['detail'],
    /** The whole error body, for fields beyond `detail` (a failed chat turn's `conversation_id`). */
    readonly body?: unknown,
  ) {
    super(typeof detail === 'string' ? detail : detail.map(formatIssue).join('; '));
    this.name = 'ApiError';
  }

  /** Validation issues keyed by field name (`title`, `email`...), for showing next to form inputs. */
  get fieldErrors(): Record<string, string> {
    if (typeof this.detail === 'string') return {};
    return Object.fromEntries(this.detail.map((issue) => [String(issue.loc.at(-1)), issue.msg]));
  }
}

function formatIssue(issue: ValidationIssue): string {
  return `${issue.loc.slice(1).join('.') || issue.loc.join('.')}: ${issue.msg}`;
}

export interface ApiClientOptions {
  /** Origin (and optional path prefix) of the API, e.g. `http://localhost:8000`; '' for same-origin. */
  baseUrl?: string;
  /** Bearer token, or a function returning the current one; omitted → cookies only. */
  token?: string | (() => string | undefined);
  /** Extra headers on every request (a forwarded cookie on the server side, for instance). */
  headers?: Record<string, string>;
  /** `include` sends the session cookie cross-origin; same-origin browsers send it anyway. */
  credentials?: RequestInit['credentials'];
  fetch?: typeof fetch;
}

/** What openapi-fetch answers: `data` on success, the parsed body (or its text) as `error` otherwise. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError carrying the `{detail}` body (or the text when it is not JSON). */
async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (response.ok) return data as T;
  const detail = typeof error === 'string' ? error || undefined : (error as Partial<ErrorBody> | undefined)?.detail;
  const body = typeof error === 'string' ? (error ? { detail: error } : undefined) : error;
  throw new ApiError(response.status, detail ?? (response.statusText || `HTTP ${response.status}`), body);
}

/**
 * A typed client for the Todo Stack API, usable in browsers, Node and tests. Paths, parameters and answers are
 * checked against the backend's OpenAPI document (`generated/api.d.ts`, `nx run backend:generate-api`); request
 * bodies and the answers handed out are typed by this library's schemas, so a drift between the two fails typecheck.
 */
export function createApiClient(options: ApiClientOptions = {}) {
  const client = createClient<paths>({
    baseUrl: (options.baseUrl ?? '').replace(/\/$/, ''),
    headers: { accept: 'application/json', ...options.headers },
    credentials: options.credentials,
    // Resolved on every call (not bound at creation), so tests and instrumentation can replace the global.
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
  });
  client.use({
    onRequest({ request }) {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  const user = (userId: string) => ({ path: { user_id: userId } });
  const task = (userId: string, id: number) => ({ path: { user_id: userId, id } });

  return {
    health: (): Promise<Health> => unwrap(client.GET('/health')),
    ready: (): Promise<Readiness> => unwrap(client.GET('/ready')),
    auth: {
      signUp: (body: SignUpBody): Promise<AuthResponse> => unwrap(client.POST('/api/auth/sign-up/email', { body })),
      signIn: (body: SignInBody): Promise<AuthResponse> => unwrap(client.POST('/api/auth/sign-in/email', { body })),
      signOut: (): Promise<{ success: boolean }> => unwrap(client.POST('/api/auth/sign-out')),
      getSession: (): Promise<Session | null> => unwrap(client.GET('/api/auth/get-session')),
    },
    tasks: {
      list: (userId: string, query: TaskQuery = {}): Promise<TaskList> =>
        unwrap(client.GET('/api/{user_id}/tasks', { params: { ...user(userId), query } })),
      create: (userId: string, body: CreateTask): Promise<Task> =>
        unwrap(client.POST('/api/{user_id}/tasks', { params: user(userId), body })),
      get: (userId: string, id: number): Promise<Task> =>
        unwrap(client.GET('/api/{user_id}/tasks/{id}', { params: task(userId, id) })),
      update: (userId: string, id: number, body: UpdateTask): Promise<Task> =>
        unwrap(client.PUT('/api/{user_id}/tasks/{id}', { params: task(userId, id), body })),
      remove: (userId: string, id: number): Promise<void> =>
        unwrap(client.DELETE('/api/{user_id}/tasks/{id}', { params: task(userId, id) })).then(() => undefined),
      toggle: (userId: string, id: number): Promise<Task> =>
        unwrap(client.PATCH('/api/{user_id}/tasks/{id}/complete', { params: task(userId, id) })),
    },
    chat: {
      send: (userId: string, body: ChatRequest): Promise<ChatResponse> =>
        unwrap(client.POST('/api/{user_id}/chat', { params: user(userId), body })),
      /** A page of the user's conversations, most recently active first. */
      conversations: (userId: string, query: ConversationQuery = {}): Promise<ConversationList> =>
        unwrap(client.GET('/api/{user_id}/conversations', { params: { ...user(userId), query } })),
      /** A conversation with a page of its messages (offset 0: the newest page), oldest first. */
      conversation: (userId: string, id: number, query: MessageQuery = {}): Promise<Conversation> =>
        unwrap(client.GET('/api/{user_id}/conversations/{id}', { params: { ...task(userId, id), query } })),
      removeConversation: (userId: string, id: number): Promise<void> =>
        unwrap(client.DELETE('/api/{user_id}/conversations/{id}', { params: task(userId, id) })).then(() => undefined),
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
