// A fake OpenAI-compatible server for mid-stream continuation (continuation.test.mjs,
// bench/continuation.mjs), plain HTTP on 127.0.0.1 port 0: a local inference server that dies
// mid-answer, or the target that goes on with the answer.
//
// A request whose last message is an assistant message (legacy: whose prompt holds the first of
// `words`) is a continuation: it is answered with `continuation` words, a finish, a
// usage chunk and [DONE]. Any other request gets the `script`:
//   text   a role chunk, then `dieAfter()` words of `words` (cycled), then the connection is cut
//   tool   a role chunk, then a tool-call delta with half an argument, then the cut
//   whole  all of `words` and [DONE] (a server that does not fail)
// A request that does not ask for a stream gets one JSON answer: cut halfway under `text` and
// `tool`, whole otherwise.
// Chunks go out `gapMs` apart. Every POST is recorded (`requests`: path, parsed body, kind).
// GET answers 200 (health probes).

import http from 'node:http';

export const WORDS = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startDyingUpstream({
  script = 'text', words = WORDS, dieAfter = () => 3, continuation = [' and', ' so', ' on', '.'],
  id = 'srv-1', created = 111, gapMs = 0, promptTokens = 20,
} = {}) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    let raw = '';
    for await (const c of req) raw += c;
    const body = JSON.parse(raw);
    const chat = req.url.endsWith('/chat/completions');
    const last = chat ? body.messages?.at(-1) : undefined;
    // Legacy: the continuation's prompt carries the words already sent.
    const continues = chat ? last?.role === 'assistant' : String(body.prompt).includes(words[0]);
    requests.push({ path: req.url, body, kind: continues ? 'continuation' : script });
    if (body.stream !== true) {  // one JSON answer: whole, or cut halfway
      res.writeHead(200, { 'content-type': 'application/json' });
      const content = (continues ? continuation : words).join('');
      const answer = JSON.stringify({ id, object: 'chat.completion', created, model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: 3, total_tokens: promptTokens + 3 } });
      if (continues || script === 'whole') {
        res.end(answer);
        return;
      }
      await new Promise((resolve) => res.write(answer.slice(0, answer.length / 2), resolve));
      res.socket?.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta, finish = null) => {
      const choice = chat ? { index: 0, delta, finish_reason: finish }
        : { index: 0, text: delta.content ?? '', finish_reason: finish };
      return `data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created,
        model: body.model, choices: [choice] })}\n\n`;
    };
    // Each write is flushed before the next step, so that a cut comes after what was written.
    const send = async (text) => {
      if (gapMs > 0) await sleep(gapMs);
      if (!res.destroyed) await new Promise((resolve) => res.write(text, resolve));
    };
    if (chat) await send(chunk({ role: 'assistant', content: '' }));
    if (continues || script === 'whole') {
      const out = continues ? continuation : words;
      for (const w of out) await send(chunk({ content: w }));
      await send(chunk({}, 'stop'));
      await send(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [],
        usage: { prompt_tokens: promptTokens, completion_tokens: out.length, total_tokens: promptTokens + out.length } })}\n\n`);
      await send('data: [DONE]\n\n');
      res.end();
      return;
    }
    if (script === 'tool') {
      await send(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function',
        function: { name: 'get_weather', arguments: '{"ci' } }] }));
    } else {
      const n = dieAfter();
      for (let i = 0; i < n; ++i) await send(chunk({ content: words[i % words.length] }));
    }
    if (gapMs > 0) await sleep(gapMs);
    res.socket?.destroy();  // the server died mid-answer
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(resolve);
    }),
  };
}
