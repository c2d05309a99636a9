/**
 * The environment the suites run `nx` in, as CI does (.ci/run): no daemon, no terminal UI, no Nx Cloud, no
 * colours, so each run is the same and its output is plain lines to read and assert on.
 */
export const SCRIPTED_NX = { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', NO_COLOR: '1' } as const;

/** This process's environment with {@link SCRIPTED_NX}, then `overrides` (e.g. `{ NX_DAEMON: 'true' }`). */
export function scriptedNxEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...SCRIPTED_NX, ...overrides };
}
