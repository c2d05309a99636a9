import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSync } from 'recheck';
import ts from 'typescript';
import type {} from '@fastify/swagger';
import * as shared from '@todo-stack/shared';
import { buildApp } from '../../src/app/app.js';
import { parseIntent } from '../../src/chat/offline/intent.js';
import { LinearPattern, parserPatterns } from '../../src/chat/offline/linear.js';
import { loadConfig } from '../../src/config.js';
import { openToolSession } from '../../src/mcp/client.js';
import type { TasksRepository } from '../../src/tasks/tasks-repository.js';

// "No single request can stall the event loop" (docs/security.md): every regular expression that can see client
// input runs in time linear in its input. V8's engine backtracks, so each pattern it runs must be one that recheck
// (a ReDoS checker: automaton analysis plus fuzzing) calls "safe"; the offline chat parser's free-text patterns run
// on RE2 instead (linear whatever the pattern). Patterns are collected, not listed by hand, so a new one cannot
// slip in unchecked: from the OpenAPI document (every route's schema), from every schema libs/shared exports, from
// the MCP tools' input schemas, and from every regex literal in the backend's and the shared library's source.

// recheck's pure-JS backend: no JVM and no native binary (its `auto` mode would start one).
process.env['RECHECK_SYNC_BACKEND'] = 'pure';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** Every `pattern` keyword anywhere in a JSON-Schema-like value. */
function schemaPatterns(value: unknown, found = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  for (const [key, child] of Object.entries(value)) {
    if (key === 'pattern' && typeof child === 'string') found.add(child);
    else schemaPatterns(child, found, seen);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.(spec|test|d)\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

interface Literal {
  where: string;
  regex: RegExp;
  /** Written as `linear(/…/)`: compiled for RE2, never run by V8. */
  linear: boolean;
}

/** Every regex literal in `files`, with whether it is the argument of a `linear(…)` call. */
function regexLiterals(files: string[]): Literal[] {
  const literals: Literal[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isRegularExpressionLiteral(node)) {
        const text = node.text;
        const slash = text.lastIndexOf('/');
        const parent = node.parent;
        literals.push({
          where: `${path.relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`,
          regex: new RegExp(text.slice(1, slash), text.slice(slash + 1)),
          linear: ts.isCallExpression(parent) && parent.expression.getText() === 'linear',
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return literals;
}

const literals = regexLiterals([
  ...sourceFiles(path.join(root, 'apps/backend/src')),
  ...sourceFiles(path.join(root, 'libs/shared/src')),
]);

async function openApiPatterns(): Promise<Set<string>> {
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    database: { kind: 'pglite', dataDir: 'memory://' } as const,
    migrateOnStart: false,
  };
  const app = await buildApp(config, { logger: false });
  try {
    await app.ready();
    return schemaPatterns(app.swagger());
  } finally {
    await app.close();
  }
}

async function toolPatterns(): Promise<Set<string>> {
  const log = { error: () => undefined };
  const session = await openToolSession({} as TasksRepository, 'user', { requestId: 'test', log });
  try {
    return schemaPatterns(session.definitions);
  } finally {
    await session.close();
  }
}

/** V8 patterns, as recheck reads them: schema patterns are compiled by ajv with the `u` flag, zod's without. */
function v8Patterns(fromSchemas: Set<string>): [source: string, flags: string, where: string][] {
  return [
    ...[...fromSchemas].flatMap((source): [string, string, string][] => [
      [source, 'u', 'schema (ajv)'],
      [source, '', 'schema (zod)'],
    ]),
    ...literals.filter((l) => !l.linear).map((l): [string, string, string] => [l.regex.source, l.regex.flags, l.where]),
  ];
}

describe('every pattern that sees client input is linear-time', () => {
  let schemas: Set<string>;

  beforeAll(async () => {
    schemas = new Set<string>([
      ...(await openApiPatterns()),
      ...schemaPatterns(shared),
      ...(await toolPatterns()),
      ...Object.values(shared.TEXT_PATTERNS),
    ]);
  }, 120_000);

  it('finds the patterns it must check (the collection itself works)', () => {
    // The text rules and the user id reach the OpenAPI document, the MCP tools and the shared exports.
    expect([...schemas]).toEqual(expect.arrayContaining([...Object.values(shared.TEXT_PATTERNS)]));
    expect(schemas.size).toBeGreaterThanOrEqual(3);
    expect(literals.filter((l) => !l.linear).length).toBeGreaterThan(5);
  });

  it('recheck calls every pattern V8 runs "safe" (schemas, route and header checks, log and error helpers)', () => {
    const verdicts = v8Patterns(schemas).map(([source, flags, where]) => {
      const diagnostics = checkSync(source, flags, { timeout: 60_000 });
      const complexity = diagnostics.status === 'vulnerable' ? ` (${diagnostics.complexity.summary})` : '';
      return `${diagnostics.status}${complexity}: /${source}/${flags} at ${where}`;
    });
    expect(verdicts.filter((verdict) => !verdict.startsWith('safe:'))).toEqual([]);
    expect(verdicts.length).toBeGreaterThan(8);
  }, 600_000);

  it('every regex literal of the offline parser is compiled for RE2, none left to V8 but an explicit list', () => {
    const parser = literals.filter((l) => l.where.startsWith('apps/backend/src/chat/offline/'));
    const onV8 = parser.filter((l) => !l.linear).map((l) => `/${l.regex.source}/${l.regex.flags}`);
    // These two run on V8 (recheck checks them above): the whitespace collapse before the RE2 patterns, and the
    // rewording of the tool's own "Task N not found". Anything else in the parser must go through `linear()`.
    expect(onV8.sort()).toEqual(['/\\s+/g', '/^Task \\d+ not found$/']);
    const onRe2 = parser.filter((l) => l.linear).map((l) => l.regex.toString());
    expect(parserPatterns.every((pattern) => pattern instanceof LinearPattern)).toBe(true);
    expect(parserPatterns.map((pattern) => pattern.source.toString()).sort()).toEqual(onRe2.sort());
    expect(onRe2.length).toBeGreaterThanOrEqual(25);
  });

  it('the parser answers the worst cases for its patterns at the message limit', () => {
    const n = shared.LIMITS.chatMessage;
    const worst = [
      ' '.repeat(n - 1) + '\u0000',
      '!'.repeat(n - 1) + 'x',
      `rename ${'a to '.repeat((n - 20) / 5)}`,
      `change ${'x '.repeat((n - 20) / 2)}description`,
      `mark ${'x '.repeat((n - 20) / 2)}as`,
      `${'x is '.repeat((n - 10) / 5)}`,
      `add ${'task '.repeat((n - 10) / 5)}-`,
      `delete ${'the '.repeat((n - 10) / 4)}`,
      '"'.repeat(n),
      `task ${'# '.repeat((n - 10) / 2)}x`,
      'x'.repeat(n * 3), // over the limit: capped before any pattern runs
    ];
    for (const message of worst) expect(parseIntent(message).kind).toEqual(expect.any(String));
  });
});
