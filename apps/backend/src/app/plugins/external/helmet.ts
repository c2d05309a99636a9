import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';

/** Security headers on every response. The API serves JSON; only the docs page needs scripts and styles. */
export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
          // Deployments may be plain HTTP (Minikube's todo.local): don't make browsers rewrite to https.
          upgradeInsecureRequests: null,
        },
      },
    });
  },
  { name: 'helmet', dependencies: ['config'] },
);
