// The gateway seen through the official OpenAI Node SDK (v4 API), the way real clients use it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { assertHealthy, startGateway } from './harness.mjs';

const T = { timeout: 15_000 };
const MODEL = 'sim-fast';
const MESSAGES = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say something about continuous batching.' },
];

function client(gw) {
  // No retries: a 429/5xx must surface as the error the gateway sent, not be retried away.
  return new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0, timeout: 10_000 });
}

async function collectChat(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('OpenAI SDK against the gateway', () => {
  let gw;
  let openai;

  before(async () => {
    gw = await startGateway();
    openai = client(gw);
  });

  after(async () => {
    await gw?.stop();
  });

  test('chat non-stream: shape, usage, finish_reason length with max_tokens', T, async () => {
    const { data: res, response } = await openai.chat.completions
      .create({ model: MODEL, messages: MESSAGES, max_tokens: 7, seed: 11 })
      .withResponse();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-gateway-route'), `local:${MODEL}`);
    assert.match(response.headers.get('content-type'), /^application\/json/);

    assert.equal(res.object, 'chat.completion');
    assert.match(res.id, /^chatcmpl-/);
    assert.equal(res.model, MODEL);
    assert.equal(typeof res.created, 'number');
    assert.ok(Math.abs(res.created - Date.now() / 1000) < 300, `created ${res.created} is not now`);
    assert.equal(res.choices.length, 1);
    const [choice] = res.choices;
    assert.equal(choice.index, 0);
    assert.equal(choice.message.role, 'assistant');
    assert.equal(typeof choice.message.content, 'string');
    assert.ok(choice.message.content.length > 0, 'empty completion');
    assert.equal(choice.finish_reason, 'length');

    assert.equal(res.usage.completion_tokens, 7);
    assert.ok(res.usage.prompt_tokens > 0);
    assert.equal(res.usage.total_tokens, res.usage.prompt_tokens + res.usage.completion_tokens);
  });

  test('chat: max_completion_tokens is honoured like max_tokens', T, async () => {
    const res = await openai.chat.completions.create({
      model: MODEL, messages: MESSAGES, max_completion_tokens: 3, seed: 11,
    });
    assert.equal(res.choices[0].finish_reason, 'length');
    assert.equal(res.usage.completion_tokens, 3);
  });

  test('chat stream: role first, one finish_reason, usage chunk, same text as non-stream', T, async () => {
    const params = { model: MODEL, messages: MESSAGES, max_tokens: 24, seed: 42 };
    const whole = await openai.chat.completions.create(params);

    const { data: stream, response } = await openai.chat.completions
      .create({ ...params, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('x-accel-buffering'), 'no');

    const chunks = await collectChat(stream);
    assert.ok(chunks.length >= 3, `only ${chunks.length} chunks`);

    const ids = new Set(chunks.map((c) => c.id));
    assert.equal(ids.size, 1, `chunks carry several ids: ${[...ids]}`);
    assert.match(chunks[0].id, /^chatcmpl-/);
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, MODEL);
    }

    assert.equal(chunks[0].choices[0].delta.role, 'assistant', 'first delta must carry the role');
    for (const c of chunks.slice(1)) {
      for (const ch of c.choices) assert.equal(ch.delta.role, undefined, 'role repeated after the first chunk');
    }

    const finishing = chunks.filter((c) => c.choices.some((ch) => ch.finish_reason != null));
    assert.equal(finishing.length, 1, 'exactly one chunk must carry finish_reason');
    assert.equal(finishing[0].choices[0].finish_reason, 'length');

    // include_usage: a last chunk with no choices and the usage; the others have usage null.
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage, 'last chunk has no usage');
    assert.equal(last.usage.completion_tokens, 24);
    assert.equal(last.usage.prompt_tokens, whole.usage.prompt_tokens);
    assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage ?? null, null);
    assert.ok(chunks.indexOf(finishing[0]) < chunks.length - 1, 'usage chunk must follow the finish chunk');

    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, whole.choices[0].message.content, 'same seed + prompt must give the same text');
  });

  test('chat stream without include_usage has no usage chunk', T, async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL, messages: MESSAGES, max_tokens: 5, seed: 3, stream: true,
    });
    const chunks = await collectChat(stream);
    for (const c of chunks) {
      assert.equal(c.choices.length, 1, 'every chunk has one choice');
      assert.equal(c.usage ?? null, null);
    }
    assert.equal(chunks.filter((c) => c.choices[0].finish_reason != null).length, 1);
  });

  test('same seed gives the same text; different seeds vary', T, async () => {
    const ask = (seed) => openai.chat.completions
      .create({ model: MODEL, messages: MESSAGES, max_tokens: 16, seed })
      .then((r) => r.choices[0].message.content);
    const [a1, a2, b, c] = await Promise.all([ask(5), ask(5), ask(6), ask(7)]);
    assert.equal(a1, a2);
    assert.ok(new Set([a1, b, c]).size > 1, 'seeds 5, 6, 7 all gave the same text');
  });

  test('legacy completions: non-stream and stream agree', T, async () => {
    const params = { model: MODEL, prompt: 'The gateway batches', max_tokens: 12, seed: 9 };
    const whole = await openai.completions.create(params);
    assert.equal(whole.object, 'text_completion');
    assert.match(whole.id, /^cmpl-/);
    assert.equal(whole.model, MODEL);
    assert.equal(whole.choices.length, 1);
    assert.equal(whole.choices[0].index, 0);
    assert.equal(typeof whole.choices[0].text, 'string');
    assert.ok(whole.choices[0].text.length > 0);
    assert.equal(whole.choices[0].finish_reason, 'length');
    assert.equal(whole.usage.completion_tokens, 12);
    assert.equal(whole.usage.total_tokens, whole.usage.prompt_tokens + 12);

    const stream = await openai.completions.create({
      ...params, stream: true, stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
    for (const c of chunks) assert.equal(c.object, 'text_completion');
    const finishing = chunks.filter((c) => c.choices.some((ch) => ch.finish_reason != null));
    assert.equal(finishing.length, 1);
    assert.equal(finishing[0].choices[0].finish_reason, 'length');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.completion_tokens, 12);
    const text = chunks.map((c) => c.choices[0]?.text ?? '').join('');
    assert.equal(text, whole.choices[0].text);
  });

  test('legacy completions: echo prepends the prompt', T, async () => {
    const prompt = 'Echo me:';
    const plain = await openai.completions.create({ model: MODEL, prompt, max_tokens: 4, seed: 1 });
    const echoed = await openai.completions.create({ model: MODEL, prompt, max_tokens: 4, seed: 1, echo: true });
    assert.equal(echoed.choices[0].text, prompt + plain.choices[0].text);
  });

  test('stop strings are honoured (chat, completion, stream)', T, async () => {
    const params = { model: MODEL, messages: MESSAGES, max_tokens: 40, seed: 123 };
    const full = (await openai.chat.completions.create(params)).choices[0].message.content;
    const words = full.split(' ');
    assert.ok(words.length >= 6, `too short to pick a stop string from: ${JSON.stringify(full)}`);
    // A word from the middle, with its leading space, so it is a real substring boundary.
    const stop = ` ${words[Math.floor(words.length / 2)]}`;
    const expected = full.slice(0, full.indexOf(stop));

    const res = await openai.chat.completions.create({ ...params, stop: [stop, 'zzz-never'] });
    assert.equal(res.choices[0].message.content, expected);
    assert.equal(res.choices[0].finish_reason, 'stop');
    assert.ok(!res.choices[0].message.content.includes(stop));

    const stream = await openai.chat.completions.create({ ...params, stop, stream: true });
    const chunks = await collectChat(stream);
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), expected);
    assert.equal(chunks.filter((c) => c.choices[0]?.finish_reason === 'stop').length, 1);

    const cparams = { model: MODEL, prompt: 'Once upon a time', max_tokens: 40, seed: 77 };
    const cfull = (await openai.completions.create(cparams)).choices[0].text;
    const cwords = cfull.split(' ').filter(Boolean);
    const cstop = cwords[Math.floor(cwords.length / 2)];
    const cres = await openai.completions.create({ ...cparams, stop: cstop });
    assert.equal(cres.choices[0].text, cfull.slice(0, cfull.indexOf(cstop)));
    assert.equal(cres.choices[0].finish_reason, 'stop');
  });

  test('models.list lists every configured model', T, async () => {
    const ids = [];
    for await (const m of openai.models.list()) {
      assert.equal(m.object, 'model');
      assert.equal(typeof m.created, 'number');
      assert.equal(typeof m.owned_by, 'string');
      ids.push(m.id);
    }
    assert.deepEqual(ids.sort(), ['sim-fast', 'sim-slow', 'sim-tiny']);
  });

  test('models.retrieve returns one model', T, async () => {
    const m = await openai.models.retrieve('sim-slow');
    assert.equal(m.id, 'sim-slow');
    assert.equal(m.object, 'model');
  });

  test('unknown model on chat: APIError 404 model_not_found, param model', T, async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: 'no-such-model', messages: MESSAGES }),
      (err) => {
        assert.ok(err instanceof OpenAI.APIError, `not an APIError: ${err}`);
        assert.ok(err instanceof OpenAI.NotFoundError);
        assert.equal(err.status, 404);
        assert.equal(err.code, 'model_not_found');
        assert.equal(err.param, 'model');
        assert.equal(err.type, 'invalid_request_error');
        assert.match(err.message, /no-such-model/);
        return true;
      },
    );
  });

  test('n=129 (past OpenAI\'s 128): APIError 400 invalid_value, param n', T, async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: MODEL, messages: MESSAGES, n: 129 }),
      (err) => {
        assert.ok(err instanceof OpenAI.BadRequestError, `not a BadRequestError: ${err}`);
        assert.equal(err.status, 400);
        assert.equal(err.code, 'invalid_value');
        assert.equal(err.param, 'n');
        return true;
      },
    );
    await assert.rejects(
      openai.completions.create({ model: MODEL, prompt: 'x', n: 0 }),
      (err) => err.status === 400 && err.code === 'invalid_value' && err.param === 'n',
    );
  });

  test('context too long: APIError 400 context_length_exceeded', T, async () => {
    // sim-fast has max_model_len 4096; each "a" is one token.
    const long = 'a '.repeat(5000);
    await assert.rejects(
      openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: long }] }),
      (err) => err.status === 400 && err.code === 'context_length_exceeded' && err.param === 'messages',
    );
    await assert.rejects(
      openai.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 100_000 }),
      (err) => err.status === 400 && err.code === 'context_length_exceeded' && err.param === 'max_tokens',
    );
  });

  // The SDK asks for base64 by default and decodes it: this checks the wire format end to end.
  test('embeddings: one vector per input, unit length, deterministic, base64 and float agree', T, async () => {
    const res = await openai.embeddings.create({ model: MODEL, input: ['alpha beta', 'gamma'] });
    assert.equal(res.object, 'list');
    assert.equal(res.model, MODEL);
    assert.equal(res.data.length, 2);
    assert.deepEqual(res.data.map((d) => d.index), [0, 1]);
    const norm = (v) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    for (const d of res.data) {
      assert.equal(d.object, 'embedding');
      assert.equal(d.embedding.length, 1024);
      assert.ok(Math.abs(norm(d.embedding) - 1) < 1e-4, `norm ${norm(d.embedding)}`);
    }
    assert.ok(res.usage.prompt_tokens > 0);
    assert.equal(res.usage.total_tokens, res.usage.prompt_tokens);

    const floats = await openai.embeddings.create({ model: MODEL, input: 'gamma', encoding_format: 'float' });
    const b64 = res.data[1].embedding;
    assert.equal(floats.data[0].embedding.length, b64.length);
    for (let i = 0; i < b64.length; i++) assert.ok(Math.abs(floats.data[0].embedding[i] - b64[i]) < 1e-6);

    const short = await openai.embeddings.create({ model: MODEL, input: 'gamma', dimensions: 16 });
    assert.equal(short.data[0].embedding.length, 16);
    assert.ok(Math.abs(norm(short.data[0].embedding) - 1) < 1e-4);
  });

  test('embeddings: bad input is a 400 naming the field', T, async () => {
    await assert.rejects(openai.embeddings.create({ model: MODEL, input: [] }), (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, `not a BadRequestError: ${err}`);
      assert.equal(err.param, 'input');
      return true;
    });
    await assert.rejects(openai.embeddings.create({ model: 'nope', input: 'x' }), (err) => {
      assert.equal(err.status, 404);
      assert.equal(err.code, 'model_not_found');
      return true;
    });
  });

  test('the gateway is still healthy after the errors above', T, async () => {
    await assertHealthy(gw, 'the SDK error cases');
  });
});

// On its own gateway: a crash here must not take the other SDK tests down with it.
describe('OpenAI SDK: models.retrieve of an unknown id', () => {
  let gw;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw?.stop(); });

  // Regression: the gateway once aborted after this answer (GCC 12 destroyed a braced
  // temporary inside co_await twice); it must answer and keep serving.
  test('models.retrieve("nope") rejects with 404 model_not_found and the gateway survives', T, async () => {
    const openai = client(gw);
    await assert.rejects(openai.models.retrieve('nope'), (err) => {
      assert.ok(err instanceof OpenAI.NotFoundError, `not a NotFoundError: ${err}`);
      assert.equal(err.status, 404);
      assert.equal(err.code, 'model_not_found');
      assert.equal(err.param, 'model');
      return true;
    });
    await assertHealthy(gw, 'GET /v1/models/nope');
  });
});
