// Issue 5 at the HTTP edge, against the real binary: client keys, rate limits, hostile HTTP input,
// connection limits and CORS. Run by tests/integration/hardening_test.sh (its own CTest entry, so
// it runs beside the SDK suite). Raw sockets (node:net) where a well-behaved client would not do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GATEWAY_BIN, startGateway, request, parseMetrics, pollUntil } from './harness.mjs';

const sha = (k) => createHash('sha256').update(k).digest('hex');
const ALICE = 'sk-alice-0123456789abcdef';
const BOB = 'sk-bob-fedcba9876543210';
const CAROL = 'sk-carol-restricted-42';

const CONFIG = `
server: {listen: 127.0.0.1:0, header_timeout_s: 1, read_timeout_s: 1, max_header_count: 40,
         max_target_bytes: 1024, max_connections: 6}
auth:
  keys:
    - {name: alice, sha256: ${sha(ALICE)}, requests_per_minute: 3}
    - {name: bob, sha256: ${sha(BOB)}, models: [fast], tokens_per_minute: 400}
    - {name: carol, sha256: ${sha(CAROL)}, restricted: true}
cors: {allowed_origins: ["https://chat.example.com"], max_age_s: 120}
providers:
  - {name: far, base_url: "https://127.0.0.1:9/v1"}
models:
  - {id: fast, sim: {time_scale: 0}, default_max_tokens: 8}
  - id: other
    sim: {time_scale: 0}
    default_max_tokens: 8
    remote: [{provider: far}]
`;

const chat = (model, content = 'hello') => ({ model, messages: [{ role: 'user', content }], max_tokens: 4 });
const auth = (key) => ({ Authorization: `Bearer ${key}` });

// Writes `chunks` (strings or Buffers, with optional pauses) on a raw connection and collects
// everything the gateway sends until it closes or `timeoutMs` passes.
function rawExchange(port, chunks, { timeoutMs = 5_000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); resolve({ data, closed }); }, timeoutMs);
    sock.on('data', (b) => { data += b.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; clearTimeout(timer); resolve({ data, closed }); });
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (typeof c === 'number') await new Promise((r) => setTimeout(r, c));
        else if (!sock.destroyed) sock.write(c);
      }
    });
  });
}
const statusOf = (raw) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1]);

test('client keys: 401 without or with a wrong key, models filtered, key never logged', async () => {
  const gw = await startGateway({ config: CONFIG });
  try {
    const none = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', body: chat('fast') });
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'missing_api_key');
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    const wrong = await request(gw.port, { path: '/v1/models', headers: auth('sk-nope') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'invalid_api_key');
    // Probes and metrics stay open to the operator.
    assert.equal((await request(gw.port, { path: '/healthz' })).status, 200);

    const ok = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', headers: auth(ALICE), body: chat('fast') });
    assert.equal(ok.status, 200, ok.text);
    const bobModels = await request(gw.port, { path: '/v1/models', headers: auth(BOB) });
    assert.deepEqual(bobModels.json.data.map((m) => m.id), ['fast']);
    const denied = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', headers: auth(BOB), body: chat('other') });
    assert.equal(denied.status, 404);
    assert.equal(denied.json.error.code, 'model_not_found');
    assert.match(gw.output(), /key=alice/);
    for (const k of [ALICE, BOB, 'sk-nope']) assert.ok(!gw.output().includes(k), 'key material in the log');
  } finally {
    await gw.stop();
  }
});

test('a restricted key keeps its requests local', async () => {
  const gw = await startGateway({ config: CONFIG });
  try {
    const r = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', headers: auth(CAROL), body: chat('other') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-gateway-route-reason'], 'sensitive->local');
  } finally {
    await gw.stop();
  }
});

test('rate limits: requests and tokens per minute answer 429 with Retry-After and x-ratelimit headers', async () => {
  const gw = await startGateway({ config: CONFIG });
  try {
    const send = (key, body) => request(gw.port, { method: 'POST', path: '/v1/chat/completions', headers: auth(key), body });
    for (let i = 0; i < 3; ++i) {
      const r = await send(ALICE, chat('fast'));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['x-ratelimit-limit-requests'], '3');
      assert.equal(r.headers['x-ratelimit-remaining-requests'], String(2 - i));
    }
    const over = await send(ALICE, chat('fast'));
    assert.equal(over.status, 429);
    assert.equal(over.json.error.type, 'requests');
    assert.equal(over.json.error.code, 'rate_limit_exceeded');
    assert.ok(Number(over.headers['retry-after']) >= 1 && Number(over.headers['retry-after']) <= 20);
    assert.equal(over.headers['x-ratelimit-remaining-requests'], '0');
    assert.match(over.headers['x-ratelimit-reset-requests'], /^\d+(ms|s|m\d+s)$/);

    // Bob: 400 tokens per minute; a ~300-token prompt passes, the next one does not.
    const long = chat('fast', 'word '.repeat(300));
    const first = await send(BOB, long);
    assert.equal(first.status, 200, first.text);
    const second = await send(BOB, long);
    assert.equal(second.status, 429);
    assert.equal(second.json.error.type, 'tokens');
    assert.equal(second.headers['x-ratelimit-limit-tokens'], '400');

    const m = parseMetrics((await request(gw.port, { path: '/metrics' })).text);
    const limited = (key, limit) => m.find((s) => s.name === 'gateway_rate_limited_total' && s.labels.key === key && s.labels.limit === limit)?.value;
    assert.equal(limited('alice', 'requests'), 1);
    assert.equal(limited('bob', 'tokens'), 1);
  } finally {
    await gw.stop();
  }
});

