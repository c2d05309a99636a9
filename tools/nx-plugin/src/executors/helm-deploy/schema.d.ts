/** Options of the `@todo-stack/nx-plugin:helm-deploy` executor (schema.json describes each one). */
export interface HelmDeployExecutorSchema {
  profile?: string;
  namespace?: string;
  release?: string;
  chart?: string;
  valuesFiles?: string[];
  set?: string[];
  dryRun?: boolean;
  skipBuild?: boolean;
  force?: boolean;
  kubeContext?: string;
  loadCommand?: string;
  transport?: 'load' | 'registry';
  registry?: string;
  clusterRegistry?: string;
  extraImages?: string[];
  timeout?: string;
  helmTest?: boolean;
  host?: string;
  watch?: boolean;
  cleanup?: boolean;
  port?: number;
  debounce?: number;
  migrationsDir?: string;
  live?: boolean;
  liveWorkspace?: string;
  watchTimeout?: string;
  frontDoor?: boolean;
}
