import { GRAPH } from '../testing/fake-workspace.ts';
import { affectedBy, owningProject } from './affected.ts';
import { ignored } from './file-watcher.ts';

describe('affectedBy', () => {
  it.each([
    [['apps/backend/src/main.ts'], { apps: ['backend'], release: false }],
    [['apps/frontend/src/app/page.tsx'], { apps: ['frontend'], release: false }],
    [['libs/shared/src/tasks.ts'], { apps: ['backend', 'frontend'], release: false }],
    [['apps/backend-e2e/src/tasks.test.ts'], { apps: [], release: false }],
    [['deploy/helm/todo-stack/values.yaml'], { apps: [], release: true }],
    [['deploy/helm/todo-stack/values.yaml', 'apps/frontend/next.config.js'], { apps: ['frontend'], release: true }],
    // No project owns it, so it may be an input of anything: every app, and the hashes decide.
    [['tsconfig.base.json'], { apps: ['backend', 'frontend'], release: true }],
  ])('%j → %j', (files, expected) => {
    expect(affectedBy(GRAPH, { project: 'deploy', apps: ['backend', 'frontend'] }, files)).toEqual(expected);
  });

  it('a file belongs to the deepest project root that holds it, not to a sibling with the same prefix', () => {
    expect(owningProject(GRAPH, 'apps/backend-e2e/x.ts')).toBe('backend-e2e');
    expect(owningProject(GRAPH, 'apps/backend/x.ts')).toBe('backend');
    expect(owningProject(GRAPH, 'apps/x.ts')).toBeUndefined();
  });
});

describe('ignored', () => {
  it.each(['node_modules/x/index.js', 'apps/frontend/.next/server/app.js', 'apps/backend/dist/main.js', '.nx/cache/x'])(
    '%s is ignored',
    (file) => expect(ignored(file)).toBe(true),
  );
  it('sources are not', () => expect(ignored('apps/backend/src/distance.ts')).toBe(false));
});
