import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  CreateTask,
  ErrorBody,
  Task,
  TaskList,
  TaskParams,
  TaskQuery,
  UpdateTask,
  UserParams,
} from '@todo-stack/shared';
import { signedIn, userRouteErrors } from '../../openapi.js';

const NOT_FOUND = 'Task not found';
const errors = userRouteErrors;
const common = { tags: ['tasks'], security: signedIn };

/** /api/{user_id}/tasks: the caller's tasks. Ownership is checked by user-scope; rows are scoped by user. */
const tasksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = app.tasksRepository;

  app.get(
    '/',
    {
      schema: {
        ...common,
        summary: 'List a page of tasks, filtered by status and sorted; `total` counts all matches',
        params: UserParams,
        querystring: TaskQuery,
        response: { 200: TaskList, ...errors },
      },
    },
    async (request) => repo.list(request.params.user_id, request.query),
  );

  app.post(
    '/',
    {
      schema: {
        ...common,
        summary: 'Create a task (409 once the user keeps the most tasks allowed)',
        params: UserParams,
        body: CreateTask,
        response: { 201: Task, ...errors, 409: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await repo.create(request.params.user_id, request.body)),
  );

  app.get(
    '/:id',
    { schema: { ...common, summary: 'Get one task', params: TaskParams, response: { 200: Task, ...errors } } },
    async (request, reply) => {
      const task = await repo.get(request.params.user_id, request.params.id);
      return task ?? reply.notFound(NOT_FOUND);
    },
  );

  app.put(
    '/:id',
    {
      schema: {
        ...common,
        summary: 'Change the given fields of a task',
        params: TaskParams,
        body: UpdateTask,
        response: { 200: Task, ...errors },
      },
    },
    async (request, reply) => {
      const task = await repo.update(request.params.user_id, request.params.id, request.body);
      return task ?? reply.notFound(NOT_FOUND);
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        ...common,
        summary: 'Delete a task',
        params: TaskParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errors },
      },
    },
    async (request, reply) => {
      const task = await repo.remove(request.params.user_id, request.params.id);
      return task ? reply.status(204).send(null) : reply.notFound(NOT_FOUND);
    },
  );

  app.patch(
    '/:id/complete',
    {
      schema: {
        ...common,
        summary: 'Toggle completion',
        params: TaskParams,
        response: { 200: Task, ...errors },
      },
    },
    async (request, reply) => {
      const task = await repo.toggle(request.params.user_id, request.params.id);
      return task ?? reply.notFound(NOT_FOUND);
    },
  );
};

export default tasksRoutes;
