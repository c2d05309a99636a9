export { default as helmDeployExecutor } from './executors/helm-deploy/executor.ts';
export type { HelmDeployExecutorSchema } from './executors/helm-deploy/schema.js';
