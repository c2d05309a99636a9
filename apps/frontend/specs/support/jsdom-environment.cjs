// @ts-check
// jsdom without fetch's classes: the API client (openapi-fetch) builds `Request`s and reads `Response`s, so Node's own
// are lent to the window, as a browser has them. Only these three: jsdom's FormData and AbortSignal stay (forms use them).
const { TestEnvironment } = require('jest-environment-jsdom');

module.exports = class JsdomWithFetchEnvironment extends TestEnvironment {
  /** @param {ConstructorParameters<typeof TestEnvironment>} args */
  constructor(...args) {
    super(...args);
    Object.assign(this.global, { Request, Response, Headers });
  }
};
