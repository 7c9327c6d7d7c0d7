// The gateway at the HTTP level, with node:http and raw node:net sockets: validation of bad
// input, routing errors, connection handling, cancellation, back-pressure and metrics.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';

import { assertHealthy, deadline, parseMetrics, pollUntil, request, sseData, startGateway } from './harness.mjs';

const T = { timeout: 15_000 };
const CHAT = '/v1/chat/completions';
const LEGACY = '/v1/completions';
const OK_CHAT = { model: 'sim-fast', messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 };
const OK_LEGACY = { model: 'sim-fast', prompt: 'hello', max_tokens: 4 };

// Checks the OpenAI error envelope {"error":{"message","type","param","code"}}.
function assertEnvelope(res, { status, code, param, type = 'invalid_request_error', requestId = true }) {
  const where = `${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, status, where);
  assert.match(String(res.headers['content-type']), /^application\/json/, where);
  assert.ok(res.json && typeof res.json === 'object', `body is not JSON: ${where}`);
  assert.deepEqual(Object.keys(res.json), ['error'], where);
  const e = res.json.error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'param', 'type'], where);
  assert.equal(typeof e.message, 'string', where);
  assert.ok(e.message.length > 0, where);
  assert.equal(e.type, type, where);
  assert.equal(e.code, code, where);
  if (param !== undefined) assert.equal(e.param, param, where);
  if (requestId) assert.ok(res.headers['x-request-id'], `no x-request-id: ${where}`);
}

async function metricValue(gw, name, labels = {}) {
  const res = await request(gw.port, { path: '/metrics' });
  const s = parseMetrics(res.text).find((x) => x.name === name
    && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

// Reads one HTTP/1.1 response (Content-Length or chunked body) from a raw socket.
// `state.buf` keeps bytes already received past the previous response.
function readResponse(socket, state, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('timed out reading a response')), timeoutMs);
    const tryParse = () => {
      const end = state.buf.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const head = state.buf.subarray(0, end).toString('latin1');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(statusLine.split(' ')[1]);
      let rest = state.buf.subarray(end + 4);
      let body;
      if (headers['transfer-encoding'] === 'chunked') {
        const parts = [];
        for (;;) {
          const nl = rest.indexOf('\r\n');
          if (nl < 0) return false;
          const size = parseInt(rest.subarray(0, nl).toString('latin1'), 16);
          if (rest.length < nl + 2 + size + 2) return false;
          parts.push(rest.subarray(nl + 2, nl + 2 + size));
          rest = rest.subarray(nl + 2 + size + 2);
          if (size === 0) break;
        }
        body = Buffer.concat(parts);
      } else {
        const len = Number(headers['content-length'] ?? 0);
        if (rest.length < len) return false;
        body = rest.subarray(0, len);
        rest = rest.subarray(len);
      }
      state.buf = rest;
      const text = body.toString('utf8');
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      finish(null, { status, statusLine, headers, text, json });
      return true;
    };
    const onData = (d) => { state.buf = Buffer.concat([state.buf, d]); tryParse(); };
    const onEnd = () => {
      if (tryParse()) return;
      finish(new Error(state.buf.length === 0 ? 'connection closed without a response'
        : `connection closed mid-response after: ${JSON.stringify(state.buf.toString('latin1').slice(0, 300))}`));
    };
    const onError = (err) => finish(err);
    function finish(err, value) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (err) reject(err); else resolve(value);
    }
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    tryParse();
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function rawRequest(method, path, body, extraHeaders = '') {
  const payload = body === undefined ? '' : JSON.stringify(body);
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extraHeaders}`
    + (body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n`)
    + `\r\n${payload}`;
}

// Writes `payload` on a fresh socket, reads one response and whether the gateway then closed
// the connection; a connection closed without an answer is an error naming what was received.
async function rawExchange(gw, payload) {
  const socket = await connect(gw.port);
  socket.on('error', () => {});
  try {
    const ended = new Promise((resolve) => {
      socket.once('end', () => resolve(true));
      socket.once('close', () => resolve(true));
    });
    socket.write(payload);
    const res = await readResponse(socket, { buf: Buffer.alloc(0) });
    socket.resume();
    const closed = await Promise.race([ended, deadline(3_000, false)]);
    return { ...res, closed };
  } finally {
    socket.destroy();
  }
}

// Bad requests: each must get its status, OpenAI error code and (when set) `param`, and must
// leave the gateway serving.
const nested = (n, open, close, inner = '') => open.repeat(n) + inner + close.repeat(n);
const BAD_INPUTS = [
  // Bodies that are not a JSON object.
  { name: 'invalid JSON', body: '{"model":', status: 400, code: 'invalid_json', param: null },
  { name: 'trailing garbage', body: `${JSON.stringify(OK_CHAT)} x`, status: 400, code: 'invalid_json', param: null },
  {
    name: 'invalid UTF-8 bytes',
    body: Buffer.concat([
      Buffer.from('{"model":"sim-fast","messages":[{"role":"user","content":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}]}'),
    ]),
    status: 400, code: 'invalid_json', param: null, message: /UTF-8/,
  },
  { name: 'lone surrogate escape', body: '{"model":"sim-fast","messages":[{"role":"user","content":"\\ud800"}]}', status: 400, code: 'invalid_json', param: null },
  { name: 'raw control character in a string', body: '{"model":"sim-fast","messages":[{"role":"user","content":"a\u0001"}]}', status: 400, code: 'invalid_json', param: null },
  { name: '10000-deep array nesting', body: nested(10_000, '[', ']'), status: 400, code: 'invalid_json', param: null, message: /nested/ },
  { name: '10000-deep object nesting', body: nested(10_000, '{"a":', '}', '1'), status: 400, code: 'invalid_json', param: null, message: /nested/ },
  {
    name: '10000-deep nesting inside a valid request',
    body: JSON.stringify({ ...OK_CHAT, metadata: 'X' }).replace('"X"', nested(10_000, '[', ']')),
    status: 400, code: 'invalid_json', param: null,
  },
  { name: 'empty body', body: '', status: 400, code: 'invalid_json', param: null },
  { name: 'array body', body: '[]', status: 400, code: 'invalid_json', param: null },
  { name: 'array of requests', body: [OK_CHAT], status: 400, code: 'invalid_json', param: null },
  { name: 'string body', body: '"hello"', status: 400, code: 'invalid_json', param: null },
  // model
  { name: 'missing model', body: { messages: OK_CHAT.messages }, status: 400, code: 'invalid_value', param: 'model' },
  { name: 'model is a number', body: { ...OK_CHAT, model: 5 }, status: 400, code: 'invalid_value', param: 'model' },
  { name: 'model is empty', body: { ...OK_CHAT, model: '' }, status: 400, code: 'invalid_value', param: 'model' },
  { name: 'unknown model', body: { ...OK_CHAT, model: 'no-such-model' }, status: 404, code: 'model_not_found', param: 'model' },
  // messages
  { name: 'missing messages', body: { model: 'sim-fast' }, status: 400, code: 'invalid_value', param: 'messages' },
  { name: 'messages is a string', body: { ...OK_CHAT, messages: 'hi' }, status: 400, code: 'invalid_value', param: 'messages' },
  { name: 'messages is empty', body: { ...OK_CHAT, messages: [] }, status: 400, code: 'invalid_value', param: 'messages' },
  { name: 'message is not an object', body: { ...OK_CHAT, messages: ['hi'] }, status: 400, code: 'invalid_value', param: 'messages[0]' },
  { name: 'unknown role', body: { ...OK_CHAT, messages: [{ role: 'user', content: 'a' }, { role: 'wizard', content: 'x' }] }, status: 400, code: 'invalid_value', param: 'messages[1].role' },
  { name: 'missing role', body: { ...OK_CHAT, messages: [{ content: 'x' }] }, status: 400, code: 'invalid_value', param: 'messages[0].role' },
  { name: 'content is a number', body: { ...OK_CHAT, messages: [{ role: 'user', content: 5 }] }, status: 400, code: 'invalid_value', param: 'messages[0].content' },
  { name: 'user message without content', body: { ...OK_CHAT, messages: [{ role: 'user' }] }, status: 400, code: 'invalid_value', param: 'messages[0].content' },
  {
    name: 'content part without a string type',
    body: { ...OK_CHAT, messages: [{ role: 'user', content: [{ type: 5, image_url: { url: 'http://x/y.png' } }] }] },
    status: 400, code: 'invalid_value', param: 'messages[0].content[0].type',
  },
  // sampling
  { name: 'temperature out of range (2.5)', body: { ...OK_CHAT, temperature: 2.5 }, status: 400, code: 'invalid_value', param: 'temperature' },
  { name: 'temperature negative', body: { ...OK_CHAT, temperature: -0.1 }, status: 400, code: 'invalid_value', param: 'temperature' },
  { name: 'temperature is a string', body: { ...OK_CHAT, temperature: '1' }, status: 400, code: 'invalid_value', param: 'temperature' },
  { name: 'top_p 0', body: { ...OK_CHAT, top_p: 0 }, status: 400, code: 'invalid_value', param: 'top_p' },
  { name: 'seed is a string', body: { ...OK_CHAT, seed: 'x' }, status: 400, code: 'invalid_value', param: 'seed' },
  { name: 'stream is a string', body: { ...OK_CHAT, stream: 'yes' }, status: 400, code: 'invalid_value', param: 'stream' },
  { name: 'stream_options without stream', body: { ...OK_CHAT, stream_options: { include_usage: true } }, status: 400, code: 'invalid_value', param: 'stream_options' },
  { name: 'stop is an empty array', body: { ...OK_CHAT, stop: [] }, status: 400, code: 'invalid_value', param: 'stop' },
  { name: 'stop has 5 strings', body: { ...OK_CHAT, stop: ['a', 'b', 'c', 'd', 'e'] }, status: 400, code: 'invalid_value', param: 'stop' },
  { name: 'stop holds a number', body: { ...OK_CHAT, stop: ['a', 5] }, status: 400, code: 'invalid_value', param: 'stop[1]' },
  // n
  { name: 'n=129', body: { ...OK_CHAT, n: 129 }, status: 400, code: 'invalid_value', param: 'n' },
  { name: 'n=0', body: { ...OK_CHAT, n: 0 }, status: 400, code: 'invalid_value', param: 'n' },
  { name: 'n=1.5', body: { ...OK_CHAT, n: 1.5 }, status: 400, code: 'invalid_value', param: 'n' },
  { name: 'n is a string', body: { ...OK_CHAT, n: '1' }, status: 400, code: 'invalid_value', param: 'n' },
  // token limits
  { name: 'huge max_tokens (1e12)', body: { ...OK_CHAT, max_tokens: 1e12 }, status: 400, code: 'invalid_value', param: 'max_tokens' },
  { name: 'max_tokens beyond the context (1e6)', body: { ...OK_CHAT, max_tokens: 1_000_000 }, status: 400, code: 'context_length_exceeded', param: 'max_tokens' },
  { name: 'max_tokens 0', body: { ...OK_CHAT, max_tokens: 0 }, status: 400, code: 'invalid_value', param: 'max_tokens' },
  { name: 'max_tokens -1', body: { ...OK_CHAT, max_tokens: -1 }, status: 400, code: 'invalid_value', param: 'max_tokens' },
  { name: 'max_tokens 1.5', body: { ...OK_CHAT, max_tokens: 1.5 }, status: 400, code: 'invalid_value', param: 'max_tokens' },
  { name: 'max_completion_tokens 0', body: { ...OK_CHAT, max_completion_tokens: 0 }, status: 400, code: 'invalid_value', param: 'max_completion_tokens' },
  {
    name: 'prompt longer than the context',
    body: { ...OK_CHAT, messages: [{ role: 'user', content: 'a '.repeat(5000) }] },
    status: 400, code: 'context_length_exceeded', param: 'messages',
  },
  // legacy completions
  { name: 'legacy: missing prompt', path: LEGACY, body: { model: 'sim-fast' }, status: 400, code: 'invalid_value', param: 'prompt' },
  { name: 'legacy: empty prompt array', path: LEGACY, body: { ...OK_LEGACY, prompt: [] }, status: 400, code: 'invalid_value', param: 'prompt' },
  { name: 'legacy: batch of prompts', path: LEGACY, body: { ...OK_LEGACY, prompt: ['a', 'b'] }, status: 400, code: 'unsupported_value', param: 'prompt' },
  { name: 'legacy: token ids', path: LEGACY, body: { ...OK_LEGACY, prompt: [1, 2] }, status: 400, code: 'unsupported_value', param: 'prompt' },
  { name: 'legacy: echo is a string', path: LEGACY, body: { ...OK_LEGACY, echo: 'yes' }, status: 400, code: 'invalid_value', param: 'echo' },
  { name: 'legacy: n=0', path: LEGACY, body: { ...OK_LEGACY, n: 0 }, status: 400, code: 'invalid_value', param: 'n' },
  { name: 'legacy: invalid JSON', path: LEGACY, body: '{', status: 400, code: 'invalid_json', param: null },
  { name: 'legacy: unknown model', path: LEGACY, body: { ...OK_LEGACY, model: 'nope' }, status: 404, code: 'model_not_found', param: 'model' },
  // X-Priority
  { name: 'X-Priority not a number', headers: { 'X-Priority': 'high' }, body: OK_CHAT, status: 400, code: 'invalid_value', param: 'X-Priority' },
  { name: 'X-Priority above 1000', headers: { 'X-Priority': '1001' }, body: OK_CHAT, status: 400, code: 'invalid_value', param: 'X-Priority' },
  { name: 'X-Priority below -1000', headers: { 'X-Priority': '-1001' }, body: OK_CHAT, status: 400, code: 'invalid_value', param: 'X-Priority' },
  { name: 'X-Priority fractional', headers: { 'X-Priority': '1.5' }, body: OK_CHAT, status: 400, code: 'invalid_value', param: 'X-Priority' },
  { name: 'X-Priority with trailing junk', headers: { 'X-Priority': '5x' }, body: OK_CHAT, status: 400, code: 'invalid_value', param: 'X-Priority' },
];

// Requests that look odd but are valid: they must be served.
const GOOD_INPUTS = [
  { name: 'nulls read as absent', body: { ...OK_CHAT, temperature: null, n: null, stop: null, seed: null, max_tokens: null, max_completion_tokens: 3 } },
  { name: 'n=1', body: { ...OK_CHAT, n: 1 } },
  { name: 'text content parts', body: { ...OK_CHAT, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] } },
  { name: 'assistant turn without content', body: { ...OK_CHAT, messages: [{ role: 'user', content: 'a' }, { role: 'assistant' }, { role: 'user', content: 'b' }] } },
  { name: 'boundary sampling values', body: { ...OK_CHAT, temperature: 2, top_p: 1, frequency_penalty: -2, presence_penalty: 2 } },
  { name: 'unknown fields are ignored', body: { ...OK_CHAT, tools: [], response_format: { type: 'text' }, logit_bias: {} } },
  { name: 'X-Priority 1000', headers: { 'X-Priority': '1000' }, body: OK_CHAT },
  { name: 'X-Priority -1000', headers: { 'X-Priority': '-1000' }, body: OK_CHAT },
  { name: 'legacy: prompt as a one-string array', path: LEGACY, body: { ...OK_LEGACY, prompt: ['hello'] } },
];

describe('HTTP API', () => {
  let gw;

  before(async () => { gw = await startGateway(); });
  after(async () => { await gw?.stop(); });

  describe('bad inputs get an OpenAI error and leave the gateway serving', () => {
    for (const c of BAD_INPUTS) {
      test(c.name, T, async () => {
        const res = await request(gw.port, {
          method: 'POST', path: c.path ?? CHAT, body: c.body, headers: c.headers ?? {},
        });
        assertEnvelope(res, c);
        if (c.message) assert.match(res.json.error.message, c.message);
        await assertHealthy(gw, c.name);
      });
    }
  });

  describe('valid edge-case inputs are served', () => {
    for (const c of GOOD_INPUTS) {
      test(c.name, T, async () => {
        const res = await request(gw.port, {
          method: 'POST', path: c.path ?? CHAT, body: c.body, headers: c.headers ?? {},
        });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.choices.length, 1);
      });
    }
  });

  test('/healthz and /readyz answer 200', T, async () => {
    const h = await request(gw.port, { path: '/healthz' });
    assert.equal(h.status, 200);
    const r = await request(gw.port, { path: '/readyz' });
    assert.equal(r.status, 200);
    assert.equal(r.json?.status, 'ready');
    // A query string does not change the route.
    assert.equal((await request(gw.port, { path: '/readyz?verbose=1' })).status, 200);
  });

  test('GET /v1/models and /v1/models/{id}', T, async () => {
    const list = await request(gw.port, { path: '/v1/models' });
    assert.equal(list.status, 200);
    assert.equal(list.json.object, 'list');
    assert.deepEqual(list.json.data.map((m) => m.id).sort(), ['sim-fast', 'sim-slow', 'sim-tiny']);
    const one = await request(gw.port, { path: '/v1/models/sim-tiny' });
    assert.equal(one.status, 200);
    assert.equal(one.json.id, 'sim-tiny');
    assert.equal(one.json.object, 'model');
  });

  test('x-request-id: a sane id is echoed, a bad one is replaced; x-gateway-route names the model', T, async () => {
    const id = 'client-Req_42.a:b';
    const ok = await request(gw.port, { method: 'POST', path: CHAT, body: OK_CHAT, headers: { 'X-Request-Id': id } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-request-id'], id);
    assert.equal(ok.headers['x-gateway-route'], 'local:sim-fast');

    // Echoed on errors too.
    const bad = await request(gw.port, { method: 'POST', path: CHAT, body: '{', headers: { 'X-Request-Id': id } });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-request-id'], id);

    // And on streams.
    const st = await request(gw.port, { method: 'POST', path: CHAT, body: { ...OK_CHAT, stream: true }, headers: { 'X-Request-Id': id } });
    assert.equal(st.headers['x-request-id'], id);

    for (const insane of ['has space', 'x'.repeat(129), 'semi;colon', 'quote"']) {
      const r = await request(gw.port, { method: 'POST', path: CHAT, body: OK_CHAT, headers: { 'X-Request-Id': insane } });
      assert.equal(r.status, 200);
      assert.ok(r.headers['x-request-id'], 'no generated id');
      assert.notEqual(r.headers['x-request-id'], insane);
    }

    // Without one, each response gets its own generated id.
    const a = await request(gw.port, { path: '/healthz' });
    const b = await request(gw.port, { path: '/healthz' });
    assert.ok(a.headers['x-request-id']);
    assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
  });

  test('raw stream over node:http: headers, one id, role first, one finish, usage, [DONE]', T, async () => {
    const res = await request(gw.port, {
      method: 'POST', path: CHAT,
      body: { ...OK_CHAT, max_tokens: 6, stream: true, stream_options: { include_usage: true } },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/event-stream/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['x-accel-buffering'], 'no');
    const data = sseData(res.text);
    assert.equal(data.at(-1), '[DONE]');
    assert.equal(data.filter((d) => d === '[DONE]').length, 1);
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.equal(chunks.filter((c) => c.choices[0]?.finish_reason).length, 1);
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.equal(chunks.at(-1).usage.completion_tokens, 6);
  });

  test('keep-alive: several requests on one raw socket', T, async () => {
    const socket = await connect(gw.port);
    const state = { buf: Buffer.alloc(0) };
    try {
      socket.write(rawRequest('POST', CHAT, { ...OK_CHAT, seed: 1 }));
      const r1 = await readResponse(socket, state);
      assert.equal(r1.status, 200, r1.text);
      assert.notEqual(r1.headers.connection?.toLowerCase(), 'close');
      assert.equal(r1.json.object, 'chat.completion');

      socket.write(rawRequest('GET', '/v1/models'));
      const r2 = await readResponse(socket, state);
      assert.equal(r2.status, 200);
      assert.equal(r2.json.object, 'list');

      // A stream (chunked) ends cleanly and leaves the connection usable.
      socket.write(rawRequest('POST', CHAT, { ...OK_CHAT, stream: true }));
      const r3 = await readResponse(socket, state);
      assert.equal(r3.status, 200);
      assert.equal(sseData(r3.text).at(-1), '[DONE]');

      // An error answer does not close the connection either.
      socket.write(rawRequest('POST', CHAT, { ...OK_CHAT, n: 0 }));
      const r4 = await readResponse(socket, state);
      assert.equal(r4.status, 400);

      // Two pipelined requests in one write get two answers, in order.
      socket.write(rawRequest('GET', '/healthz') + rawRequest('GET', '/readyz'));
      const r5 = await readResponse(socket, state);
      const r6 = await readResponse(socket, state);
      assert.equal(r5.json?.status, 'ok');
      assert.equal(r6.json?.status, 'ready');
    } finally {
      socket.destroy();
    }
  });

  test('keep-alive through an http.Agent reuses the socket', T, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (path, body) => new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: gw.port, path, agent,
        method: body ? 'POST' : 'GET', headers: body ? { 'Content-Type': 'application/json' } : {},
      }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket, port: req.socket.localPort, text }));
      });
      req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
    try {
      const a = await send(CHAT, OK_CHAT);
      const b = await send(CHAT, { ...OK_CHAT, stream: true });
      const c = await send('/healthz');
      assert.deepEqual([a.status, b.status, c.status], [200, 200, 200]);
      assert.equal(b.reused, true, 'second request did not reuse the connection');
      assert.equal(c.reused, true, 'third request did not reuse the connection');
      assert.equal(a.port, c.port);
    } finally {
      agent.destroy();
    }
  });

  test('client disconnect mid-stream cancels the sequence', T, async () => {
    const req = http.request({
      host: '127.0.0.1', port: gw.port, method: 'POST', path: CHAT, agent: false,
      headers: { 'Content-Type': 'application/json' },
    });
    req.on('error', () => {}); // the destroy below
    req.end(JSON.stringify({ model: 'sim-slow', messages: [{ role: 'user', content: 'long story' }], max_tokens: 1500, stream: true }));
    const res = await new Promise((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
      setTimeout(() => reject(new Error('no response headers within 5 s')), 5_000).unref();
    });
    assert.equal(res.statusCode, 200);
    // Wait for a few events so the sequence is surely decoding.
    await new Promise((resolve, reject) => {
      let events = 0;
      res.on('data', (d) => { events += (d.toString().match(/^data:/gm) || []).length; if (events >= 3) resolve(); });
      setTimeout(() => reject(new Error('fewer than 3 events within 5 s')), 5_000).unref();
    });
    assert.equal(await metricValue(gw, 'gateway_active_sequences'), 1);

    req.destroy();
    const zero = await pollUntil(async () => (await metricValue(gw, 'gateway_active_sequences')) === 0, { timeoutMs: 5_000 });
    assert.ok(zero, `gateway_active_sequences still ${await metricValue(gw, 'gateway_active_sequences')} 5 s after the client left`);
    // The tokens it would have produced were not: far fewer than max_tokens were generated.
    await assertHealthy(gw, 'a client disconnect');
  });

  test('disconnect of a non-streaming request also cancels it', T, async () => {
    const socket = await connect(gw.port);
    socket.write(rawRequest('POST', CHAT, { model: 'sim-slow', messages: [{ role: 'user', content: 'x' }], max_tokens: 1500 }));
    const busy = await pollUntil(async () => (await metricValue(gw, 'gateway_active_sequences')) === 1, { timeoutMs: 3_000 });
    assert.ok(busy, 'the request never became active');
    socket.destroy();
    const zero = await pollUntil(async () => (await metricValue(gw, 'gateway_active_sequences')) === 0, { timeoutMs: 5_000 });
    assert.ok(zero, 'gateway_active_sequences did not return to 0 after the client left');
  });

  test('queue full: 429 rate_limit_error with Retry-After', T, async () => {
    // sim-tiny: one batch slot, one queue slot, real-time decoding. Of 4 concurrent streams one
    // runs, one waits and the others must be refused at once.
    const reqs = [];
    const outcomes = [];
    let wake;
    const enough = new Promise((resolve) => { wake = resolve; });
    const record = (o) => { outcomes.push(o); if (outcomes.length >= 3) wake(); };
    for (let i = 0; i < 4; i++) {
      const req = http.request({
        host: '127.0.0.1', port: gw.port, method: 'POST', path: CHAT, agent: false,
        headers: { 'Content-Type': 'application/json' },
      }, (res) => {
        // A stream's headers come with its first token; a refusal is a whole JSON answer.
        if (res.statusCode === 200) return record({ status: 200 });
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { text += d; });
        res.on('end', () => record({ status: res.statusCode, headers: res.headers, text }));
      });
      req.on('error', () => {}); // the destroy below
      req.end(JSON.stringify({ model: 'sim-tiny', messages: [{ role: 'user', content: `q${i}` }], max_tokens: 400, stream: true }));
      reqs.push(req);
    }
    try {
      // Two refusals come at once; the first stream's first event within ~0.2 s.
      await Promise.race([enough, deadline(8_000)]);
      const refused = outcomes.filter((o) => o.status === 429);
      assert.ok(refused.length >= 1, `no 429 among ${JSON.stringify(outcomes.map((o) => o.status))}`);
      assert.ok(outcomes.some((o) => o.status === 200), 'no request was served');
      for (const r of refused) {
        const json = JSON.parse(r.text);
        assertEnvelope({ status: r.status, headers: r.headers, text: r.text, json },
          { status: 429, code: 'queue_full', param: null, type: 'rate_limit_error' });
        assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/, 'Retry-After must be a positive integer');
      }
    } finally {
      for (const r of reqs) r.destroy();
    }
    const idle = await pollUntil(async () => (await metricValue(gw, 'gateway_active_sequences')) === 0
      && (await metricValue(gw, 'gateway_queue_depth')) === 0, { timeoutMs: 5_000 });
    assert.ok(idle, 'sim-tiny did not drain after its clients left');
    assert.ok((await metricValue(gw, 'gateway_requests_total', { endpoint: CHAT, status: '429' })) >= 1);
  });

  test('/metrics exposes every family after traffic', T, async () => {
    // Some traffic of each kind.
    await request(gw.port, { method: 'POST', path: CHAT, body: OK_CHAT });
    await request(gw.port, { method: 'POST', path: CHAT, body: { ...OK_CHAT, stream: true } });
    await request(gw.port, { method: 'POST', path: LEGACY, body: OK_LEGACY });
    await request(gw.port, { method: 'POST', path: CHAT, body: '{' });

    const res = await request(gw.port, { path: '/metrics' });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain/);
    const families = {
      gateway_requests_total: 'counter',
      gateway_tokens_total: 'counter',
      gateway_time_to_first_token_seconds: 'histogram',
      gateway_inter_token_latency_seconds: 'histogram',
      gateway_request_duration_seconds: 'histogram',
      gateway_queue_wait_seconds: 'histogram',
      gateway_batch_size: 'histogram',
      gateway_queue_depth: 'gauge',
      gateway_active_sequences: 'gauge',
    };
    const samples = parseMetrics(res.text);
    for (const [name, type] of Object.entries(families)) {
      assert.match(res.text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `no TYPE line for ${name}`);
      if (type === 'histogram') {
        // One series per label set (model and route kind for the latency families); each is a
        // whole histogram of its own.
        const counts = samples.filter((s) => s.name === `${name}_count`);
        assert.ok(counts.length > 0, `${name} lacks _count`);
        assert.ok(counts.some((c) => c.value > 0), `${name} observed nothing`);
        for (const count of counts) {
          const same = (s) => Object.entries(count.labels).every(([k, v]) => s.labels[k] === v);
          const buckets = samples.filter((s) => s.name === `${name}_bucket` && same(s));
          const inf = buckets.find((s) => s.labels.le === '+Inf');
          const series = `${name}${JSON.stringify(count.labels)}`;
          assert.ok(inf, `${series} lacks a +Inf bucket`);
          assert.ok(samples.some((s) => s.name === `${name}_sum` && same(s)), `${series} lacks _sum`);
          assert.equal(inf.value, count.value, `${series}: +Inf bucket != _count`);
          for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, `${series} buckets not cumulative`);
        }
      } else {
        assert.ok(samples.some((s) => s.name === name), `no sample for ${name}`);
      }
    }
    const req = (endpoint, status) => samples.find((s) => s.name === 'gateway_requests_total'
      && s.labels.endpoint === endpoint && s.labels.status === status)?.value ?? 0;
    assert.ok(req(CHAT, '200') >= 2);
    assert.ok(req(CHAT, '400') >= 1);
    // Latency by model and route kind: the served requests under their configured model on the
    // local engines; the refused one (a body that is not JSON) under no model and route "none".
    const series = (name, labels) => samples.find((s) => s.name === name
      && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
    assert.ok(series('gateway_request_duration_seconds_count', { model: 'sim-fast', route: 'local' }) >= 2);
    assert.ok(series('gateway_time_to_first_token_seconds_count', { model: 'sim-fast', route: 'local' }) >= 1);
    assert.ok(series('gateway_request_duration_seconds_count', { model: '', route: 'none' }) >= 1);
    // Bounded labels: a model a client named that does not exist never becomes a series.
    await request(gw.port, { method: 'POST', path: CHAT, body: { ...OK_CHAT, model: 'no-such-model' } });
    const after = parseMetrics((await request(gw.port, { path: '/metrics' })).text);
    for (const s of after.filter((x) => x.name.startsWith('gateway_request_duration_seconds'))) {
      assert.notEqual(s.labels.model, 'no-such-model', `client's model name became a label: ${JSON.stringify(s.labels)}`);
      assert.ok(['local', 'local-server', 'remote', 'none'].includes(s.labels.route), `route label ${JSON.stringify(s.labels)}`);
    }
    assert.ok(req(LEGACY, '200') >= 1);
    const tokens = (kind) => samples.find((s) => s.name === 'gateway_tokens_total' && s.labels.kind === kind)?.value ?? 0;
    assert.ok(tokens('prompt') > 0);
    assert.ok(tokens('completion') > 0);
    for (const s of samples) assert.ok(Number.isFinite(s.value) || s.name.endsWith('_bucket'), `bad value for ${s.name}`);
  });
});

