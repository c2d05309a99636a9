export { default as helmDeployExecutor } from './executors/helm-deploy/executor';
export type { HelmDeployExecutorSchema } from './executors/helm-deploy/schema';
