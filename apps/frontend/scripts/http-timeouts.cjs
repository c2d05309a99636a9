// Preloaded before Next's standalone server, like peer-address.cjs (`node --require ./http-timeouts.cjs server.js`;
// scripts/start-standalone.mjs requires it too). Next creates its HTTP server without timeouts of its own (only
// KEEP_ALIVE_TIMEOUT, when set), so Node's defaults would apply: 60 s for the headers, 300 s for a request, checked
// every 30 s. This gives every server the process creates the limits below, so a client that sends its headers or
// body too slowly gets 408 and is disconnected, and an idle keep-alive connection is closed:
//   HTTP_HEADERS_TIMEOUT_MS     (15000)  the request line and headers
//   HTTP_REQUEST_TIMEOUT_MS     (60000)  the whole request, body included (not the answer: a chat turn may take longer)
//   HTTP_KEEP_ALIVE_TIMEOUT_MS  (65000)  an idle keep-alive connection (longer than an ingress's 60 s upstream pool)
'use strict';
const http = require('node:http');

const DEFAULTS = {
  HTTP_HEADERS_TIMEOUT_MS: 15_000,
  HTTP_REQUEST_TIMEOUT_MS: 60_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
};

/**
 * The timeouts from `env` (milliseconds, positive integers), as `http.createServer` options.
 * @param {Record<string, string | undefined>} env
 */
function timeouts(env = process.env) {
  /** @param {keyof typeof DEFAULTS} name */
  const read = (name) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return DEFAULTS[name];
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 100) {
      throw new Error(`${name} must be a whole number of milliseconds, at least 100 (got ${JSON.stringify(raw)})`);
    }
    return value;
  };
  const headersTimeout = read('HTTP_HEADERS_TIMEOUT_MS');
  const requestTimeout = read('HTTP_REQUEST_TIMEOUT_MS');
  if (headersTimeout > requestTimeout) {
    throw new Error(
      `HTTP_HEADERS_TIMEOUT_MS (${headersTimeout}) is longer than HTTP_REQUEST_TIMEOUT_MS (${requestTimeout}): lower it`,
    );
  }
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: read('HTTP_KEEP_ALIVE_TIMEOUT_MS'),
    // Node checks the two limits above on this interval (default 30 s, which would stretch a 15 s limit to 45 s).
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 4)),
  };
}

// Read once, at start-up: a bad value stops the server before it listens.
const { keepAliveTimeout, ...options } = timeouts();
const createServer = http.createServer;
http.createServer = function createServerWithTimeouts(...args) {
  // createServer([options][, requestListener]): ours first, the caller's own options win.
  const [first, ...rest] = args;
  const server =
    typeof first === 'object' && first !== null
      ? createServer.call(this, { ...options, ...first }, ...rest)
      : createServer.call(this, options, ...args);
  // A property rather than an option (Next sets it after this when KEEP_ALIVE_TIMEOUT is given).
  server.keepAliveTimeout = keepAliveTimeout;
  return server;
};

module.exports = { timeouts, DEFAULTS };