test('hostile HTTP: slow headers and body get 408, limits 414/431, ambiguous framing 400 and close', async () => {
  const gw = await startGateway({ config: CONFIG });
  try {
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n';
    const slowHead = await rawExchange(gw.port, [head, 2_500, 'X-Late: 1\r\n\r\n']);
    assert.equal(statusOf(slowHead.data), 408, slowHead.data);
    assert.ok(slowHead.closed);
    const slowBody = await rawExchange(gw.port, [`${head}Content-Length: 100\r\n\r\n{"model":`, 2_500]);
    assert.equal(statusOf(slowBody.data), 408, slowBody.data);
    assert.match(slowBody.data, /"code":"request_timeout"/);

    const longTarget = await rawExchange(gw.port, [`GET /v1/models?${'a'.repeat(2000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    assert.equal(statusOf(longTarget.data), 414);
    const many = Array.from({ length: 50 }, (_, i) => `X-H${i}: 1\r\n`).join('');
    const manyHeaders = await rawExchange(gw.port, [`GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\n`]);
    assert.equal(statusOf(manyHeaders.data), 431);

    const framing = [
      `${head}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
      `${head}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `${head}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`,
      'POST /v1/chat/completions HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      `${head}Transfer-Encoding: chunked\r\n\r\n${`1;${'e'.repeat(1000)}\r\na\r\n`.repeat(6)}0\r\n\r\n`,
    ];
    for (const raw of framing) {
      const r = await rawExchange(gw.port, [raw]);
      assert.equal(statusOf(r.data), 400, `${JSON.stringify(raw.slice(0, 90))} got ${r.data.slice(0, 200)}`);
      assert.ok(r.closed, 'the connection must close after a framing error');
    }
    // Plain chunked is fine.
    const body = JSON.stringify(chat('fast'));
    const chunked = await rawExchange(gw.port, [`${head}Authorization: Bearer ${ALICE}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`]);
    assert.equal(statusOf(chunked.data), 200, chunked.data.slice(0, 300));
    assert.equal((await request(gw.port, { path: '/healthz' })).status, 200);
  } finally {
    await gw.stop();
  }
});

// Writes `head` and then `body` as fast as the socket takes them, ends the connection, and
// collects what the gateway answers until it closes; socket errors (EPIPE, ECONNRESET) are kept.
function sendAtFullSpeed(port, head, body, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    const errors = [];
    let sent = false;
    const timer = setTimeout(() => sock.destroy(new Error(`no close within ${timeoutMs} ms`)), timeoutMs);
    sock.on('data', (b) => chunks.push(b));
    sock.on('error', (e) => errors.push(e.code ?? e.message));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks).toString('latin1'), errors, sent });
    });
    sock.on('connect', () => {
      sock.write(head);
      sock.end(body, () => { sent = true; });
    });
  });
}

// The gateway answers 413 as soon as it knows, while the client is still sending: it must keep
// reading (and discarding) until the client is done, or the close resets the connection and the
// client sees EPIPE or ECONNRESET on its write, and may lose the 413.
test('a 64 MiB body over max_body_bytes, sent at full speed: the 413 envelope arrives, no reset', async () => {
  const gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, max_body_bytes: 65536}
models:
  - {id: fast, sim: {time_scale: 0}, default_max_tokens: 4}
` });
  try {
    const size = 64 << 20;
    const payload = Buffer.alloc(size, 0x61);
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';
    const variants = {
      // Refused from the head alone.
      'Content-Length': [`${head}Content-Length: ${size}\r\n\r\n`, payload],
      // Refused once the chunks pass the limit, with most of the body still to come.
      chunked: [`${head}Transfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n`,
        Buffer.concat([payload, Buffer.from('\r\n0\r\n\r\n')])],
    };
    for (const [name, [h, body]] of Object.entries(variants)) {
      const r = await sendAtFullSpeed(gw.port, h, body);
      assert.equal(statusOf(r.data), 413, `${name}: ${r.data.slice(0, 300)} errors=${r.errors}`);
      const envelope = JSON.parse(r.data.slice(r.data.indexOf('\r\n\r\n') + 4));
      assert.equal(envelope.error.code, 'request_too_large', name);
      assert.equal(envelope.error.type, 'invalid_request_error', name);
      assert.match(envelope.error.message, /65536/, name);
      assert.deepEqual(r.errors, [], `${name}: the connection was reset while the body was sent`);
      assert.ok(r.sent, `${name}: the body did not go out in full`);
    }
    assert.equal((await request(gw.port, { path: '/healthz' })).status, 200);
  } finally {
    await gw.stop();
  }
});

test('max_connections: one connection over the limit gets 503 with Retry-After', async () => {
  const gw = await startGateway({ config: CONFIG });
  const held = [];
  try {
    for (let i = 0; i < 6; ++i) {
      const s = net.connect(gw.port, '127.0.0.1');
      s.on('error', () => {});
      await new Promise((r) => s.once('connect', r));
      held.push(s);
    }
    // The gateway counts a connection once its session starts: wait until all six are counted.
    const over = await rawExchange(gw.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.equal(statusOf(over.data), 503, over.data);
    assert.match(over.data, /Retry-After: 1/i);
    assert.match(over.data, /too_many_connections/);
    for (const s of held) s.destroy();
    held.length = 0;
    // Freed when the gateway sees each close: poll until it has.
    const status = await pollUntil(async () => {
      const s = (await request(gw.port, { path: '/healthz' }).catch(() => ({}))).status;
      return s === 200 ? s : undefined;
    }, { timeoutMs: 5_000 });
    assert.equal(status, 200, 'connections freed must be usable again');
  } finally {
    for (const s of held) s.destroy();
    await gw.stop();
  }
});

test('CORS: preflight allowed for a configured origin only; answers expose the streaming headers', async () => {
  const gw = await startGateway({ config: CONFIG });
  try {
    const pre = await request(gw.port, {
      method: 'OPTIONS', path: '/v1/chat/completions',
      headers: { Origin: 'https://chat.example.com', 'Access-Control-Request-Method': 'POST',
                 'Access-Control-Request-Headers': 'authorization, content-type, x-stainless-os' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://chat.example.com');
    assert.match(pre.headers['access-control-allow-methods'], /POST/);
    assert.equal(pre.headers['access-control-allow-headers'], 'authorization, content-type, x-stainless-os');
    assert.equal(pre.headers['access-control-max-age'], '120');
    const evil = await request(gw.port, {
      method: 'OPTIONS', path: '/v1/chat/completions',
      headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers['access-control-allow-origin'], undefined);

    const real = await request(gw.port, {
      method: 'POST', path: '/v1/chat/completions', body: { ...chat('fast'), stream: true },
      headers: { ...auth(ALICE), Origin: 'https://chat.example.com' },
    });
    assert.equal(real.status, 200);
    assert.equal(real.headers['access-control-allow-origin'], 'https://chat.example.com');
    assert.match(real.headers['access-control-expose-headers'], /x-request-id/);
    assert.match(real.headers['access-control-expose-headers'], /x-ratelimit-remaining-requests/);
    assert.match(real.headers.vary, /Origin/);
    // An error answer carries them too, so the page can read why it failed.
    const unauth = await request(gw.port, { path: '/v1/models', headers: { Origin: 'https://chat.example.com' } });
    assert.equal(unauth.status, 401);
    assert.equal(unauth.headers['access-control-allow-origin'], 'https://chat.example.com');
  } finally {
    await gw.stop();
  }
});

test('no keys on a non-loopback address: refused unless explicitly allowed, then a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-auth-'));
  const run = (yaml) => new Promise((resolve) => {
    const path = join(dir, `c${Math.random()}.yaml`);
    writeFileSync(path, yaml);
    const child = spawn(GATEWAY_BIN, ['--config', path, '--check-config'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
  const model = 'models: [{id: m, sim: {time_scale: 0}}]\n';
  const refused = await run(`server: {listen: 0.0.0.0:0}\n${model}`);
  assert.equal(refused.code, 1);
  assert.match(refused.out, /allow_unauthenticated/);
  const allowed = await run(`server: {listen: 0.0.0.0:0}\nauth: {allow_unauthenticated: true}\n${model}`);
  assert.equal(allowed.code, 0, allowed.out);
  const loopback = await run(`server: {listen: 127.0.0.1:0}\n${model}`);
  assert.equal(loopback.code, 0, loopback.out);
});
