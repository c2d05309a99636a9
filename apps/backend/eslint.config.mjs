import baseConfig from '../../eslint.config.mjs';

/** The domain folders: plain TypeScript over the database, which src/app/ wires into Fastify. */
const DOMAIN = ['auth', 'chat', 'db', 'mcp', 'rate-limit', 'tasks'];

export default [
  ...baseConfig,
  {
    files: [...DOMAIN.map((folder) => `src/${folder}/**/*.ts`), 'src/config.ts', 'src/paths.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/app/*', '**/app/**', '../app', '../../app'],
              message:
                'Domain code does not depend on the Fastify app: src/app/ imports the domain, never the reverse.',
            },
            {
              group: ['fastify', 'fastify-plugin', '@fastify/*'],
              message: 'Domain code is framework-free: decorate and hook it into Fastify in src/app/plugins/.',
            },
          ],
        },
      ],
    },
  },
];
