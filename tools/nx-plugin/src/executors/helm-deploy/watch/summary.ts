import type { LoopResult } from './redeploy.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** "backend bundle rebuilt, 1 file (3.10 MB) written, restarting in place; frontend: its dev server recompiles". */
function liveParts({ live }: LoopResult): string {
  const parts = (live?.bundles ?? []).map(({ app, files, bytes }) =>
    files.length
      ? `${app} bundle rebuilt, ${files.length} file${files.length > 1 ? 's' : ''} (${megabytes(bytes)}) written, restarting in place`
      : `${app} bundle unchanged`,
  );
  for (const app of live?.devServers ?? []) parts.push(`${app}: its dev server recompiles at the next request`);
  return parts.join('; ') || 'nothing to sync';
}

/** "apps/backend/src/main.ts" or "apps/backend/src/main.ts +2 more". */
function changed(files: string[]): string {
  if (files.length <= 1) return files[0] ?? 'nothing';
  return `${files[0]} +${files.length - 1} more`;
}

/**
 * The one line a loop prints: what changed, what rebuilt, what rolled, each phase's duration, e.g.
 * `↻ apps/backend/src/main.ts │ rebuilt backend │ rolled backend │ graph 0.4s · build 6.1s · load 1.2s · roll 8.0s`.
 */
export function summaryLine(result: LoopResult): string {
  const phases = result.phases.map(({ phase, ms }) => `${phase} ${seconds(ms)}`).join(' · ');
  const parts = [`changed ${changed(result.files)}`];
  if (result.fallback) parts.push(`image-and-roll: ${result.fallback}`);
  switch (result.outcome) {
    case 'unaffected':
      parts.push(
        result.edited.length
          ? 'nothing to deploy: no app image input, not the release; nothing rebuilt, nothing rolled'
          : 'nothing to deploy: contents as deployed; nothing rebuilt, nothing rolled',
      );
      break;
    case 'live':
      parts.push(`live: ${liveParts(result)}`);
      break;
    case 'unchanged':
      parts.push(
        result.affected.length
          ? `${result.affected.join(', ')}: same image tags (Nx cache), nothing rolled`
          : 'release inputs unchanged, nothing rolled',
      );
      break;
    case 'rolled':
      parts.push(
        result.rebuilt.length ? `rebuilt ${result.rebuilt.join(', ')}` : 'no image changed',
        result.rebuilt.length ? `rolled ${result.rebuilt.join(', ')}` : 'release upgraded (chart or values)',
      );
      break;
    case 'failed':
      parts.push(`${result.error ?? 'failed'} (still watching)`);
      break;
  }
  const mark = { failed: '✖', live: '⚡' }[result.outcome as string] ?? '↻';
  return `${mark} ${parts.join(' │ ')}${phases ? ` │ ${phases}` : ''}`;
}
