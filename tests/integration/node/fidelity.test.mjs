// Protocol fidelity: the gateway as a faithful OpenAI proxy to both kinds of upstream, a remote
// provider over HTTPS and a local inference server (`engine: openai`) over HTTP, each played by a
// recording upstream (recording_upstream.mjs) that keeps every byte it received and sent.
//
// Requests: the upstream receives the client's body with only the documented edits (model,
// include_usage, a provider's rename_fields): every OpenAI and vendor field, content parts,
// tool messages, big numbers and escapes as written. Answers: every chunk and body reaches the
// client as the upstream wrote it, but for `model`, one `id` per stream and the usage the client
// did not ask for. Then the official SDK's way of using them (tool calls, multi-turn tools,
// json_schema, images, vendor fields, n: 2, reasoning), and an upstream's 400.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { assertHealthy, request, sseData, startGateway } from './harness.mjs';
import { makeTestPki } from './tls.mjs';
import {
  JSON_ANSWER, REASONING, REJECT_MESSAGE, TEXT_WORDS_TEXT, TOOL_ANSWER, VENDOR_RAW, WEATHER_CALLS, raw, rawJson,
  startRecordingUpstream, vectorFor,
} from './recording_upstream.mjs';
import {
  CHAT, CHAT_SCENARIOS, EMBED, IMAGE_PART, KEY_ENV, KINDS, LEGACY, RAW_MEMBERS, WEATHER_SCHEMA, WEATHER_TOOL,
  assertBodyRelayed, assertRawMember, assertStreamRelayed, deepEq, forwardedBody, fullChatBody, gatewayConfig,
  onlyUpstream, renameConfig, scenarioExtras, where, withRawMembers,
} from './fidelity_support.mjs';

const T = { timeout: 15_000 };
const HI = [{ role: 'user', content: 'hi' }];

