import type { FastifyInstance } from 'fastify';

/** Deeper than any body the API defines (the deepest, an MCP call's arguments, is a few levels). */
const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/** How deep `text` nests arrays and objects, stopping as soon as it passes `limit` (one pass, strings skipped). */
function exceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The one JSON body parser, for every route (Better Auth's and `/mcp` included: both read the parsed body).
 * Fastify's default (secure-json-parse: `__proto__` and `constructor.prototype` refused) after two checks it
 * lacks: the bytes must be valid UTF-8 (a lone 0xFF is a 400, not a silent U+FFFD stored in a title), and
 * nesting is bounded, so nothing downstream (ajv, zod, `JSON.stringify` when forwarding to Better Auth)
 * recurses through 50,000 levels of `[` and overflows the stack (a 500).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(badRequest('Request body is not valid UTF-8'), undefined);
      return;
    }
    if (exceedsDepth(text, MAX_JSON_DEPTH)) {
      done(badRequest(`Request body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parse(request, text, done);
  });
}
