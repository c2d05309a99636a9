// @ts-check
// esbuild settings for the backend bundle (used by the `build` target through @nx/esbuild).
const { cp } = require('node:fs/promises');
const path = require('node:path');

// The docs UI serves its own static files at run time; the bundle carries a copy beside main.js
// (Nx's asset copy skips anything under node_modules).
const swaggerUiStatic = path.join(path.dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');

/** @type {import('esbuild').Plugin} */
const copySwaggerUi = {
  name: 'copy-swagger-ui-static',
  setup(build) {
    build.onEnd(async (result) => {
      const { outdir, outfile } = build.initialOptions;
      const target = outdir ?? (outfile && path.dirname(outfile));
      if (result.errors.length === 0 && target) {
        await cp(swaggerUiStatic, path.join(target, 'static'), { recursive: true });
      }
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
module.exports = {
  outExtension: { '.js': '.js' },
  legalComments: 'none',
  // An ESM bundle that inlines CommonJS dependencies: give them the globals they expect.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join('\n'),
  },
  plugins: [copySwaggerUi],
};
