import { RE2JS } from 're2js';

/**
 * A pattern of the offline parser, run by RE2 (re2js, a pure-JS port) instead of V8's backtracking engine.
 *
 * The parser's patterns read free text with lazy groups and unanchored suffixes (`(.+?)\s+to\s+(.+)$`,
 * `[.!?,]+$`): quadratic under backtracking on a message of spaces or punctuation. RE2 matches in time
 * linear in the input whatever the pattern, so no phrasing a user adds later can stall the event loop.
 * Patterns are written as JS regex literals (kept readable, checked by the compiler) and translated once;
 * RE2 has no backreferences or lookarounds, which the parser does not need. Its `\s` and `\b` are ASCII:
 * the parser collapses all whitespace to single spaces (a linear V8 `\s+`) before any of these run.
 */
export class LinearPattern {
  private readonly re: RE2JS;

  constructor(readonly source: RegExp) {
    if (source.global || source.sticky) throw new Error(`parser patterns are stateless: ${source}`);
    this.re = RE2JS.compile(RE2JS.translateRegExp(source));
  }

  /** Whether the pattern matches anywhere in `text` (like `RegExp.prototype.test`). */
  test(text: string): boolean {
    return this.re.test(text);
  }

  /** The first match with its groups, or null (like `RegExp.prototype.exec`). */
  exec(text: string): RegExpExecArray | null {
    return this.re.exec(text) as RegExpExecArray | null;
  }

  /** `text` with its first match replaced (`$1` refers to a group), like `String.prototype.replace`. */
  replace(text: string, replacement: string): string {
    return this.re.matcher(text).replaceFirst(replacement);
  }

  /** `text` split around matches into at most `limit` parts, like `String.prototype.split(re, limit)`. */
  split(text: string, limit: number): string[] {
    const parts: string[] = [];
    const matcher = this.re.matcher(text);
    let from = 0;
    while (parts.length < limit && matcher.find()) {
      if (matcher.start() === matcher.end()) continue; // an empty match splits nothing (as in JS)
      parts.push(text.slice(from, matcher.start()));
      from = matcher.end();
    }
    if (parts.length < limit) parts.push(text.slice(from));
    return parts;
  }
}

/** Every pattern the parser made, for the test that proves each one runs on the linear engine. */
export const parserPatterns: LinearPattern[] = [];

/** The parser's only way to make a pattern (a source test refuses a regex literal anywhere else in offline/). */
export function linear(source: RegExp): LinearPattern {
  const pattern = new LinearPattern(source);
  parserPatterns.push(pattern);
  return pattern;
}
