import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

/**
 * One JSON Schema validator for every MCP server and client in the process. Left to itself the SDK
 * builds a new Ajv (compiling its meta-schemas) per server and per client: twice per chat turn and
 * once per `/mcp` call, the largest single cost of a chat turn after the database. The SDK compiles
 * with it only tools' output schemas and elicitation requests, which these tools don't have, so
 * sharing it accumulates nothing.
 */
export const jsonSchemaValidator = new AjvJsonSchemaValidator();
