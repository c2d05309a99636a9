export { default as minikubeExecutor } from './executors/minikube/executor';
export type { MinikubeExecutorSchema } from './executors/minikube/schema';
