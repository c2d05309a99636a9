/**
 * @jest-environment node
 */
import { DEFAULT_NEXT_PATH, safeNextPath } from '@/app/lib/next-path';

describe('safeNextPath (?next= after signing in)', () => {
  it.each([
    ['/chat', '/chat'],
    ['/tasks?status=pending#list', '/tasks?status=pending#list'],
    ['/%09/evil.example', '/%09/evil.example'],
    ['/tasks/../chat', '/chat'],
  ])('keeps the same-site path %j as %j', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each<[string | null, string]>([
    ['//evil.example', 'scheme-relative'],
    ['/\\evil.example', 'backslash, read as a slash'],
    ['/\t/evil.example', '?next=/%09/evil.example once decoded: the tab is dropped'],
    ['/\n/evil.example', 'a newline, dropped the same way'],
    ['\\/evil.example', 'leading backslash'],
    ['https://evil.example/tasks', 'absolute URL'],
    ['javascript:alert(1)', 'script URL'],
    ['tasks', 'relative path'],
    ['/sign-in?next=/chat', 'back to sign-in'],
    ['', 'empty'],
    [null, 'missing'],
  ])('falls back to the default for %j (%s)', (next: string | null) => {
    expect(safeNextPath(next)).toBe(DEFAULT_NEXT_PATH);
  });
});
