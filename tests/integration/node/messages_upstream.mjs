// A fake Messages-native provider (Anthropic's API shape) over HTTPS on 127.0.0.1, port 0, for
// the passthrough tests. The upstream model name in the body picks what it does:
//   native-ok     stream: message_start, a ping, one text block (TEXT in pieces), message_delta
//                 (end_turn, usage), message_stop, each with its `event:` name; stream:false:
//                 the same as one `message`
//   native-tool   one tool_use block (input_json_delta pieces), stop_reason tool_use
//   native-400    400 with Anthropic's error body (REJECTED)
//   native-500    500 with Anthropic's error body
//   native-cut    message_start and two text deltas, then a clean end without message_stop
// Every request is recorded: path, headers (lower-case names), raw body, parsed JSON. `sent`
// keeps the raw SSE bytes of each stream it wrote, by request id.

import https from 'node:https';

export const TEXT = ['Native', ' answer', ' from', ' the', ' provider', '.'];
export const USAGE = { input_tokens: 25, output_tokens: 9 };
export const REJECTED = 'messages: at least one message is required';

const event = (name, data) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

function message(model, content, stop) {
  return { id: 'msg_native_1', type: 'message', role: 'assistant', model, content,
    stop_reason: stop, stop_sequence: null, usage: USAGE };
}

function streamEvents(model, tool) {
  const out = [event('message_start', { type: 'message_start',
    message: { ...message(model, [], null), usage: { input_tokens: USAGE.input_tokens, output_tokens: 1 } } })];
  out.push(event('ping', { type: 'ping' }));
  if (tool) {
    out.push(event('content_block_start', { type: 'content_block_start', index: 0,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } }));
    for (const p of ['{"city"', ': "Par', 'is"}'])
      out.push(event('content_block_delta', { type: 'content_block_delta', index: 0,
        delta: { type: 'input_json_delta', partial_json: p } }));
  } else {
    out.push(event('content_block_start', { type: 'content_block_start', index: 0,
      content_block: { type: 'text', text: '' } }));
    for (const t of TEXT)
      out.push(event('content_block_delta', { type: 'content_block_delta', index: 0,
        delta: { type: 'text_delta', text: t } }));
  }
  out.push(event('content_block_stop', { type: 'content_block_stop', index: 0 }));
  out.push(event('message_delta', { type: 'message_delta',
    delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: USAGE.output_tokens } }));
  out.push(event('message_stop', { type: 'message_stop' }));
  return out;
}

export async function startMessagesUpstream({ key, cert }) {
  const requests = [];
  const sent = new Map();
  const sockets = new Set();
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json = null;
      try { json = JSON.parse(raw); } catch { /* recorded as it came */ }
      requests.push({ path: req.url, headers: req.headers, raw, json });
      const model = json?.model ?? '';
      const error = (status, type, msg) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type, message: msg } }));
      };
      if (model === 'native-400') return error(400, 'invalid_request_error', REJECTED);
      if (model === 'native-500') return error(500, 'api_error', 'Internal server error');
      const tool = model === 'native-tool';
      if (!json?.stream) {
        const content = tool ? [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }]
          : [{ type: 'text', text: TEXT.join('') }];
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(message(model, content, tool ? 'tool_use' : 'end_turn')));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let evs = streamEvents(model, tool);
      sent.set(req.headers['x-request-id'], evs.join(''));
      if (model === 'native-cut') {
        // The text first, the cut a moment later: as a server that dies mid-answer.
        for (const e of evs.slice(0, 5)) res.write(e);
        const t = setTimeout(() => res.end(), 50);
        res.on('close', () => clearTimeout(t));
        return;
      }
      for (const e of evs) res.write(e);
      res.end();
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    baseURL: `https://127.0.0.1:${port}/v1`,
    requests,
    sent,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
