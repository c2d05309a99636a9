import fp from 'fastify-plugin';
import { createTasksRepository, type TasksRepository } from '../../../tasks/tasks-repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    tasksRepository: TasksRepository;
  }
}

/** The tasks domain as `fastify.tasksRepository`. */
export default fp(
  async (app) => {
    app.decorate('tasksRepository', createTasksRepository(app.database));
  },
  { name: 'tasks-repository', dependencies: ['database'] },
);
