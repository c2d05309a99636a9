import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Locates a folder the backend reads at run time. The production build is one bundle (`dist/main.js`)
 * with its assets copied beside it (`dist/<name>`); from source (tests, tools) the folder is found at
 * `fromSource`, relative to `src/`, if given.
 */
export function assetDir(name: string, fromSource?: string): string | undefined {
  const candidates = [new URL(`./${name}`, import.meta.url)];
  if (fromSource) candidates.push(new URL(fromSource, import.meta.url));
  return candidates.map((url) => fileURLToPath(url)).find((dir) => existsSync(dir));
}
