// jsdom leaves out TextEncoder/TextDecoder, which typebox (through @todo-stack/shared) uses; browsers have them.
const { TextDecoder, TextEncoder } = require('node:util');

Object.assign(globalThis, { TextEncoder, TextDecoder });
