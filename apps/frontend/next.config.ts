import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * One build for every environment: nothing environment-specific is baked in. The backend URL is read by the
 * /api proxy at request time (BACKEND_URL), so the same standalone server or image runs anywhere.
 */
const nextConfig: NextConfig = {
  output: 'standalone',
  // Trace files from the workspace root so the standalone folder holds the hoisted node_modules it needs.
  outputFileTracingRoot: workspaceRoot,
  // Build-time tools hoisted into the workspace's node_modules (webpack and its minifiers via @nx/next, SWC, esbuild,
  // sass) are reachable from Next's server code only through build paths: keep them out of the runtime trace. sharp
  // is unused too (images.unoptimized).
  outputFileTracingExcludes: {
    '*': [
      '**/node_modules/webpack/**',
      '**/node_modules/webpack-sources/**',
      '**/node_modules/*-webpack-plugin/**',
      '**/node_modules/@swc/core*/**',
      '**/node_modules/@esbuild/**',
      '**/node_modules/esbuild/**',
      '**/node_modules/sass/**',
      '**/node_modules/terser/**',
      '**/node_modules/uglify-js/**',
      '**/node_modules/csso/**',
      '**/node_modules/sharp/**',
      '**/node_modules/@img/**',
    ],
  },
  // The shared contracts are TypeScript sources in the workspace (ESM with .js specifiers).
  transpilePackages: ['@todo-stack/shared'],
  // The OpenTelemetry SDK (src/instrumentation-node.ts, loaded only with tracing on) runs from node_modules as
  // published rather than through webpack, as Next.js recommends for it.
  serverExternalPackages: [
    '@opentelemetry/context-async-hooks',
    '@opentelemetry/core',
    '@opentelemetry/exporter-trace-otlp-http',
    '@opentelemetry/resources',
    '@opentelemetry/sdk-trace',
  ],
  poweredByHeader: false,
  // On every answer but /api's (the backend's own headers pass through there). The Content-Security-Policy (with
  // frame-ancestors 'none') and HSTS change per request: src/proxy.ts sets them on pages.
  async headers() {
    return [
      {
        source: '/((?!api/|api$).*)',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
  experimental: {
    // Server Actions (src/app/lib/actions.ts) take form fields and a chat message: the largest is 5,000 characters.
    // Bodies over the backend's default BODY_LIMIT_BYTES are refused before the action runs (a build-time setting,
    // unlike the /api forwarder's, which reads BODY_LIMIT_BYTES per request). Next also checks that an action's
    // Origin is this host (its default; no other origin is allowed).
    serverActions: { bodySizeLimit: '100kb' },
  },
  reactStrictMode: true,
  productionBrowserSourceMaps: false,
  images: { unoptimized: true },
  // Types are checked by `nx typecheck frontend` (part of `npm test`), against the shared lib's declarations.
  typescript: { ignoreBuildErrors: true },
  // libs/shared is ESM TypeScript that imports './tasks.js' for './tasks.ts' (as Node and tsc expect). Webpack maps
  // that with extensionAlias; Turbopack has no such option yet (vercel/next.js#82945), hence `--webpack`.
  webpack(config: { resolve: { extensionAlias?: Record<string, string[]> } }) {
    config.resolve.extensionAlias = { ...config.resolve.extensionAlias, '.js': ['.ts', '.tsx', '.js'] };
    return config;
  },
};

export default nextConfig;