describe('fidelity: the gateway forwards requests and answers as written', () => {
  let pki;
  let gw;
  const ups = {};  // recording upstreams by kind key

  before(async () => {
    pki = makeTestPki();
    ups.provider = await startRecordingUpstream({ tls: { key: pki.trusted.key, cert: pki.trusted.cert } });
    ups.local = await startRecordingUpstream();
    gw = await startGateway({ config: gatewayConfig({ provUp: ups.provider, localUp: ups.local, caFile: pki.caFile }),
      env: { [KEY_ENV]: 'sk-fidelity-test' } });
  });

  after(async () => {
    await gw?.stop();
    await Promise.all(Object.values(ups).map((u) => u.close()));
    pki?.cleanup();
  });

  let ridSeq = 0;
  // One client request on its own connection (a JSON value, or raw JSON text); res.up holds the
  // requests the kind's upstream received meanwhile with this X-Request-Id (all of them when none
  // carries one), res.data the SSE payloads.
  async function send(kind, path, body, headers = {}) {
    const up = ups[kind.key];
    const from = up.requests.length;
    const id = `fid-${kind.key}-${process.pid}-${++ridSeq}`;
    const res = await request(gw.port, { method: 'POST', path, body, headers: { 'X-Request-Id': id, ...headers }, timeoutMs: 10_000 });
    res.rid = id;
    res.data = String(res.headers['content-type']).startsWith('text/event-stream') ? sseData(res.text) : [];
    const fresh = up.requests.slice(from);
    const mine = fresh.filter((r) => r.headers['x-request-id'] === id);
    res.up = mine.length > 0 ? mine : fresh.filter((r) => r.headers['x-request-id'] === undefined);
    return res;
  }

  const sdk = () => new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0, timeout: 10_000 });
  // The upstream request an SDK call made: the last one the kind's upstream received on `path`.
  const lastUpstream = (kind, path = CHAT) => ups[kind.key].requests.filter((r) => r.path.endsWith(path)).at(-1);

  for (const kind of KINDS) {
    const id = (scenario) => `${kind.prefix}${scenario}`;
    const upModel = (scenario) => kind.upstreamModel(scenario);

    describe(`to a ${kind.name}`, () => {
      // --- what the upstream receives ------------------------------------------------------------

      test('plain chat: the SDK gets the upstream\'s text, streamed and not', T, async () => {
        const openai = sdk();
        const whole = await openai.chat.completions.create({ model: id('text'), messages: HI });
        assert.equal(whole.choices[0].message.content, TEXT_WORDS_TEXT);
        assert.equal(whole.model, id('text'));
        const stream = await openai.chat.completions.create({ model: id('text'), messages: HI, stream: true });
        let text = '';
        for await (const c of stream) {
          assert.equal(c.model, id('text'));
          text += c.choices[0]?.delta?.content ?? '';
        }
        assert.equal(text, TEXT_WORDS_TEXT);
        assert.equal(lastUpstream(kind).body.model, upModel('text'));
      });

      test('request: a body of only model and messages reaches the upstream with nothing added', T, async () => {
        for (const stream of [false, true]) {
          const body = { model: id('text'), messages: HI, ...(stream ? { stream: true } : {}) };
          const res = await send(kind, CHAT, body);
          assert.equal(res.status, 200, where(res));
          assert.equal(res.headers['x-gateway-route'], kind.route(id('text')), where(res));
          assert.equal(res.headers['x-gateway-route-reason'], kind.reason, where(res));
          const want = { model: upModel('text'), messages: HI, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) };
          deepEq(onlyUpstream(res).body, want, `stream ${stream}: the upstream body`);
        }
      });

      test('request: every OpenAI and vendor chat field, content part and tool message reaches the upstream unchanged', T, async () => {
        for (const stream of [false, true]) {
          const body = { ...fullChatBody(id('text')), ...(stream ? { stream: true } : {}) };
          const res = await send(kind, CHAT, body);
          assert.equal(res.status, 200, `stream ${stream}: ${where(res)}`);
          deepEq(onlyUpstream(res).body, forwardedBody(body, upModel('text')), `stream ${stream}: the upstream body`);
        }
      });

      test('request: big integers, exponents and escapes reach the upstream verbatim', T, async () => {
        for (const stream of [false, true]) {
          const text = rawJson(withRawMembers({ model: id('text'), messages: HI, ...(stream ? { stream: true } : {}) }));
          const res = await send(kind, CHAT, text);
          assert.equal(res.status, 200, `stream ${stream}: ${where(res)}`);
          const u = onlyUpstream(res);
          deepEq(u.body, forwardedBody(JSON.parse(text), upModel('text')), `stream ${stream}: the upstream body`);
          for (const [k, v] of Object.entries(RAW_MEMBERS)) assertRawMember(u.raw, k, v, `stream ${stream}: upstream body`);
          assertRawMember(u.raw, 'deep', '[1e400', `stream ${stream}: upstream body`);
          assertRawMember(u.raw, 'big', '-123456789012345678901234567890', `stream ${stream}: upstream body`);
        }
      });

      test('request: include_usage is set on a stream, the other stream_options kept; max_completion_tokens not renamed', T, async () => {
        for (const streamOptions of [{ include_usage: false, continuous_usage_stats: true }, { include_usage: true }, { x_vendor: [1, 2] }]) {
          const body = { model: id('text'), messages: HI, stream: true, stream_options: streamOptions, max_completion_tokens: 33 };
          const res = await send(kind, CHAT, body);
          assert.equal(res.status, 200, where(res));
          const u = onlyUpstream(res);
          deepEq(u.body.stream_options, { ...streamOptions, include_usage: true }, 'upstream stream_options');
          deepEq(u.body, forwardedBody(body, upModel('text')), 'the upstream body');
          assert.equal(u.body.max_tokens, undefined, 'max_tokens invented upstream');
        }
        const plain = { model: id('text'), messages: HI, max_completion_tokens: 33 };
        const res = await send(kind, CHAT, plain);
        assert.equal(res.status, 200, where(res));
        deepEq(onlyUpstream(res).body, forwardedBody(plain, upModel('text')), 'non-streamed: the upstream body');
      });

      test('request: an empty stream_options, and a pretty-printed body, get include_usage as valid JSON', T, async () => {
        const msgs = JSON.stringify(HI);
        for (const text of [
          `{"model":"${id('text')}","messages":${msgs},"stream":true,"stream_options":{}}`,
          `{"model":"${id('text')}","messages":${msgs},"stream":true,"stream_options": { \n }}`,
          JSON.stringify({ model: id('text'), messages: HI, stream: true, stream_options: { x: 1 } }, null, 2),
          `{\n  "model" : "${id('text')}" ,\n  "messages": ${msgs},\n  "stream" : true\n}\n`,
        ]) {
          const res = await send(kind, CHAT, text);
          const u = res.up[0];
          assert.ok(u?.body, `the upstream got a body that is not JSON: ${u?.raw}; client got ${where(res)}`);
          deepEq(u.body, forwardedBody(JSON.parse(text), upModel('text')), `the upstream body for ${JSON.stringify(text)}`);
          assert.equal(res.status, 200, where(res));
        }
      });

      test('request: a repeated member the gateway reads (stream) is refused or served, never a 5xx; the server stays in', T, async () => {
        const msgs = JSON.stringify(HI);
        for (const text of [
          `{"model":"${id('dupes')}","messages":${msgs},"stream":false,"stream":true}`,
          `{"model":"${id('dupes')}","messages":${msgs},"stream":true,"stream":false}`,
          `{"model":"${id('dupes')}","messages":${msgs},"stream":false,"stream":true}`,
        ]) {
          const res = await send(kind, CHAT, text);
          assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500),
            `${text}: ${where(res)}; upstream got ${res.up.map((u) => u.raw).join(' | ')}`);
        }
        const res = await send(kind, CHAT, { model: id('dupes'), messages: HI });
        assert.equal(res.status, 200, `a well-formed request after them: ${where(res)}`);
      });

      test('request: a repeated max_tokens cannot pass the context check with one value and reach the upstream with another', T, async () => {
        // The model's max_model_len is 1000; JSON parsers upstream take the last of repeated members.
        const text = `{"model":"${id('dupes')}","messages":${JSON.stringify(HI)},"max_tokens":10,"max_tokens":1000000}`;
        const res = await send(kind, CHAT, text);
        if (res.status === 200) {
          const seen = JSON.parse(onlyUpstream(res).raw).max_tokens;
          assert.ok(seen <= 1000, `the upstream was asked for max_tokens ${seen} past max_model_len 1000: ${onlyUpstream(res).raw}`);
        } else {
          assert.equal(res.status, 400, where(res));
          assert.equal(res.up.length, 0, 'a refused request reached the upstream');
        }
      });

      test('request: legacy completions with every field, raw numbers and escapes, streamed and not', T, async () => {
        for (const stream of [false, true]) {
          const text = rawJson(withRawMembers({ model: id('text'), prompt: 'Once upon a time', max_tokens: 7, echo: true,
            logprobs: 2, suffix: ' The end.', best_of: 1, temperature: 0.3, top_p: 0.9, stop: ['\n'], seed: 3, user: 'u-7',
            logit_bias: { 50256: -100 }, presence_penalty: 0.1, frequency_penalty: 0.2, top_k: 40, min_p: 0.05,
            repetition_penalty: 1.1, ignore_eos: false, ...(stream ? { stream: true } : {}) }));
          const res = await send(kind, LEGACY, text);
          assert.equal(res.status, 200, `stream ${stream}: ${where(res)}`);
          const u = onlyUpstream(res);
          assert.match(u.path, /\/completions$/);
          assert.doesNotMatch(u.path, /chat/);
          deepEq(u.body, forwardedBody(JSON.parse(text), upModel('text')), `stream ${stream}: the upstream body`);
          for (const [k, v] of Object.entries(RAW_MEMBERS)) assertRawMember(u.raw, k, v, `stream ${stream}: upstream body`);
        }
      });

      test('request: embeddings with user, vendor fields and token-array inputs reach the upstream unchanged', T, async () => {
        const big = raw(RAW_MEMBERS.vendor_big);
        const bodies = [
          { model: id('text'), input: 'hello embeddings', user: 'user-9', encoding_format: 'float', dimensions: 4,
            truncate_prompt_tokens: 128, x_unknown: { a: [1, { b: null }] }, vendor_big: big },
          { model: id('text'), input: [[1, 2, 3]] },
          { model: id('text'), input: [1, 2, 3], encoding_format: 'base64', vendor_big: big },
          { model: id('text'), input: ['first text', 'second text'], user: 'user-10' },
        ];
        for (const body of bodies) {
          const text = rawJson(body);
          const res = await send(kind, EMBED, text);
          assert.equal(res.status, 200, `${JSON.stringify(body.input)}: ${where(res)}`);
          const u = onlyUpstream(res);
          assert.match(u.path, /\/embeddings$/);
          deepEq(u.body, forwardedBody(JSON.parse(text), upModel('text'), { stream: false }),
            `input ${JSON.stringify(body.input)}: the upstream body`);
          if (body.vendor_big) assertRawMember(u.raw, 'vendor_big', RAW_MEMBERS.vendor_big, 'upstream embeddings body');
        }
      });

      test('request: a plain embeddings body (model and input only) reaches the upstream unchanged', T, async () => {
        for (const body of [{ model: id('text'), input: 'plain text only' }, { model: id('text'), input: ['plain', 'texts'] },
          { model: id('text'), input: 'plain base64', encoding_format: 'base64', dimensions: 4 }]) {
          const res = await send(kind, EMBED, body);
          assert.equal(res.status, 200, `${JSON.stringify(body)}: ${where(res)}`);
          deepEq(onlyUpstream(res).body, forwardedBody(body, upModel('text'), { stream: false }), `${JSON.stringify(body)}: the upstream body`);
        }
      });

      // --- what the client receives ----------------------------------------------------------------

      for (const scenario of CHAT_SCENARIOS) {
        test(`answer (${scenario}): every chunk and body reaches the client as the upstream wrote it`, T, async () => {
          const base = { model: id(scenario), messages: HI, ...scenarioExtras(scenario) };
          for (const [label, extra, asked] of [
            ['stream without include_usage', { stream: true }, false],
            ['stream with include_usage false', { stream: true, stream_options: { include_usage: false } }, false],
            ['stream with include_usage', { stream: true, stream_options: { include_usage: true } }, true],
          ]) {
            const res = await send(kind, CHAT, { ...base, ...extra });
            assertStreamRelayed(res, onlyUpstream(res), id(scenario), asked, `${scenario}, ${label}`);
            if (scenario === 'vendor') {
              for (const [k, v] of Object.entries(VENDOR_RAW)) assertRawMember(res.text, k, v, `${scenario}, ${label}`);
            }
          }
          const res = await send(kind, CHAT, base);
          assertBodyRelayed(res, onlyUpstream(res), id(scenario), `${scenario}, not streamed`);
          if (scenario === 'vendor') {
            for (const [k, v] of Object.entries(VENDOR_RAW)) assertRawMember(res.text, k, v, `${scenario}, not streamed`);
          }
        });
      }

      test('answer: one id per stream, the first chunk\'s, even when the upstream changes it', T, async () => {
        const res = await send(kind, CHAT, { model: id('idswitch'), messages: HI, stream: true, stream_options: { include_usage: true } });
        const u = onlyUpstream(res);
        assert.ok(new Set(u.sent.map((s) => JSON.parse(s).id)).size > 1, 'the upstream did not switch ids');
        const ids = new Set(res.data.slice(0, -1).map((d) => JSON.parse(d).id));
        deepEq([...ids], [JSON.parse(u.sent[0]).id], `chunk ids the client saw: ${where(res)}`);
      });

      test('answer: legacy completions (text, n: 2, logprobs, vendor fields) as the upstream wrote them', T, async () => {
        for (const scenario of ['text', 'n2', 'logprobs', 'vendor']) {
          const base = { model: id(scenario), prompt: 'Once upon a time', max_tokens: 6, ...(scenario === 'n2' ? { n: 2 } : {}),
            ...(scenario === 'logprobs' ? { logprobs: 2 } : {}) };
          for (const asked of [false, true]) {
            const res = await send(kind, LEGACY, { ...base, stream: true, ...(asked ? { stream_options: { include_usage: true } } : {}) });
            assertStreamRelayed(res, onlyUpstream(res), id(scenario), asked, `legacy ${scenario}, include_usage ${asked}`);
          }
          const res = await send(kind, LEGACY, base);
          assertBodyRelayed(res, onlyUpstream(res), id(scenario), `legacy ${scenario}, not streamed`);
          if (scenario === 'vendor') assertRawMember(res.text, 'big', VENDOR_RAW.big, 'legacy vendor, not streamed');
        }
      });

      test('answer: embeddings bodies (float and base64) as the upstream wrote them', T, async () => {
        for (const body of [{ input: 'one text' }, { input: ['a', 'b', 'c'], encoding_format: 'base64' }, { input: [[5, 6], [7]] }]) {
          const res = await send(kind, EMBED, { model: id('text'), ...body });
          assertBodyRelayed(res, onlyUpstream(res), id('text'), `embeddings ${JSON.stringify(body)}`);
        }
        const vectors = await sdk().embeddings.create({ model: id('text'), input: ['x', 'y'] });
        assert.equal(vectors.model, id('text'));
        deepEq(vectors.data.map((d) => d.embedding), [vectorFor(0), vectorFor(1)], 'the SDK\'s decoded vectors');
      });

      // --- the official SDK ------------------------------------------------------------------------

      test('SDK: streamed parallel tool calls accumulate to the upstream\'s calls', T, async () => {
        const stream = sdk().beta.chat.completions.stream({ model: id('tools'), messages: HI, tools: [WEATHER_TOOL] });
        const done = await stream.finalChatCompletion();
        const [choice] = done.choices;
        assert.equal(choice.finish_reason, 'tool_calls');
        deepEq(choice.message.tool_calls.map((t) => ({ id: t.id, type: t.type,
          function: { name: t.function.name, arguments: t.function.arguments } })),
          WEATHER_CALLS.map((c) => ({ id: c.id, type: 'function', function: { name: 'get_weather', arguments: c.fragments.join('') } })),
          'accumulated tool calls');
        deepEq(choice.message.tool_calls.map((t) => JSON.parse(t.function.arguments).city), ['Paris', 'Berlin'], 'arguments');
        deepEq(lastUpstream(kind).body.tools, [WEATHER_TOOL], 'tools upstream');
      });

      test('SDK: a multi-turn tool conversation: the tool call and the tool results reach the upstream intact', T, async () => {
        const openai = sdk();
        const messages = [{ role: 'system', content: 'Use the tools.' }, { role: 'user', content: 'Weather in Paris and Berlin?' }];
        const first = await openai.chat.completions.create({ model: id('tools'), messages, tools: [WEATHER_TOOL],
          tool_choice: 'auto', parallel_tool_calls: true });
        const call = first.choices[0].message;
        assert.equal(first.choices[0].finish_reason, 'tool_calls');
        assert.equal(call.tool_calls?.length, 2, `tool calls: ${JSON.stringify(call)}`);
        const turn2 = [...messages, call, ...call.tool_calls.map((t, i) => ({ role: 'tool', tool_call_id: t.id,
          content: JSON.stringify({ city: JSON.parse(t.function.arguments).city, temperature_c: [21, 15][i] }) }))];
        const stream = await openai.chat.completions.create({ model: id('tools'), messages: turn2, tools: [WEATHER_TOOL], stream: true });
        let text = '';
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
        assert.equal(text, TOOL_ANSWER.join(''));
        const u = lastUpstream(kind);
        deepEq(u.body.messages, JSON.parse(JSON.stringify(turn2)), 'the second turn\'s messages upstream');
        assert.equal(u.body.messages[2].tool_calls[1].id, 'call_fid_berlin');
        assert.equal(u.body.messages[4].tool_call_id, 'call_fid_berlin');
      });

      test('SDK: response_format json_schema reaches the upstream; the JSON answer comes back', T, async () => {
        const res = await sdk().chat.completions.create({ model: id('json'), messages: HI, response_format: WEATHER_SCHEMA });
        deepEq(lastUpstream(kind).body.response_format, WEATHER_SCHEMA, 'response_format upstream');
        assert.equal(res.choices[0].message.content, JSON_ANSWER.join(''));
        deepEq(JSON.parse(res.choices[0].message.content), { city: 'Paris', temperature_c: 21 }, 'parsed answer');
      });

      test('SDK: an image content part reaches the upstream', T, async () => {
        const messages = [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, IMAGE_PART] }];
        const res = await sdk().chat.completions.create({ model: id('text'), messages });
        deepEq(lastUpstream(kind).body.messages, messages, 'messages upstream');
        assert.equal(res.choices[0].message.content, TEXT_WORDS_TEXT);
      });

      test('SDK: vendor fields (top_k, repetition_penalty, chat_template_kwargs) reach the upstream', T, async () => {
        const vendor = { top_k: 20, min_p: 0.05, repetition_penalty: 1.05, chat_template_kwargs: { enable_thinking: true },
          guided_json: { type: 'object' }, skip_special_tokens: false };
        await sdk().chat.completions.create({ model: id('text'), messages: HI, ...vendor });
        deepEq(lastUpstream(kind).body, { model: upModel('text'), messages: HI, ...vendor }, 'the upstream body');
      });

      test('SDK: n: 2, not streamed and streamed, gives both choices', T, async () => {
        const openai = sdk();
        const want = ['Choice 0 says hello.', 'Choice 1 says hello.'];
        const whole = await openai.chat.completions.create({ model: id('text'), messages: HI, n: 2 });
        assert.equal(lastUpstream(kind).body.n, 2);
        deepEq(whole.choices.map((c) => c.message.content), want, 'non-streamed choices');
        const acc = await openai.beta.chat.completions.stream({ model: id('text'), messages: HI, n: 2 }).finalChatCompletion();
        deepEq(acc.choices.map((c) => [c.index, c.message.content, c.finish_reason]),
          [[0, want[0], 'stop'], [1, want[1], 'stop']], 'streamed choices');
      });

      test('SDK: reasoning_content and reasoning come through on the stream', T, async () => {
        const stream = await sdk().chat.completions.create({ model: id('reasoning'), messages: HI, stream: true });
        let reasoningContent = '';
        let reasoning = '';
        let text = '';
        for await (const c of stream) {
          const delta = c.choices[0]?.delta ?? {};
          reasoningContent += delta.reasoning_content ?? '';
          reasoning += delta.reasoning ?? '';
          text += delta.content ?? '';
        }
        assert.equal(reasoningContent, REASONING.join(''));
        assert.equal(reasoning, REASONING.join(''));
        assert.equal(text, TEXT_WORDS_TEXT);
      });

      // --- errors ----------------------------------------------------------------------------------

      test('an upstream 400 before the first byte reaches the client as a 400 envelope with its message', T, async () => {
        for (const stream of [false, true]) {
          const res = await send(kind, CHAT, { model: id('reject400'), messages: HI, max_tokens: 5, ...(stream ? { stream: true } : {}) });
          assert.equal(res.status, 400, `stream ${stream}: ${where(res)}`);
          assert.match(String(res.headers['content-type']), /^application\/json/, where(res));
          assert.equal(res.json?.error?.code, 'upstream_rejected', where(res));
          assert.equal(typeof res.json.error.type, 'string', where(res));
          assert.ok('param' in res.json.error, where(res));
          assert.ok(res.json.error.message.includes(REJECT_MESSAGE), where(res));
          assert.equal(res.up.length, 1, 'a rejected request must not be retried');
        }
        await assert.rejects(sdk().chat.completions.create({ model: id('reject400'), messages: HI }),
          (err) => err.status === 400 && err.message.includes(REJECT_MESSAGE));
        await assertHealthy(gw, 'the fidelity tests');
      });
    });
  }
});

