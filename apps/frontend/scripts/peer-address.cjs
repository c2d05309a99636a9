// Preloaded before Next's standalone server (`node --require ./peer-address.cjs server.js`; scripts/start-standalone.mjs
// requires it too). Next fills in X-Forwarded-For from the socket only when the request has none, so a client could
// write any address there. This sets it to the socket's remote address on every request, before Next reads it; the
// /api forwarder then passes exactly that address to the backend (app/lib/api-forwarder.ts, peerAddress()).
'use strict';
const http = require('node:http');

/** @param {import('node:http').IncomingMessage} request */
function stampPeerAddress(request) {
  request.headers['x-forwarded-for'] = request.socket.remoteAddress ?? '';
}

const createServer = http.createServer;
http.createServer = function createServerStampingPeerAddress(...args) {
  const server = createServer.apply(this, args);
  server.prependListener('request', stampPeerAddress);
  return server;
};
