// @ts-check
// esbuild settings for the backend bundle (used by the `build` target through @nx/esbuild).
const { cp, readFile } = require('node:fs/promises');
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

// V8 stores a script as one byte per character only when every character fits in Latin-1; one curly quote anywhere
// doubles the memory the 3 MB bundle's source takes for the life of the process. esbuild escapes such characters in
// strings and identifiers, but keeps regex literals as written, so the build checks its own output.
/** @type {import('esbuild').Plugin} */
const oneByteSource = {
  name: 'one-byte-source',
  setup(build) {
    build.onEnd(async (result) => {
      const { outfile } = build.initialOptions;
      const files = outfile ? [outfile] : Object.keys(result.metafile?.outputs ?? {}).filter((f) => f.endsWith('.js'));
      const errors = [];
      for (const file of files) {
        const text = await readFile(path.resolve(file), 'utf8').catch(() => '');
        const at = text.search(/[\u0100-\uffff]/); // without the u flag, astral characters match as surrogates
        if (at < 0) continue;
        const line = text.slice(0, at).split('\n').length;
        errors.push({
          text:
            `${file}:${line} holds ${JSON.stringify(text.slice(Math.max(0, at - 30), at + 10))}. Write characters ` +
            'above U+00FF as escapes (in a regex literal: /[\\u201C]/), or V8 keeps the whole bundle as two-byte text.',
        });
      }
      return { errors };
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
module.exports = {
  outExtension: { '.js': '.js' },
  // Modules loaded with `await import()` only when needed (the OpenTelemetry SDK, with tracing on) become chunks
  // beside main.js, so a process that never loads them never parses them. Same folder: `import.meta.url` means the
  // same place in every chunk (src/paths.ts).
  splitting: true,
  chunkNames: '[name]-[hash]',
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
  plugins: [copySwaggerUi, oneByteSource],
};
