import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deployFingerprint, migrationsKey } from './fingerprint.ts';
import { normalizeOptions } from './options.ts';

const workspaceRoot = path.resolve(__dirname, '../../../../..');

describe('deployFingerprint', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'fingerprint-'));
  cpSync(path.join(workspaceRoot, 'deploy/helm/todo-stack'), path.join(root, 'deploy/helm/todo-stack'), {
    recursive: true,
  });
  const o = normalizeOptions({}, { MINIKUBE_PROFILE: 'todo-stack' });
  const sets = ['backend.image.tag=nx-1', 'frontend.image.tag=nx-2'];
  const base = deployFingerprint(root, o, sets);

  it('is stable for the same inputs and fits a label value', () => {
    expect(deployFingerprint(root, o, [...sets])).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{48}$/);
  });

  it('changes with any chart file, values file, --set pair, extra image, release or namespace', () => {
    expect(deployFingerprint(root, o, ['backend.image.tag=nx-1', 'frontend.image.tag=nx-3'])).not.toBe(base);
    expect(deployFingerprint(root, { ...o, extraImages: ['postgres:17.6'] }, sets)).not.toBe(base);
    expect(deployFingerprint(root, { ...o, namespace: 'qa' }, sets)).not.toBe(base);
    expect(deployFingerprint(root, { ...o, release: 'other' }, sets)).not.toBe(base);
    writeFileSync(path.join(root, 'deploy/helm/todo-stack/values-dev.yaml'), '# edited\n', { flag: 'a' });
    const afterValues = deployFingerprint(root, o, sets);
    expect(afterValues).not.toBe(base);
    writeFileSync(path.join(root, 'deploy/helm/todo-stack/templates/NOTES.txt'), 'edited\n', { flag: 'a' });
    expect(deployFingerprint(root, o, sets)).not.toBe(afterValues);
  });
});

describe('migrationsKey', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'migrations-key-'));
  cpSync(path.join(workspaceRoot, 'deploy/helm/todo-stack'), path.join(root, 'deploy/helm/todo-stack'), {
    recursive: true,
  });
  const migrations = path.join(root, 'apps/backend/dist/drizzle');
  cpSync(path.join(workspaceRoot, 'apps/backend/drizzle'), migrations, { recursive: true });
  const o = normalizeOptions({}, { MINIKUBE_PROFILE: 'todo-stack' });
  const key = (options = o) => {
    const computed = migrationsKey(root, options);
    return 'key' in computed ? computed.key : computed.unknown;
  };
  const base = key();

  it('reads the build output by default, is stable and fits a label value', () => {
    expect(base).toMatch(/^[0-9a-f]{48}$/);
    expect(key()).toBe(base);
  });

  it('does not depend on the image refs or extra images (they change with every source edit)', () => {
    expect(key({ ...o, extraImages: ['postgres:17.6'] })).toBe(base);
  });

  it('changes with the migrations, the --set pairs, the values files, the chart and the namespace', () => {
    expect(key({ ...o, set: ['externalDatabase.url=postgres://db/todo'] })).not.toBe(base);
    expect(key({ ...o, valuesFiles: [] })).not.toBe(base);
    expect(key({ ...o, namespace: 'qa' })).not.toBe(base);
    writeFileSync(path.join(migrations, 'meta/_journal.json'), '\n', { flag: 'a' });
    const afterJournal = key();
    expect(afterJournal).not.toBe(base);
    writeFileSync(path.join(root, 'deploy/helm/todo-stack/values.yaml'), '# edited\n', { flag: 'a' });
    expect(key()).not.toBe(afterJournal);
  });

  it('is unknown without the migrations, or when a --set pair chooses the backend image', () => {
    expect(key({ ...o, migrationsDir: 'apps/backend/nowhere' })).toBe('apps/backend/nowhere is missing');
    expect(key({ ...o, migrationsDir: '' })).toBe('migrationsDir is empty');
    expect(key({ ...o, set: ['backend.image.registry=ghcr.io/me'] })).toBe(
      '--set backend.image.registry=ghcr.io/me chooses the backend image',
    );
  });
});
