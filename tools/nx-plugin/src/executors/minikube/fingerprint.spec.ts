import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deployFingerprint } from './fingerprint';
import { normalizeOptions } from './options';

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
