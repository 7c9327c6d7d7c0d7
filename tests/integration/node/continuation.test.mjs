// Mid-stream continuation (routing.continue_on_failure) against the real binary: a local
// `openai` server that dies after a few chunks (dying_upstream.mjs), and the target that goes on
// with the answer, which records the continuation body. The client must read one stream: one
// id, one role chunk, the exact concatenated text, the SSE comment at the switch, [DONE]; the
// switch shows in the metric and the access log. A restricted request goes on only on another
// local server; a stream that emitted a tool call is not continued.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { parseMetrics, pollUntil, request, sseData, startGateway } from './harness.mjs';
import { WORDS, startDyingUpstream } from './dying_upstream.mjs';

const T = { timeout: 20_000 };
const CHAT = '/v1/chat/completions';
const LEGACY = '/v1/completions';
const HEALTH = 'health: {path: /health, interval_ms: 200, timeout_ms: 500, unhealthy_after: 5, healthy_after: 1}';

describe('mid-stream continuation', () => {
  let gw, local, provider, toolLocal, restrictedA, restrictedB, plainLocal;
  const servers = [];

  before(async () => {
    local = await startDyingUpstream({ id: 'local-id', created: 111 });
    provider = await startDyingUpstream({ id: 'prov-id', created: 222, script: 'whole', continuation: [' fox', ' jumps', '.'] });
    toolLocal = await startDyingUpstream({ script: 'tool' });
    restrictedA = await startDyingUpstream({ id: 'ra', continuation: [' fox', '.'] });
    restrictedB = await startDyingUpstream({ id: 'rb', continuation: [' fox', '.'] });
    plainLocal = await startDyingUpstream({ id: 'plain' });
    servers.push(local, provider, toolLocal, restrictedA, restrictedB, plainLocal);
    const model = (id, urls, extra = '') => `
  - id: ${id}
    engine: openai
    openai:
      model: srv
      servers: [${urls.map((u, i) => `{name: s${i}, url: "${u}"}`).join(', ')}]
      continuation: continue_final_message
      ${HEALTH}
    remote: [{provider: p1, model: prov-model}]
    routing: {continue_on_failure: true${extra}}`;
    gw = await startGateway({
      config: `
server: {listen: 127.0.0.1:0}
log: {level: info}
restricted: {header: X-Data-Classification, value: restricted}
providers:
  - {name: p1, base_url: "${provider.url}", continuation: prefix, retries: {max_retries: 0}}
models:${model('cm', [local.url])}${model('ct', [toolLocal.url])}${model('cr', [restrictedA.url, restrictedB.url])}
  - id: off
    engine: openai
    openai: {model: srv, servers: [{name: s0, url: "${plainLocal.url}"}], ${HEALTH}}
    remote: [{provider: p1, model: prov-model}]
`,
    });
  });

  after(async () => {
    await gw?.stop();
    for (const s of servers) await s.close();
  });

  const stream = async (model, extra = {}, headers = {}, path = CHAT) => {
    const body = path === CHAT
      ? { model, stream: true, max_tokens: 50, messages: [{ role: 'user', content: 'Tell me about foxes.' }], ...extra }
      : { model, stream: true, max_tokens: 50, prompt: 'Say it:', ...extra };
    const res = await request(gw.port, { method: 'POST', path, body, headers, timeoutMs: 10_000 });
    assert.equal(res.status, 200, res.text);
    res.events = sseData(res.text);
    res.chunks = res.events.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
    return res;
  };
  const text = (chunks) => chunks.map((c) => c.choices?.[0]?.delta?.content ?? c.choices?.[0]?.text ?? '').join('');
  const continuations = async (labels) => {
    const m = parseMetrics((await request(gw.port, { path: '/metrics' })).text);
    return m.filter((s) => s.name === 'gateway_continuations_total' &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
  };

  test('a local server that dies mid-answer: the provider goes on, one stream', T, async () => {
    const res = await stream('cm', { stream_options: { include_usage: true } });
    assert.equal(res.headers['x-gateway-route'], 'local:cm');
    assert.equal(text(res.chunks), 'The quick brown fox jumps.');
    assert.deepEqual([...new Set(res.chunks.map((c) => c.id))], ['local-id']);
    assert.deepEqual([...new Set(res.chunks.map((c) => c.created))], [111]);
    assert.ok(res.chunks.every((c) => c.model === 'cm'));
    assert.equal(res.chunks.filter((c) => c.choices?.[0]?.delta?.role).length, 1, 'one role chunk');
    assert.equal(res.events.at(-1), '[DONE]');
    assert.match(res.text, /\n: gateway-continued from=local:cm to=remote:p1 reason=upstream_failed\n\n/);
    assert.ok(!res.text.includes('"error"'), res.text);
    // Usage: the request's prompt (the prefill moved out of it) and every completion token.
    const usage = res.chunks.at(-1).usage;
    assert.deepEqual([usage.prompt_tokens, usage.completion_tokens, usage.total_tokens], [17, 6, 23]);

    // The provider's body: the conversation, the partial answer as a prefix, max_tokens shrunk.
    const sent = provider.requests.at(-1);
    assert.equal(sent.kind, 'continuation');
    assert.equal(sent.body.model, 'prov-model');
    assert.deepEqual(sent.body.messages, [
      { role: 'user', content: 'Tell me about foxes.' },
      { role: 'assistant', content: 'The quick brown', prefix: true },
    ]);
    assert.equal(sent.body.max_tokens, 47);
    assert.equal(sent.body.continue_final_message, undefined);

    assert.equal(await continuations({ model: 'cm', from_kind: 'local-server', to_kind: 'remote', outcome: 'completed' }), 1);
    const line = await pollUntil(() => gw.output().split('\n').find((l) => l.includes('access') &&
      l.includes('route=local:cm>remote:p1')));
    assert.ok(line, gw.output());
    assert.match(line, / continued=1/);
    assert.match(line, / status=200 /);
  });

  test('a restricted request goes on only on another local server', T, async () => {
    const before = provider.requests.length;
    const res = await stream('cr', {}, { 'X-Data-Classification': 'restricted' });
    assert.equal(text(res.chunks), 'The quick brown fox.');
    assert.equal(res.events.at(-1), '[DONE]');
    assert.match(res.text, /: gateway-continued from=local:cr to=local:cr reason=upstream_failed/);
    assert.equal(provider.requests.length, before, 'nothing left the machine');
    const both = [...restrictedA.requests, ...restrictedB.requests];
    const cont = both.find((r) => r.kind === 'continuation');
    assert.ok(cont, 'the other server continued');
    // One server failed, the other continued: never the same one.
    const died = restrictedA.requests.some((r) => r.kind === 'text') ? restrictedA : restrictedB;
    assert.ok(!died.requests.some((r) => r.kind === 'continuation'));
    assert.equal(cont.body.continue_final_message, true);
    assert.equal(cont.body.add_generation_prompt, false);
    assert.deepEqual(cont.body.messages.at(-1), { role: 'assistant', content: 'The quick brown' });
    assert.ok(new Set(res.chunks.map((c) => c.id)).size === 1);
    assert.equal(await continuations({ model: 'cr', to_kind: 'local-server', outcome: 'completed' }), 1);
  });

  test('a stream that emitted a tool call is not continued', T, async () => {
    const before = provider.requests.length;
    const res = await stream('ct', { tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }] });
    assert.ok(res.chunks.some((c) => c.choices?.[0]?.delta?.tool_calls));
    assert.ok(res.chunks.at(-1).error, res.text);
    assert.ok(!res.text.includes('gateway-continued'));
    assert.equal(provider.requests.length, before);
    assert.equal(await continuations({ model: 'ct', to_kind: 'none', outcome: 'refused' }), 1);
  });

  test('logprobs and n > 1 are not continued', T, async () => {
    const res = await stream('cm', { logprobs: true });
    assert.ok(res.chunks.at(-1).error, res.text);
    assert.ok(!res.text.includes('gateway-continued'));
  });

  test('a legacy completions stream goes on with the partial text in its prompt', T, async () => {
    const res = await stream('cm', {}, {}, LEGACY);
    assert.equal(text(res.chunks), 'The quick brown fox jumps.');
    assert.equal(res.events.at(-1), '[DONE]');
    const sent = provider.requests.at(-1);
    assert.equal(sent.body.prompt, 'Say it:The quick brown');
  });

  test('a non-streamed request cut mid-answer is retried whole on the next target', T, async () => {
    const res = await request(gw.port, { method: 'POST', path: CHAT, timeoutMs: 10_000,
      body: { model: 'cm', messages: [{ role: 'user', content: 'Tell me about foxes.' }] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-gateway-route'], 'remote:p1');
    assert.equal(res.headers['x-gateway-route-reason'], 'fallback');
    assert.equal(res.json.choices[0].message.content, WORDS.join(''));
    assert.equal(provider.requests.at(-1).kind, 'whole');
  });

  test('without continue_on_failure the stream ends with its error event as before', T, async () => {
    const res = await stream('off');
    assert.equal(text(res.chunks), WORDS.slice(0, 3).join(''));
    assert.ok(res.chunks.at(-1).error, res.text);
    assert.ok(!res.text.includes('gateway-continued'));
  });
});
