// @ts-check
/** Small helpers around the docker CLI for the real-container tests (no SDK: the CLI is what CI and people use). */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Names of everything these tests create start with this, so a cleanup only ever touches our own objects. */
const PREFIX = 'ts-ct-';

/**
 * Runs `docker …` and returns stdout (trimmed). Rejects with stderr in the message.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv; timeout?: number }} [options]
 */
export async function docker(args, options = {}) {
  try {
    const { stdout } = await execFileAsync('docker', args, {
      env: options.env ?? process.env,
      timeout: options.timeout ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const e = /** @type {Error & { stderr?: string; code?: number }} */ (error);
    throw new Error(`docker ${args.join(' ')} failed (exit ${e.code}): ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * `docker …` that may fail: resolves with its exit code and output instead.
 * @param {string[]} args
 * @returns {Promise<{ code: number; stdout: string; stderr: string }>}
 */
export function dockerResult(args) {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

/** @param {string} ref */
export async function inspectImage(ref) {
  return JSON.parse(await docker(['image', 'inspect', ref]))[0];
}

/** @param {string} name */
export async function inspectContainer(name) {
  return JSON.parse(await docker(['container', 'inspect', name]))[0];
}

/** @param {string} label */
export const uniqueName = (label) => `${PREFIX}${label}-${randomBytes(4).toString('hex')}`;

/** The host port docker published for a container port. @param {string} name @param {number} port */
export async function publishedPort(name, port) {
  const out = await docker(['port', name, `${port}/tcp`]);
  const match = /:(\d+)\s*$/m.exec(out.split('\n')[0]);
  if (!match) throw new Error(`no published port for ${name}:${port} (${out})`);
  return Number(match[1]);
}

/**
 * Size the image adds over its base, in bytes, checking that `base` really is its base (its layers are a prefix).
 * @param {string} ref
 * @param {string} baseRef
 */
export async function appLayerBytes(ref, baseRef) {
  const [image, base] = await Promise.all([inspectImage(ref), inspectImage(baseRef)]);
  const baseLayers = base.RootFS.Layers;
  const isPrefix = baseLayers.every(
    (/** @type {string} */ layer, /** @type {number} */ i) => image.RootFS.Layers[i] === layer,
  );
  if (!isPrefix)
    throw new Error(`${baseRef} is not the base of ${ref}: build ${ref} with --build-arg BASE_IMAGE=${baseRef}`);
  return image.Size - base.Size;
}

/** @param {number} bytes */
export const megabytes = (bytes) => Math.round((bytes / 1e6) * 10) / 10;

/**
 * Every path under `root` inside the image (files and directories, relative to root), listed by the image's own
 * node, so no tool beyond what the app needs must be in the image.
 * @param {string} ref
 * @param {string} root
 * @returns {Promise<string[]>}
 */
export async function listFiles(ref, root) {
  const script = `const fs=require('fs'),p=require('path');const out=[];(function walk(d,r){for(const e of fs.readdirSync(d,{withFileTypes:true})){const rel=r?r+'/'+e.name:e.name;out.push(e.isDirectory()?rel+'/':rel);if(e.isDirectory())walk(p.join(d,e.name),rel);}})(${JSON.stringify(root)},'');console.log(out.join('\\n'))`;
  const out = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'node', ref, '-e', script]);
  return out.split('\n').filter(Boolean);
}

/** Required environment variable, with a message that says how to get it. @param {string} name @param {string} hint */
export function requireEnv(name, hint) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: ${hint}`);
  return value;
}
