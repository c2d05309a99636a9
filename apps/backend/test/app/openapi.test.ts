import { CreateTask, LIMITS } from '@todo-stack/shared';
import { setupTestApp } from '../helper.js';

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
        responses: Record<string, unknown>;
      }
    >
  >;
}

describe('OpenAPI document and docs UI', () => {
  const ctx = setupTestApp();

  it('documents every route from the schemas that validate it', async () => {
    const res = await ctx.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApi>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/ready',
        '/api/auth/sign-up/email',
        '/api/auth/sign-in/email',
        '/api/{user_id}/tasks',
        '/api/{user_id}/tasks/{id}',
        '/api/{user_id}/tasks/{id}/complete',
        '/api/{user_id}/chat',
        '/api/{user_id}/conversations',
        '/api/{user_id}/conversations/{id}',
        '/mcp',
      ]),
    );
    const body = doc.paths['/api/{user_id}/tasks']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(body).toMatchObject({
      properties: { title: { maxLength: LIMITS.taskTitle } },
      required: CreateTask.required,
    });
    expect(Object.keys(doc.paths['/api/{user_id}/tasks/{id}']?.['delete']?.responses ?? {})).toEqual(
      expect.arrayContaining(['204', '401', '403', '404', '422']),
    );
  });

  it('serves the docs UI', async () => {
    const page = await ctx.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('swagger-ui');
  });
});
