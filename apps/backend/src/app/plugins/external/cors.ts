import fp from 'fastify-plugin';
import cors from '@fastify/cors';

/** Browsers may call the API only from the frontend's origin(s), with credentials (the session cookie). */
export default fp(
  async (app) => {
    await app.register(cors, {
      origin: app.config.frontendOrigins,
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'set-auth-token'],
      maxAge: 600,
    });
  },
  { name: 'cors', dependencies: ['config'] },
);