// Errors answered by the router itself and before parsing. Each case gets its own gateway so
// that one crashing does not take the others down.
describe('routing and connection-level errors', () => {
  const cases = [
    {
      // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
      // temporary inside co_await twice); it must answer and keep serving.
      name: '404 unknown route (code unknown_url)',
      run: (gw) => request(gw.port, { path: '/v1/nope' }),
      check: (res) => assertEnvelope(res, { status: 404, code: 'unknown_url', param: null }),
    },
    {
      // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
      // temporary inside co_await twice); it must answer and keep serving.
      name: '405 GET /v1/chat/completions with Allow: POST',
      run: (gw) => request(gw.port, { path: CHAT }),
      check: (res) => {
        assertEnvelope(res, { status: 405, code: 'method_not_allowed', param: null });
        assert.equal(res.headers.allow, 'POST');
      },
    },
    {
      // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
      // temporary inside co_await twice); it must answer and keep serving.
      name: '405 POST /v1/models with Allow: GET',
      run: (gw) => request(gw.port, { method: 'POST', path: '/v1/models', body: {} }),
      check: (res) => {
        assertEnvelope(res, { status: 405, code: 'method_not_allowed', param: null });
        assert.equal(res.headers.allow, 'GET');
      },
    },
    {
      // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
      // temporary inside co_await twice); it must answer and keep serving.
      name: '404 model_not_found on GET /v1/models/{unknown}',
      run: (gw) => request(gw.port, { path: '/v1/models/nope' }),
      check: (res) => assertEnvelope(res, { status: 404, code: 'model_not_found', param: 'model' }),
    },
    {
      // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
      // temporary inside co_await twice); it must answer and keep serving.
      name: '413 for a Content-Length over max_body_bytes, answered before the body is sent',
      // Only the headers: the gateway must answer without waiting for 100 MB.
      run: (gw) => rawExchange(gw, 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n'
        + 'Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n'),
      check: (res) => {
        // Refused before the request is parsed: no x-request-id is required here.
        assertEnvelope(res, { status: 413, code: 'request_too_large', param: null, requestId: false });
        assert.equal(res.headers.connection?.toLowerCase(), 'close');
        assert.ok(res.closed, 'connection not closed after the 413');
      },
    },
    {
      // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
      // temporary inside co_await twice); it must answer and keep serving.
      name: '431 for headers over max_header_bytes',
      run: (gw) => rawExchange(gw, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      check: (res) => {
        assertEnvelope(res, { status: 431, code: 'header_too_large', param: null, requestId: false });
        assert.ok(res.closed, 'connection not closed after the 431');
      },
    },
    {
      // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
      // temporary inside co_await twice); it must answer and keep serving.
      name: '400 for a malformed Content-Length',
      run: (gw) => rawExchange(gw, 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n'),
      check: (res) => {
        assert.equal(res.status, 400, res.text);
        assert.equal(res.json?.error?.type, 'invalid_request_error');
      },
    },
    {
      // Regression: a request line that is not HTTP once got no answer at all.
      name: '400 for bytes that are not HTTP',
      run: (gw) => rawExchange(gw, 'NOT HTTP AT ALL\r\n\r\n'),
      check: (res) => {
        assert.equal(res.status, 400, res.text);
        assert.equal(res.json?.error?.type, 'invalid_request_error');
      },
    },
  ];

  for (const c of cases) {
    test(c.name, T, async () => {
      const gw = await startGateway();
      try {
        const res = await c.run(gw);
        c.check(res);
        await assertHealthy(gw, c.name);
      } finally {
        await gw.stop();
      }
    });
  }
});
