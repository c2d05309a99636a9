import fp from 'fastify-plugin';
import type { FastifyError, FastifySchemaValidationError } from 'fastify';
import type { ErrorBody, ValidationIssue } from '@todo-stack/shared';
import { isDatabaseUnavailable } from '../../../db/errors.js';

type Location = 'body' | 'query' | 'path' | 'header';

const LOCATIONS: Record<string, Location> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** ajv's errors, reshaped as FastAPI's `{loc, msg, type}` list. */
function toValidationIssues(errors: FastifySchemaValidationError[], context: string | undefined): ValidationIssue[] {
  const where = LOCATIONS[context ?? 'body'] ?? 'body';
  return errors.map((error) => {
    const path = error.instancePath.split('/').filter(Boolean);
    const params = error.params as Record<string, unknown>;
    const field = params['missingProperty'] ?? params['additionalProperty'];
    if (typeof field === 'string') path.push(field);
    const loc = [where, ...path.map((part) => (/^\d+$/.test(part) ? Number(part) : part))];
    const msg =
      error.keyword === 'pattern'
        ? 'must contain visible text and no NUL characters'
        : error.keyword === 'additionalProperties'
          ? 'unknown field'
          : (error.message ?? 'is invalid');
    return { loc, msg, type: error.keyword };
  });
}

/** Fastify's own client errors that FastAPI reports differently, mapped to its status and shape. */
function clientError(error: FastifyError): { status: number; body: ErrorBody } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { detail: 'Request body is too large.' } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { detail: 'Unsupported content type: send application/json.' } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 422, body: { detail: [{ loc: ['body'], msg: 'Field required', type: 'missing' }] } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 422, body: { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] } };
    default:
      // secure-json-parse and the JSON parser report malformed bodies as plain 400 SyntaxErrors.
      if (error.statusCode === 400 && error instanceof SyntaxError) {
        return { status: 422, body: { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] } };
      }
      return undefined;
  }
}

/**
 * One place turns every failure into `{detail}` with the right status. Anything a client can send
 * ends as a 4xx; a 500 means a bug, is logged with its stack and never shows internals.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.validation) {
        return reply.status(422).send({ detail: toValidationIssues(error.validation, error.validationContext) });
      }
      const mapped = clientError(error);
      if (mapped) return reply.status(mapped.status).send(mapped.body);
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return reply
          .status(503)
          .header('retry-after', '5')
          .send({ detail: 'The database is unavailable; try again shortly.' });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply.status(status).send({ detail: error.message });
      }
      request.log.error({ err: error }, 'unhandled error');
      return reply.status(500).send({ detail: 'Internal server error' });
    });

    app.setNotFoundHandler((_request, reply) => reply.notFound());
  },
  { name: 'errors', dependencies: ['sensible'] },
);
