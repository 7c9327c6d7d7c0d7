// Traces end to end (issue 20): the real gateway with `tracing:` pointed at a fake OTLP collector
// (otlp_collector.mjs), in front of a plain-HTTP fake upstream that records the trace headers it
// receives. Checked: the gateway's span is the child of the client's; each upstream attempt is
// a child of the gateway's span, and the traceparent the upstream received names that attempt; a
// retry and a fallback each make two attempt spans; tracestate reaches the upstream; a local
// engine's queue wait is on the gateway's span; an unsampled trace records nothing; a collector
// that is down costs no request and its spans are counted as dropped.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';

import { deadPort, parseMetrics, pollUntil, request, sseData, startGateway } from './harness.mjs';
import { startCollector } from './otlp_collector.mjs';

const T = { timeout: 20_000 };
const SERVER = 2;  // OTLP SpanKind
const CLIENT = 3;

// --- the upstream: an OpenAI-compatible server over plain HTTP --------------------------------
// The upstream model name picks the behaviour: "ok"; "fail" (500 every time); "500,ok" (attempt
// N of one X-Request-Id gets entry N). GET /healthz answers 200 (local server health probes).
async function startUpstream() {
  const requests = [];
  const attempts = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(200).end('ok');
        return;
      }
      const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const rid = req.headers['x-request-id'];
      const n = attempts.get(rid) ?? 0;
      attempts.set(rid, n + 1);
      const plan = String(json.model).split(',');
      const behaviour = plan[Math.min(n, plan.length - 1)];
      requests.push({ path: req.url, headers: req.headers, json, behaviour });
      if (behaviour === 'fail' || behaviour === '500') {
        res.writeHead(500, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'upstream down', type: 'server_error' } }));
        return;
      }
      const base = { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: json.model };
      const events = [
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      ];
      if (json.stream_options?.include_usage)
        events.push({ ...base, choices: [], usage: { prompt_tokens: 11, completion_tokens: 1, total_tokens: 12 } });
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    requests,
    forRequest: (rid) => requests.filter((r) => r.headers['x-request-id'] === rid),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

const config = (up, tracing) => `
server: {listen: 127.0.0.1:0}
log: {level: info}
${tracing}
providers:
  - {name: p-retry, base_url: "http://127.0.0.1:${up}/v1", retries: {max_retries: 1, base_ms: 1, cap_ms: 5},
     retry_budget: {ratio: 1.0, min_retries_per_s: 100}, breaker: {consecutive_failures: 0, window: 0}}
  - {name: p-once, base_url: "http://127.0.0.1:${up}/v1", retries: {max_retries: 0},
     breaker: {consecutive_failures: 0, window: 0}}
  - {name: p-backup, base_url: "http://127.0.0.1:${up}/v1", retries: {max_retries: 0},
     breaker: {consecutive_failures: 0, window: 0}}
models:
  - {id: m-ok, engine: none, remote: [{provider: p-once, model: ok}]}
  - {id: m-retry, engine: none, remote: [{provider: p-retry, model: "500,ok"}]}
  - {id: m-fallback, engine: none, remote: [{provider: p-once, model: fail}, {provider: p-backup, model: ok}]}
  - id: m-server
    engine: openai
    openai:
      model: ok
      servers: [{name: s1, url: "http://127.0.0.1:${up}/v1"}]
      health: {path: /healthz}
  - id: m-sim
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
    default_max_tokens: 4
`;

const hex = (n) => randomBytes(n).toString('hex');
let seq = 0;

