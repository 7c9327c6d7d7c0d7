// A fake OpenAI-compatible provider over HTTPS (node:https, 127.0.0.1, port 0) for the hybrid
// routing tests. What it does with a request is picked by the request itself:
//
//   - the test may queue behaviours (`up.enqueue('429', 'ok')`): each request takes the next one;
//   - otherwise the upstream model name in the JSON body names them: "ok", "fault:500", or a
//     comma-separated sequence "429,ok" in which attempt N of the same X-Request-Id (and model)
//     gets entry N (the last entry repeats), so retries of one client request walk the list.
//     A "fault:" prefix is ignored; an unknown name behaves as "ok". An entry may carry an
//     argument after a colon ("429:3").
//
// Behaviours:
//   ok         SSE stream: a role chunk, CONTENT.length content chunks (`chunkDelayMs` apart), a
//              finish chunk (finish_reason "stop"), a usage chunk when stream_options.include_usage
//              (USAGE), then data: [DONE]. A request with stream:false gets one chat.completion.
//   slow       like ok, but SLOW_CHUNKS chunks 50 ms apart (long enough to disconnect mid-stream)
//   429        429 with Retry-After: 1 (429:N: N seconds) and an OpenAI error body
//   429date:N  429 with Retry-After as an HTTP-date N seconds ahead
//   500        500 with an OpenAI error body
//   400        400 with an OpenAI error body (REJECT_MESSAGE)
//   stall      accepts the request and sends nothing until `stallMs`, then 504
//   stall-mid  200, the role chunk and 2 content chunks, then nothing until `stallMs`, then ends
//   cut        200, the role chunk and 3 content chunks, then ends the body cleanly: no finish, no [DONE]
//              (stream:false: half of the JSON answer, then a clean end)
//   cut-early  200, the role chunk only, then a clean end: no content, no [DONE]
//   cut-finish 200, every content chunk, the finish chunk and the usage chunk, then a clean end
//              without [DONE]
//   drop       reads the request, then destroys the connection without a byte of response
//   reset      200, the role chunk and 3 content chunks, then destroys the connection
//
// Every request is recorded (`up.requests`): method, path, headers (lower-case names), raw body,
// parsed JSON, behaviour, attempt number, the connection it came on (`connection`, numbered
// from 1 in order of first use), and whether the client closed the connection before
// the response ended (`closedEarly`, with `closedAt`), so a test can assert that a client abort
// reached the upstream. `up.connections` counts TCP connections (TLS failures included:
// `up.tlsErrors`). Every timer is bounded and cleared on close(); close() tears everything down.

import https from 'node:https';

export const CONTENT = ['Hello', ' from', ' the', ' fake', ' upstream', ' provider', '.', ' Bye'];
export const CONTENT_TEXT = CONTENT.join('');
export const USAGE = { prompt_tokens: 123, completion_tokens: 8, total_tokens: 131 };
export const REJECT_MESSAGE = 'fake upstream: this request is not acceptable';
export const SLOW_CHUNKS = 80;
const SLOW_DELAY_MS = 50;

/**
 * @param {object} opts
 * @param {Buffer|string} opts.key  server private key (PEM)
 * @param {Buffer|string} opts.cert server certificate (PEM)
 * @param {number} [opts.chunkDelayMs] pause between SSE chunks of `ok` (default 5)
 * @param {number} [opts.stallMs] how long `stall` / `stall-mid` hold before giving up (default 8000)
 */
