// A fake OpenTelemetry collector for the trace tests (traces.suite.mjs): OTLP/HTTP JSON on
// 127.0.0.1, port 0. Every `POST /v1/traces` is parsed and its spans kept (`spans`), flattened
// with their attributes as a plain object (`attrs`, values as the JSON carried them: strings,
// intValue strings, numbers, booleans). `waitFor(pred)` resolves once the spans received satisfy
// `pred`, bounded in time; no polling. `answer(status)` sets the status of later exports.

import http from 'node:http';

function anyValue(v) {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  return undefined;
}

export async function startCollector() {
  const spans = [];
  const exports = [];  // {resource, count} per request
  const waiters = new Set();
  let status = 200;

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' ||
          !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
      if (status !== 200) return;
      for (const rs of body.resourceSpans) {
        const resource = Object.fromEntries(rs.resource.attributes.map((a) => [a.key, anyValue(a.value)]));
        let count = 0;
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            spans.push({
              ...s,
              resource,
              headers: req.headers,
              attrs: Object.fromEntries(s.attributes.map((a) => [a.key, anyValue(a.value)])),
            });
            ++count;
          }
        }
        exports.push({ resource, count });
      }
      for (const w of [...waiters]) w.check();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    exports,
    answer(s) { status = s; },
    /** Resolves with pred's truthy result over the spans so far, or rejects after timeoutMs. */
    waitFor(pred, { timeoutMs = 8_000, what = 'spans' } = {}) {
      return new Promise((resolve, reject) => {
        const w = {
          check() {
            const got = pred(spans);
            if (!got) return;
            waiters.delete(w);
            clearTimeout(w.timer);
            resolve(got);
          },
        };
        w.timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out waiting for ${what}; received ${spans.length} spans: ` +
            JSON.stringify(spans.map((s) => [s.name, s.traceId, s.spanId, s.parentSpanId])).slice(0, 2000)));
        }, timeoutMs);
        waiters.add(w);
        w.check();
      });
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