async function chat(gw, model, headers = {}) {
  const rid = `tr-${process.pid}-${++seq}`;
  const res = await request(gw.port, {
    method: 'POST', path: '/v1/chat/completions', headers: { ...headers, 'X-Request-Id': rid },
    body: { model, messages: [{ role: 'user', content: 'hi' }], stream: true }, timeoutMs: 10_000,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(sseData(res.text).at(-1), '[DONE]', res.text);
  return rid;
}

const parsed = (tp) => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(tp ?? '');
  assert.ok(m, `not a version-00 traceparent: ${tp}`);
  return { trace: m[1], span: m[2], flags: m[3] };
};

describe('traces', () => {
  let up;
  let collector;
  let gw;

  before(async () => {
    up = await startUpstream();
    collector = await startCollector();
    gw = await startGateway({
      config: config(up.port, `tracing: {otlp_endpoint: "${collector.endpoint}", service_name: gw-trace-test, ` +
        'batch_timeout_ms: 20, max_batch_spans: 16, headers: {x-collector-tenant: t1}}'),
    });
  });
  after(async () => {
    await gw?.stop();
    await collector?.close();
    await up?.close();
  });

  // The gateway's span of request `rid` and `clients` attempt spans under it, once all arrived.
  const spansOf = (rid, clients) => collector.waitFor((spans) => {
    const server = spans.find((s) => s.kind === SERVER && s.attrs['gateway.request_id'] === rid);
    if (!server) return null;
    const attempts = spans.filter((s) => s.kind === CLIENT && s.traceId === server.traceId &&
      s.parentSpanId === server.spanId);
    return attempts.length >= clients ? { server, attempts } : null;
  }, { what: `the spans of ${rid}` });

  test('the gateway span is the child of the client\'s; the attempt is its child and what the upstream heard', T, async () => {
    const trace = hex(16);
    const parent = hex(8);
    const rid = await chat(gw, 'm-ok', { traceparent: `00-${trace}-${parent}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61' });
    const { server, attempts } = await spansOf(rid, 1);
    assert.equal(server.traceId, trace);
    assert.equal(server.parentSpanId, parent);
    assert.notEqual(server.spanId, parent);
    assert.equal(server.name, 'POST /v1/chat/completions');
    assert.equal(server.resource['service.name'], 'gw-trace-test');
    assert.equal(server.headers['x-collector-tenant'], 't1');
    assert.equal(server.attrs['gen_ai.request.model'], 'm-ok');
    assert.equal(server.attrs['gateway.route'], 'remote:p-once');
    assert.equal(typeof server.attrs['gateway.route_reason'], 'string');
    assert.equal(server.attrs['http.response.status_code'], '200');
    assert.ok(BigInt(server.endTimeUnixNano) >= BigInt(server.startTimeUnixNano));

    assert.equal(attempts.length, 1);
    const [a] = attempts;
    assert.equal(a.name, 'chat ok');
    assert.equal(a.attrs['gen_ai.provider.name'], 'p-once');
    assert.equal(a.attrs['gen_ai.request.model'], 'ok');
    assert.equal(a.attrs['http.response.status_code'], '200');
    assert.equal(a.attrs['gen_ai.usage.input_tokens'], '11');

    const [received] = up.forRequest(rid);
    const tp = parsed(received.headers.traceparent);
    assert.deepEqual(tp, { trace, span: a.spanId, flags: '01' });
    assert.equal(received.headers.tracestate, 'rojo=00f067aa0ba902b7,congo=t61');
  });

  test('a retried attempt makes two attempt spans, each what the upstream heard', T, async () => {
    const trace = hex(16);
    const rid = await chat(gw, 'm-retry', { traceparent: `00-${trace}-${hex(8)}-01` });
    const { server, attempts } = await spansOf(rid, 2);
    assert.equal(attempts.length, 2);
    const [first, second] = [...attempts].sort((x, y) => Number(x.attrs['gateway.retry']) - Number(y.attrs['gateway.retry']));
    assert.equal(first.status.code, 2);  // error
    assert.equal(first.attrs['error.type'], 'http_500');
    assert.equal(first.attrs['http.response.status_code'], '500');
    assert.equal(first.events?.[0]?.name, 'retry');
    assert.equal(second.attrs['http.request.resend_count'], '1');
    assert.equal(second.status.code, 0);
    const heard = up.forRequest(rid).map((r) => parsed(r.headers.traceparent));
    assert.deepEqual(heard.map((h) => h.span), [first.spanId, second.spanId]);
    assert.ok(heard.every((h) => h.trace === trace && h.trace === server.traceId));
  });

  test('a fallback makes two attempt spans and an event on the gateway span', T, async () => {
    const rid = await chat(gw, 'm-fallback', { traceparent: `00-${hex(16)}-${hex(8)}-01` });
    const { server, attempts } = await spansOf(rid, 2);
    assert.deepEqual(attempts.map((a) => a.attrs['gen_ai.provider.name']).sort(), ['p-backup', 'p-once']);
    const failed = attempts.find((a) => a.attrs['gen_ai.provider.name'] === 'p-once');
    assert.equal(failed.status.code, 2);
    assert.equal(server.attrs['gateway.route_reason'], 'fallback');
    assert.equal(server.attrs['gateway.route'], 'remote:p-backup');
    const fallback = server.events?.find((e) => e.name === 'fallback');
    assert.ok(fallback, JSON.stringify(server.events));
    assert.deepEqual(up.forRequest(rid).map((r) => parsed(r.headers.traceparent).span).sort(),
      attempts.map((a) => a.spanId).sort());
  });

  test('without a traceparent the gateway starts the trace', T, async () => {
    const rid = await chat(gw, 'm-ok');
    const { server, attempts } = await spansOf(rid, 1);
    assert.equal(server.parentSpanId ?? '', '');
    assert.match(server.traceId, /^[0-9a-f]{32}$/);
    const tp = parsed(up.forRequest(rid)[0].headers.traceparent);
    assert.deepEqual(tp, { trace: server.traceId, span: attempts[0].spanId, flags: '01' });
    assert.equal(up.forRequest(rid)[0].headers.tracestate, undefined);
  });

  test('a local server\'s call is an attempt span; the queue wait is on the gateway span', T, async () => {
    const rid = await chat(gw, 'm-server', { traceparent: `00-${hex(16)}-${hex(8)}-01` });
    const { server, attempts } = await spansOf(rid, 1);
    assert.equal(attempts[0].attrs['gateway.target'], 'local:s1');
    assert.equal(attempts[0].attrs['gen_ai.provider.name'], undefined);
    assert.equal(typeof server.attrs['gateway.queue_wait_ms'], 'number');
    assert.equal(parsed(up.forRequest(rid)[0].headers.traceparent).span, attempts[0].spanId);

    const simRid = await chat(gw, 'm-sim');
    const sim = await spansOf(simRid, 0);
    assert.equal(sim.server.attrs['gateway.route'], 'local:m-sim');
    assert.equal(typeof sim.server.attrs['gateway.queue_wait_ms'], 'number');
  });

  test('an unsampled trace passes ids on and records nothing', T, async () => {
    const trace = hex(16);
    const parent = hex(8);
    const rid = await chat(gw, 'm-ok', { traceparent: `00-${trace}-${parent}-00` });
    const tp = parsed(up.forRequest(rid)[0].headers.traceparent);
    assert.equal(tp.trace, trace);
    assert.equal(tp.flags, '00');
    assert.notEqual(tp.span, parent);
    // Spans leave in the order they end: once a later request's spans are in, none of this one's
    // can still come.
    const later = await chat(gw, 'm-ok');
    await spansOf(later, 1);
    assert.equal(collector.spans.filter((s) => s.traceId === trace).length, 0);
  });
});

describe('traces, collector down', () => {
  test('requests succeed and the dropped spans are counted', T, async () => {
    const up = await startUpstream();
    const gw = await startGateway({
      config: config(up.port, `tracing: {otlp_endpoint: "http://127.0.0.1:${await deadPort()}", ` +
        'batch_timeout_ms: 10, export_timeout_ms: 1000}'),
    });
    try {
      for (let i = 0; i < 3; ++i) await chat(gw, 'm-ok', { traceparent: `00-${hex(16)}-${hex(8)}-01` });
      const dropped = await pollUntil(async () => {
        const m = await request(gw.port, { path: '/metrics' });
        const s = parseMetrics(m.text);
        const failed = s.find((x) => x.name === 'gateway_trace_spans_dropped_total' && x.labels.reason === 'export_failed');
        return failed && failed.value >= 6 ? s : null;  // 3 requests × (gateway span + attempt span)
      }, { timeoutMs: 8_000 });
      assert.ok(dropped, 'the dropped counter did not reach 6');
      assert.equal(dropped.find((x) => x.name === 'gateway_trace_spans_exported_total').value, 0);
      assert.match(gw.output(), /traces: an export to the collector failed/);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});

describe('traces off', () => {
  test('the client\'s traceparent and tracestate reach the upstream unchanged', T, async () => {
    const up = await startUpstream();
    const gw = await startGateway({ config: config(up.port, '') });
    try {
      const tp = `00-${hex(16)}-${hex(8)}-01`;
      const rid = await chat(gw, 'm-ok', { traceparent: tp, tracestate: 'rojo=1' });
      const [received] = up.forRequest(rid);
      assert.equal(received.headers.traceparent, tp);
      assert.equal(received.headers.tracestate, 'rojo=1');
      const m = await request(gw.port, { path: '/metrics' });
      assert.doesNotMatch(m.text, /gateway_trace_spans/);
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});
