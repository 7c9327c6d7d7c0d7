// Turns a directory of gateway-bench reports (NAME--PATH.json) into the scenario's table and one
// JSON file holding the machine, every report, and the derived figures.
//   node bench/summarize.mjs overhead RUNS_DIR OUT.json
import fs from 'node:fs';
import os from 'node:os';

const [, , scenario, dir, out] = process.argv;
if (!scenario || !dir || !out) {
  console.error('usage: summarize.mjs SCENARIO RUNS_DIR OUT.json');
  process.exit(2);
}

const runs = {};  // runs[name][path] = report
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const [name, path] = f.slice(0, -5).split('--');
  (runs[name] ??= {})[path] = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
}

const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
  kernel: os.release(),
  date: new Date().toISOString(),
};

const ms = (x) => (x === undefined || x === null ? '—' : x.toFixed(3));
const us = (x) => (x === undefined || x === null || Number.isNaN(x) ? '—' : `${Math.round(x * 1000)}`);
const int = (x) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
function table(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}
const errors = (r) => r?.errors?.total ?? 0;

const summary = {};
if (scenario === 'overhead') {
  const paths = [...new Set(Object.values(runs).flatMap((byPath) => Object.keys(byPath)))];
  const order = ['direct', 'nginx', 'portkey', 'gateway', 'gateway-local'].filter((p) => paths.includes(p));
  const names = (prefix) => Object.keys(runs).filter((n) => n.startsWith(prefix))
    .sort((a, b) => Number(a.split('-c')[1]) - Number(b.split('-c')[1]));

  const latency = [];
  for (const name of names('plain-')) {
    const c = Number(name.split('-c')[1]);
    const base = runs[name].direct;
    for (const p of order) {
      const r = runs[name][p];
      if (!r) continue;
      const row = {
        path: p, concurrency: c, requests_per_s: r.throughput.requests_per_s,
        e2e_p50_ms: r.e2e_ms.p50, e2e_p99_ms: r.e2e_ms.p99,
        added_p50_ms: base ? r.e2e_ms.p50 - base.e2e_ms.p50 : null,
        added_p99_ms: base ? r.e2e_ms.p99 - base.e2e_ms.p99 : null,
        errors: errors(r),
      };
      latency.push(row);
    }
  }
  table('Non-streaming chat, instant upstream (added = through the path minus direct, µs)',
    ['path', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'added p50 µs', 'added p99 µs', 'errors'],
    latency.map((r) => [r.path, r.concurrency, int(r.requests_per_s), ms(r.e2e_p50_ms), ms(r.e2e_p99_ms),
      us(r.added_p50_ms), us(r.added_p99_ms), r.errors]));
  summary.latency = latency;
  summary.max_requests_per_s = Object.fromEntries(order.map((p) => [p,
    Math.max(...latency.filter((r) => r.path === p).map((r) => r.requests_per_s))]));
  table('Most requests/s (any concurrency above)', ['path', 'req/s'],
    order.map((p) => [p, int(summary.max_requests_per_s[p])]));

  const ttft = [];
  for (const name of names('stream-')) {
    const c = Number(name.split('-c')[1]);
    const base = runs[name].direct;
    for (const p of order) {
      const r = runs[name][p];
      if (!r) continue;
      ttft.push({ path: p, concurrency: c, ttft_p50_ms: r.ttft_ms.p50, ttft_p99_ms: r.ttft_ms.p99,
        added_ttft_p50_ms: base ? r.ttft_ms.p50 - base.ttft_ms.p50 : null,
        added_ttft_p99_ms: base ? r.ttft_ms.p99 - base.ttft_ms.p99 : null,
        requests_per_s: r.throughput.requests_per_s, errors: errors(r) });
    }
  }
  table('Streaming chat, instant upstream: time to first token',
    ['path', 'conc', 'req/s', 'TTFT p50 ms', 'TTFT p99 ms', 'added p50 µs', 'added p99 µs', 'errors'],
    ttft.map((r) => [r.path, r.concurrency, int(r.requests_per_s), ms(r.ttft_p50_ms), ms(r.ttft_p99_ms),
      us(r.added_ttft_p50_ms), us(r.added_ttft_p99_ms), r.errors]));
  summary.ttft = ttft;

  const gaps = [];
  for (const name of names('paced-')) {
    const c = Number(name.split('-c')[1]);
    const base = runs[name].direct;
    for (const p of order) {
      const r = runs[name][p];
      if (!r) continue;
      gaps.push({ path: p, concurrency: c, itl_p50_ms: r.itl_ms.p50, itl_p99_ms: r.itl_ms.p99, itl_max_ms: r.itl_ms.max,
        added_itl_p50_ms: base ? r.itl_ms.p50 - base.itl_ms.p50 : null,
        added_itl_p99_ms: base ? r.itl_ms.p99 - base.itl_ms.p99 : null,
        output_tokens_per_request_p50: r.output_tokens_per_request.p50, errors: errors(r) });
    }
  }
  table('Streaming chat, upstream paced at 20 ms per chunk: gaps between chunks',
    ['path', 'conc', 'ITL p50 ms', 'ITL p99 ms', 'ITL max ms', 'added p50 µs', 'added p99 µs', 'tokens', 'errors'],
    gaps.map((r) => [r.path, r.concurrency, ms(r.itl_p50_ms), ms(r.itl_p99_ms), ms(r.itl_max_ms),
      us(r.added_itl_p50_ms), us(r.added_itl_p99_ms), r.output_tokens_per_request_p50, r.errors]));
  summary.chunk_gaps = gaps;
} else if (scenario === 'streams') {
  const open = runs.open?.gateway;
  const side = JSON.parse(fs.readFileSync(`${dir}/open-rss.json.side`, 'utf8'));
  const peak = Math.max(side.idle_rss_kib, ...side.samples.map((s) => s[1]));
  const peakFds = Math.max(0, ...side.samples.map((s) => s[2]));
  if (open) {
    const want = open.config?.output_tokens ?? null;
    summary.open_streams = {
      streams: side.streams, completed: open.requests.completed, errors: errors(open),
      output_tokens_per_request_min: open.output_tokens_per_request.min,
      output_tokens_per_request_max: open.output_tokens_per_request.max,
      itl_p50_ms: open.itl_ms.p50, itl_p99_ms: open.itl_ms.p99, itl_max_ms: open.itl_ms.max,
      ttft_p99_ms: open.ttft_ms.p99, idle_rss_kib: side.idle_rss_kib, peak_rss_kib: peak, peak_fds: peakFds,
      rss_per_stream_kib: (peak - side.idle_rss_kib) / side.streams, requested_tokens: want,
    };
    const o = summary.open_streams;
    table('Open SSE streams, one chunk per second (served by the gateway)',
      ['streams', 'completed', 'errors', 'tokens min/max', 'ITL p50 ms', 'ITL p99 ms', 'ITL max ms', 'idle RSS KiB', 'peak RSS KiB', 'KiB/stream'],
      [[o.streams, o.completed, o.errors, `${o.output_tokens_per_request_min}/${o.output_tokens_per_request_max}`,
        ms(o.itl_p50_ms), ms(o.itl_p99_ms), ms(o.itl_max_ms), int(o.idle_rss_kib), int(o.peak_rss_kib),
        o.rss_per_stream_kib.toFixed(1)]]);
  }
  const relay = Object.keys(runs).filter((n) => n.startsWith('relay-c'))
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)))
    .map((n) => {
      const r = runs[n].gateway;
      return { streams: Number(n.slice(7)), events_per_s: r.throughput.output_tokens_per_s,
        itl_p50_ms: r.itl_ms.p50, itl_p99_ms: r.itl_ms.p99, itl_max_ms: r.itl_ms.max, errors: errors(r) };
    });
  summary.relay = relay;
  table('Relayed SSE events, upstream paced at 20 ms per chunk (events/s = output tokens/s at the client)',
    ['streams', 'events/s', 'ITL p50 ms', 'ITL p99 ms', 'ITL max ms', 'errors'],
    relay.map((r) => [r.streams, int(r.events_per_s), ms(r.itl_p50_ms), ms(r.itl_p99_ms), ms(r.itl_max_ms), r.errors]));
} else if (scenario === 'batching') {
  const rows = Object.keys(runs).filter((n) => n.startsWith('batch-b'))
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)))
    .map((n) => {
      const r = runs[n].gateway;
      return { max_batch_size: Number(n.slice(7)), requests_per_s: r.throughput.requests_per_s,
        output_tokens_per_s: r.throughput.output_tokens_per_s, ttft_p50_ms: r.ttft_ms.p50, ttft_p99_ms: r.ttft_ms.p99,
        tpot_p50_ms: r.tpot_ms.p50, e2e_p50_ms: r.e2e_ms.p50, errors: errors(r) };
    });
  summary.batching = rows;
  table('Sim engine (deepseek-r1-w8a8-2node) across max_batch_size, streaming, 32-token prompts, 24 out',
    ['max batch', 'req/s', 'tokens/s', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p50 ms', 'E2E p50 ms', 'errors'],
    rows.map((r) => [r.max_batch_size, int(r.requests_per_s), int(r.output_tokens_per_s), ms(r.ttft_p50_ms),
      ms(r.ttft_p99_ms), ms(r.tpot_p50_ms), ms(r.e2e_p50_ms), r.errors]));
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}

fs.writeFileSync(out, JSON.stringify({ scenario, machine, summary, runs }, null, 1));
console.log(`\nwrote ${out}`);