export async function startFakeUpstream({ key, cert, chunkDelayMs = 5, stallMs = 8_000 }) {
  const requests = [];
  const queue = [];
  const attempts = new Map();  // "request id\0model" -> attempts so far
  const timers = new Set();
  const sockets = new Set();
  let connections = 0;
  let tlsErrors = 0;
  let seq = 0;
  const connectionIds = new WeakMap();  // TLS socket -> its number
  let connectionSeq = 0;
  const connectionId = (socket) => {
    if (!connectionIds.has(socket)) connectionIds.set(socket, ++connectionSeq);
    return connectionIds.get(socket);
  };

  // A bounded timer that close() clears.
  const later = (ms, fn) => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t) => { if (t) { clearTimeout(t); timers.delete(t); } };

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 2_000;
  server.on('connection', (socket) => {
    ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => { ++tlsErrors; });

  function pickBehaviour(rid, model) {
    if (queue.length > 0) return { behaviour: queue.shift(), attempt: 1 };
    const k = `${rid}\0${model}`;
    const attempt = (attempts.get(k) ?? 0) + 1;
    attempts.set(k, attempt);
    const list = String(model || 'ok').replace(/^fault:/, '').split(',').map((s) => s.trim());
    return { behaviour: list[Math.min(attempt, list.length) - 1], attempt };
  }

  // "429:3" -> ["429", "3"]; a name without an argument has arg undefined.
  const splitArg = (b) => {
    const i = String(b).indexOf(':');
    return i < 0 ? [b, undefined] : [b.slice(0, i), b.slice(i + 1)];
  };

  function handle(req, res, raw) {
    let json;
    try { json = JSON.parse(raw); } catch { json = undefined; }
    const rid = req.headers['x-request-id'] ?? '';
    const { behaviour: picked, attempt } = pickBehaviour(rid, json?.model);
    const [behaviour, arg] = splitArg(picked);
    const rec = {
      n: ++seq,
      at: Date.now(),
      method: req.method,
      path: req.url,
      headers: { ...req.headers },
      raw,
      body: json,
      requestId: rid,
      behaviour,
      attempt,
      connection: connectionId(req.socket),
      closedEarly: false,
      closedAt: undefined,
      finished: false,
    };
    requests.push(rec);

    const pending = new Set();
    const after = (ms, fn) => { const t = later(ms, () => { pending.delete(t); fn(); }); pending.add(t); };
    res.on('finish', () => { rec.finished = true; });
    res.on('close', () => {
      for (const t of pending) cancel(t);
      pending.clear();
      if (!res.writableFinished) {
        rec.closedEarly = true;
        rec.closedAt = Date.now();
      }
    });

    const error = (status, type, message, extra = {}) => {
      const body = JSON.stringify({ error: { message, type, param: null, code: null } });
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...extra });
      res.end(body);
    };

    const chatPath = /\/chat\/completions$/.test(req.url);
    const legacyPath = /\/completions$/.test(req.url) && !chatPath;
    if (req.method !== 'POST' || (!chatPath && !legacyPath) || !json) {
      error(404, 'invalid_request_error', `fake upstream: no route for ${req.method} ${req.url}`);
      return;
    }

    const id = `fake-${rec.n}`;
    const created = Math.floor(Date.now() / 1000);
    const model = json.model;
    const chunk = (text, finish = null) => (chatPath
      ? { id, object: 'chat.completion.chunk', created, model,
          choices: [{ index: 0, delta: text === null ? { role: 'assistant', content: '' } : { content: text }, finish_reason: finish }] }
      : { id, object: 'text_completion', created, model,
          choices: [{ index: 0, text: text ?? '', finish_reason: finish, logprobs: null }] });
    const finishChunk = () => (chatPath
      ? { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }
      : { id, object: 'text_completion', created, model, choices: [{ index: 0, text: '', finish_reason: 'stop', logprobs: null }] });
    const usageChunk = () => ({ id, object: chatPath ? 'chat.completion.chunk' : 'text_completion', created, model,
      choices: [], usage: { ...USAGE } });
    const send = (obj) => { if (!res.destroyed) res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`); };
    const startSse = () => res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });

    // Writes `events` (functions) one per `delay` ms, then `done`.
    const paced = (events, delay, done) => {
      let i = 0;
      const step = () => {
        if (res.destroyed) return;
        if (i < events.length) {
          events[i++]();
          after(delay, step);
        } else {
          done();
        }
      };
      step();
    };

    const contentEvents = (words) => [() => send(chunk(null)), ...words.map((w) => () => send(chunk(w)))];

    switch (behaviour) {
      case '429':
        error(429, 'rate_limit_error', 'fake upstream: slow down', { 'Retry-After': arg ?? '1' });
        return;
      case '429date':
        error(429, 'rate_limit_error', 'fake upstream: slow down',
          { 'Retry-After': new Date(Date.now() + Number(arg ?? 1) * 1000).toUTCString() });
        return;
      case 'drop':
        res.socket?.destroy();
        return;
      case '500':
        error(500, 'server_error', 'fake upstream: internal error');
        return;
      case '400':
        error(400, 'invalid_request_error', REJECT_MESSAGE);
        return;
      case 'stall':
        after(stallMs, () => error(504, 'server_error', 'fake upstream: stalled'));
        return;
      case 'stall-mid':
        startSse();
        paced(contentEvents(CONTENT.slice(0, 2)), chunkDelayMs, () => after(stallMs, () => res.end()));
        return;
      case 'cut':
        if (json.stream !== true) {
          const whole = JSON.stringify({ id, object: 'chat.completion', created, model,
            choices: [{ index: 0, message: { role: 'assistant', content: CONTENT_TEXT }, finish_reason: 'stop' }] });
          res.writeHead(200, { 'Content-Type': 'application/json' });  // chunked: the end looks clean
          res.end(whole.slice(0, whole.length >> 1));
          return;
        }
        startSse();
        paced(contentEvents(CONTENT.slice(0, 3)), chunkDelayMs, () => res.end());
        return;
      case 'cut-early':
        startSse();
        paced(contentEvents([]), chunkDelayMs, () => res.end());
        return;
      case 'cut-finish':
        startSse();
        paced([...contentEvents(CONTENT), () => send(finishChunk()), () => send(usageChunk())], chunkDelayMs, () => res.end());
        return;
      case 'reset':
        startSse();
        paced(contentEvents(CONTENT.slice(0, 3)), chunkDelayMs, () => after(chunkDelayMs, () => res.destroy()));
        return;
      default: break;  // ok, slow
    }

    const slow = behaviour === 'slow';
    const words = slow ? Array.from({ length: SLOW_CHUNKS }, (_, i) => ` w${i}`) : CONTENT;
    if (json.stream !== true) {
      const text = words.join('');
      const body = JSON.stringify(chatPath
        ? { id, object: 'chat.completion', created, model,
            choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { ...USAGE } }
        : { id, object: 'text_completion', created, model,
            choices: [{ index: 0, text, finish_reason: 'stop', logprobs: null }], usage: { ...USAGE } });
      // A slow answer takes as long as its stream would have: a client can leave meanwhile.
      const answer = () => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (slow) after(SLOW_CHUNKS * SLOW_DELAY_MS, answer);
      else answer();
      return;
    }
    startSse();
    const events = [...contentEvents(words), () => send(finishChunk())];
    if (json.stream_options?.include_usage === true) events.push(() => send(usageChunk()));
    events.push(() => send('[DONE]'));
    paced(events, slow ? SLOW_DELAY_MS : chunkDelayMs, () => res.end());
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address();

  let closed = null;
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    baseURL: `https://127.0.0.1:${port}/v1`,
    requests,
    get connections() { return connections; },
    get tlsErrors() { return tlsErrors; },
    /** Behaviours for the next requests, in order (before the model name is looked at). */
    enqueue(...behaviours) { queue.push(...behaviours); },
    /** The recorded requests that carried this X-Request-Id. */
    requestsFor(rid) { return requests.filter((r) => r.requestId === rid); },
    reset() { requests.length = 0; queue.length = 0; attempts.clear(); },
    close() {
      closed ??= new Promise((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections?.();
        for (const s of sockets) s.destroy();
        // Never wait forever for the listener to close.
        setTimeout(resolve, 2_000).unref();
      });
      return closed;
    },
  };
}
