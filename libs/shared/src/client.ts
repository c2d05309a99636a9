import type { AuthResponse, Session, SignInBody, SignUpBody } from './auth.js';
import type { ChatRequest, ChatResponse, Conversation, ConversationList } from './chat.js';
import type { ErrorBody, ValidationIssue } from './common.js';
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

type Query = Record<string, string | number | boolean | undefined>;

/** A typed client for the Todo Stack API, usable in browsers, Node and tests. */
export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function request<T>(method: string, path: string, init: { body?: unknown; query?: Query } = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';

    const url = `${baseUrl}${path}${search.size > 0 ? `?${search}` : ''}`;
    const response = await doFetch(url, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: options.credentials,
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const payload: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const detail = (payload as Partial<ErrorBody> | undefined)?.detail;
      throw new ApiError(response.status, detail ?? (response.statusText || `HTTP ${response.status}`), payload);
    }
    return payload as T;
  }

  const userPath = (userId: string) => `/api/${encodeURIComponent(userId)}`;

  return {
    health: () => request<Health>('GET', '/health'),
    ready: () => request<Readiness>('GET', '/ready'),
    auth: {
      signUp: (body: SignUpBody) => request<AuthResponse>('POST', '/api/auth/sign-up/email', { body }),
      signIn: (body: SignInBody) => request<AuthResponse>('POST', '/api/auth/sign-in/email', { body }),
      signOut: () => request<{ success: boolean }>('POST', '/api/auth/sign-out'),
      getSession: () => request<Session | null>('GET', '/api/auth/get-session'),
    },
    tasks: {
      list: (userId: string, query: TaskQuery = {}) => request<TaskList>('GET', `${userPath(userId)}/tasks`, { query }),
      create: (userId: string, body: CreateTask) => request<Task>('POST', `${userPath(userId)}/tasks`, { body }),
      get: (userId: string, id: number) => request<Task>('GET', `${userPath(userId)}/tasks/${id}`),
      update: (userId: string, id: number, body: UpdateTask) =>
        request<Task>('PUT', `${userPath(userId)}/tasks/${id}`, { body }),
      remove: (userId: string, id: number) => request<void>('DELETE', `${userPath(userId)}/tasks/${id}`),
      toggle: (userId: string, id: number) => request<Task>('PATCH', `${userPath(userId)}/tasks/${id}/complete`),
    },
    chat: {
      send: (userId: string, body: ChatRequest) => request<ChatResponse>('POST', `${userPath(userId)}/chat`, { body }),
      conversations: (userId: string) => request<ConversationList>('GET', `${userPath(userId)}/conversations`),
      conversation: (userId: string, id: number) =>
        request<Conversation>('GET', `${userPath(userId)}/conversations/${id}`),
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}
