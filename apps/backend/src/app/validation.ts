import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const shared: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

/**
 * Bodies are validated strictly, as FastAPI/Pydantic do: `{"title": 123}` is a 422, not the string "123".
 * Query strings and path params are text on the wire, so they are coerced (`/tasks/7` -> id 7).
 */
const bodyValidator = addFormats(new Ajv({ ...shared, coerceTypes: false }));
const textValidator = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyValidator : textValidator).compile(schema);