describe('fidelity: a provider\'s rename_fields', () => {
  test('rename_fields {max_completion_tokens: max_tokens}: the upstream gets max_tokens, the rest unchanged', T, async () => {
    const pki = makeTestPki();
    const up = await startRecordingUpstream({ tls: { key: pki.trusted.key, cert: pki.trusted.cert } });
    let gw;
    try {
      gw = await startGateway({ config: renameConfig({ provUp: up, caFile: pki.caFile }), env: { [KEY_ENV]: 'sk-fidelity-test' } });
      for (const stream of [false, true]) {
        const body = { model: 'p-rename', messages: HI, max_completion_tokens: 21, temperature: 0.2, top_k: 5,
          ...(stream ? { stream: true } : {}) };
        const res = await request(gw.port, { method: 'POST', path: CHAT, body, timeoutMs: 10_000 });
        assert.equal(res.status, 200, where(res));
        const u = up.requests.at(-1);
        deepEq(u.body, forwardedBody(body, 'vendor/fid-text', { rename: { max_completion_tokens: 'max_tokens' } }),
          `stream ${stream}: the upstream body`);
        assert.equal(u.body.max_tokens, 21);
        assert.ok(!('max_completion_tokens' in u.body));
      }
    } finally {
      await gw?.stop();
      await up.close();
      pki.cleanup();
    }
  });
});
