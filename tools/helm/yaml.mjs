// The `yaml` package for the chart tooling: the workspace's if it has one, else the copy install-helm.sh put in the
// cache (TODO_STACK_NODE_MODULES), so the schema converters run before `npm ci` too.
import { createRequire } from 'node:module';
import path from 'node:path';

export const YAML = await (async () => {
  try {
    return await import('yaml');
  } catch {
    const dir = process.env.TODO_STACK_NODE_MODULES;
    if (!dir) {
      throw new Error(
        'the yaml package is missing: run eval "$(tools/helm/install-helm.sh --env)" first (sets TODO_STACK_NODE_MODULES)',
      );
    }
    return createRequire(path.join(dir, 'noop.js'))('yaml');
  }
})();
