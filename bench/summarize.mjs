// Turns a directory of gateway-bench reports (NAME--PATH.json) into the scenario's table and one
// JSON file holding the machine, every report, and the derived figures.
//   node bench/summarize.mjs overhead RUNS_DIR OUT.json
// The soak mode also reads bench/soak.sh's side files (soak.side, soak-samples.jsonl,
// client-samples.jsonl) and exits 1 when the soak failed (an error, a lost connection).
import fs from 'node:fs';
import os from 'node:os';

const [, , scenario, dir, out] = process.argv;
if (!scenario || !dir || !out) {
  console.error('usage: summarize.mjs SCENARIO RUNS_DIR OUT.json');
  process.exit(2);
}

// runs[name][path] = report. A name may end in "~rN" (round N of an interleaved repeat,
// bench/overhead.sh ROUNDS): rounds[name][path][N-1] holds each, runs keeps round 1.
const runs = {};
const rounds = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const [tagged, path] = f.slice(0, -5).split('--');
  const [name, round] = tagged.split('~r');
  const report = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
  // bench/overhead.sh: the proxy's CPU seconds over the run, beside the report.
  const cpu = `${dir}/${f.slice(0, -5)}.cpu`;
  if (fs.existsSync(cpu)) report.proxy_cpu_s = Number(fs.readFileSync(cpu, 'utf8'));
  ((rounds[name] ??= {})[path] ??= [])[Number(round ?? 1) - 1] = report;
  if (!round || round === '1') (runs[name] ??= {})[path] = report;
}
const median = (xs) => {
  const v = xs.filter((x) => x !== undefined && x !== null && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
// The median over rounds of get(report), and of get(report) − get(direct's report in the same
// round): a path is only ever compared with the direct run taken minutes apart, not hours.
function over_rounds(name, path, get) {
  const mine = rounds[name]?.[path] ?? [];
  const base = rounds[name]?.direct ?? [];
  return {
    value: median(mine.map((r) => (r ? get(r) : null))),
    added: base.length ? median(mine.map((r, i) => (r && base[i] ? get(r) - get(base[i]) : null))) : null,
    rounds: mine.filter(Boolean).length,
  };
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
  const order = ['direct', 'nginx', 'portkey', 'gateway', 'gateway-local', 'gateway-traced'].filter((p) => paths.includes(p));
  const names = (prefix) => Object.keys(runs).filter((n) => n.startsWith(prefix))
    .sort((a, b) => Number(a.split('-c')[1]) - Number(b.split('-c')[1]));

  const most = Math.max(...Object.values(rounds).flatMap((byPath) => Object.values(byPath).map((l) => l.length)));
  const roundsNote = most > 1 ? `; medians of ${most} interleaved rounds` : '';
  const latency = [];
  for (const name of names('plain-')) {
    const c = Number(name.split('-c')[1]);
    const base = runs[name].direct;
    for (const p of order) {
      const r = runs[name][p];
      if (!r) continue;
      const p50 = over_rounds(name, p, (x) => x.e2e_ms.p50);
      const p99 = over_rounds(name, p, (x) => x.e2e_ms.p99);
      const row = {
        path: p, concurrency: c, rounds: p50.rounds,
        requests_per_s: over_rounds(name, p, (x) => x.throughput.requests_per_s).value,
        e2e_p50_ms: p50.value, e2e_p99_ms: p99.value,
        added_p50_ms: base ? p50.added : null,
        added_p99_ms: base ? p99.added : null,
        errors: rounds[name][p].reduce((n, x) => n + errors(x), 0),
        // What the proxy process spent per request it passed (warm-up included on both sides).
        proxy_cpu_us_per_request: over_rounds(name, p, (x) => (x.proxy_cpu_s === undefined ? null
          : x.proxy_cpu_s * 1e6 / Math.max(1, (x.requests?.completed ?? 0) + (x.requests?.warmup ?? 0)))).value,
      };
      latency.push(row);
    }
  }
  table(`Non-streaming chat, instant upstream (added = through the path minus direct, µs${roundsNote})`,
    ['path', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'added p50 µs', 'added p99 µs', 'proxy CPU µs/req', 'errors'],
    latency.map((r) => [r.path, r.concurrency, int(r.requests_per_s), ms(r.e2e_p50_ms), ms(r.e2e_p99_ms),
      us(r.added_p50_ms), us(r.added_p99_ms),
      r.proxy_cpu_us_per_request === null ? '—' : Math.round(r.proxy_cpu_us_per_request), r.errors]));
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
      const p50 = over_rounds(name, p, (x) => x.ttft_ms.p50);
      const p99 = over_rounds(name, p, (x) => x.ttft_ms.p99);
      ttft.push({ path: p, concurrency: c, rounds: p50.rounds, ttft_p50_ms: p50.value, ttft_p99_ms: p99.value,
        added_ttft_p50_ms: base ? p50.added : null,
        added_ttft_p99_ms: base ? p99.added : null,
        requests_per_s: over_rounds(name, p, (x) => x.throughput.requests_per_s).value,
        errors: rounds[name][p].reduce((n, x) => n + errors(x), 0) });
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
      const p50 = over_rounds(name, p, (x) => x.itl_ms.p50);
      const p99 = over_rounds(name, p, (x) => x.itl_ms.p99);
      gaps.push({ path: p, concurrency: c, rounds: p50.rounds, itl_p50_ms: p50.value, itl_p99_ms: p99.value,
        itl_max_ms: over_rounds(name, p, (x) => x.itl_ms.max).value,
        added_itl_p50_ms: base ? p50.added : null,
        added_itl_p99_ms: base ? p99.added : null,
        output_tokens_per_request_p50: r.output_tokens_per_request.p50,
        errors: rounds[name][p].reduce((n, x) => n + errors(x), 0) });
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
  // Relayed events per path, with each process's CPU per event over the measured window
  // (bench/streams.sh's NAME--PATH.cpu.side): medians over the interleaved rounds (RELAY_ROUNDS),
  // and the gateway's events/s against nginx's of the same round.
  const relay = [];
  for (const n of Object.keys(rounds).filter((k) => k.startsWith('relay-c'))
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)))) {
    for (const [path, reports] of Object.entries(rounds[n])) {
      const per_round = reports.map((r, i) => {
        if (!r) return null;
        const cpuFile = `${dir}/${n}${reports.length > 1 ? `~r${i + 1}` : ''}--${path}.cpu.side`;
        const cpu = fs.existsSync(cpuFile) ? JSON.parse(fs.readFileSync(cpuFile, 'utf8')) : null;
        const events = r.throughput.output_tokens_per_s;
        // µs of CPU per relayed event: ticks / ticks-per-s over the events in the window.
        const per = (ticks) => (cpu && events > 0 ? (ticks / cpu.clock_ticks_per_s) * 1e6 / (events * cpu.window_s) : null);
        const nginx = rounds[n].nginx?.[i];
        return { events, itl_p50: r.itl_ms.p50, itl_p99: r.itl_ms.p99, itl_max: r.itl_ms.max, errors: errors(r),
          upstream: cpu ? per(cpu.upstream_ticks) : null, proxy: cpu && path !== 'direct' ? per(cpu.proxy_ticks) : null,
          loadgen: cpu ? per(cpu.loadgen_ticks) : null,
          vs_nginx: nginx ? events / nginx.throughput.output_tokens_per_s : null };
      }).filter(Boolean);
      const med = (k) => median(per_round.map((x) => x[k]));
      relay.push({ path, streams: Number(n.slice(7)), rounds: per_round.length, events_per_s: med('events'),
        events_per_s_by_round: per_round.map((x) => x.events), vs_nginx: path === 'gateway' ? med('vs_nginx') : null,
        itl_p50_ms: med('itl_p50'), itl_p99_ms: med('itl_p99'), itl_max_ms: med('itl_max'),
        errors: per_round.reduce((t, x) => t + x.errors, 0), upstream_cpu_us_per_event: med('upstream'),
        proxy_cpu_us_per_event: med('proxy'), loadgen_cpu_us_per_event: med('loadgen') });
    }
  }
  const order = ['direct', 'nginx', 'gateway'];
  relay.sort((a, b) => a.streams - b.streams || order.indexOf(a.path) - order.indexOf(b.path));
  summary.relay = relay;
  const cpuUs = (x) => (x === null ? '—' : x.toFixed(1));
  table('Relayed SSE events, upstream paced at 20 ms per chunk (events/s = output tokens/s at the client; ' +
    'CPU µs per event over the measured window; medians over rounds)',
    ['streams', 'path', 'rounds', 'events/s', '× nginx', 'ITL p50 ms', 'ITL p99 ms', 'ITL max ms', 'errors', 'upstream CPU µs', 'proxy CPU µs', 'loadgen CPU µs'],
    relay.map((r) => [r.streams, r.path, r.rounds, int(r.events_per_s), r.vs_nginx === null ? '—' : r.vs_nginx.toFixed(2),
      ms(r.itl_p50_ms), ms(r.itl_p99_ms), ms(r.itl_max_ms), r.errors,
      cpuUs(r.upstream_cpu_us_per_event), cpuUs(r.proxy_cpu_us_per_event), cpuUs(r.loadgen_cpu_us_per_event)]));
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
} else if (scenario === 'soak') {
  const side = JSON.parse(fs.readFileSync(`${dir}/soak.side`, 'utf8'));
  const lines = (f) => fs.readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter(Boolean)
    .flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });  // a torn last line
  const samples = lines('soak-samples.jsonl').filter((x) => x.client);
  const last = lines('client-samples.jsonl').at(-1) ?? { errors: {}, idle_failed: 0, idle_closed: 0 };
  const report = runs.soak?.gateway;
  const total = side.idle_connections + side.streams;
  // Phases on gateway-bench's clock: idle phase, ramp, the measured streaming part, the drain.
  const loadStart = side.idle_phase_s, rampEnd = loadStart + side.ramp_s, loadEnd = side.duration_s;
  const phase = (t) => (t < loadStart ? 'idle' : t < rampEnd ? 'ramp' : t <= loadEnd ? 'streams' : 'drain');
  const idleAll = samples.filter((x) => phase(x.client.t_s) === 'idle' && x.client.idle === total).at(-1);
  const steady = samples.filter((x) => phase(x.client.t_s) === 'streams');
  const base = steady[0], end = steady.at(-1);
  const loaded = samples.filter((x) => x.client.t_s >= loadStart && x.client.t_s <= loadEnd);
  const idlePhase = samples.filter((x) => phase(x.client.t_s) === 'idle');
  const min = (xs, f) => (xs.length ? Math.min(...xs.map(f)) : null);
  const max = (xs, f) => (xs.length ? Math.max(...xs.map(f)) : null);
  const hours = base && end ? (end.client.t_s - base.client.t_s) / 3600 : 0;
  // Least-squares slope of RSS over the steady part: less at the mercy of one sample than end - base.
  let slope = null;
  if (steady.length >= 3) {
    const mt = steady.reduce((a, x) => a + x.t_s, 0) / steady.length;
    const mr = steady.reduce((a, x) => a + x.rss_kib, 0) / steady.length;
    const num = steady.reduce((a, x) => a + (x.t_s - mt) * (x.rss_kib - mr), 0);
    const den = steady.reduce((a, x) => a + (x.t_s - mt) ** 2, 0);
    slope = den > 0 ? (num / den) * 3600 : null;
  }
  const errorsByKind = { ...last.errors, idle_request_failed: last.idle_failed, idle_closed_by_server: last.idle_closed };
  const errorTotal = Object.values(errorsByKind).reduce((a, n) => a + n, 0);
  const perIdle = idleAll ? (idleAll.rss_kib - side.idle_rss_kib) / total : null;
  const perStream = idleAll && base ? (base.rss_kib - idleAll.rss_kib) / side.streams : null;
  const soak = {
    params: side, connections: total,
    rss_kib: {
      idle_gateway: side.idle_rss_kib, all_idle: idleAll?.rss_kib ?? null, after_ramp: base?.rss_kib ?? null,
      end: end?.rss_kib ?? null, max_loaded: max(loaded, (x) => x.rss_kib), after_close: side.after_rss_kib,
      peak_hwm: side.hwm_kib,
      per_idle_connection: perIdle, per_stream_over_idle: perStream,
      per_streaming_connection: perIdle !== null && perStream !== null ? perIdle + perStream : null,
      drift: base && end ? end.rss_kib - base.rss_kib : null,
      drift_per_hour: base && end && hours > 0 ? (end.rss_kib - base.rss_kib) / hours : null,
      slope_per_hour: slope,
    },
    fds: { idle_gateway: side.idle_fds, all_idle: idleAll?.fds ?? null, max_loaded: max(loaded, (x) => x.fds),
      end: end?.fds ?? null, after_close: side.after_fds },
    load: {
      // The one-token requests of the idle phase in flight at once: their memory is in the
      // idle figure too (malloc keeps what they freed), so it should be small next to 10,000.
      idle_phase_max_in_flight: max(idlePhase, (x) => x.client.in_flight),
      connections_min: min(loaded, (x) => x.client.connections), connections_max: max(loaded, (x) => x.client.connections),
      idle_min: min(loaded, (x) => x.client.idle), streams_min: min(steady, (x) => x.client.in_flight),
      streams_max: max(steady, (x) => x.client.in_flight),
      chunks_per_s: base && end ? (end.client.chunks - base.client.chunks) / (end.client.t_s - base.client.t_s) : null,
      chunks_total: last.chunks ?? null, streams_completed: report?.requests?.completed ?? null,
      itl_p50_ms: report?.itl_ms?.p50 ?? null, itl_p99_ms: report?.itl_ms?.p99 ?? null, itl_max_ms: report?.itl_ms?.max ?? null,
      gateway_cpu_percent: base && end ? (100 * (end.cpu_s - base.cpu_s)) / (end.t_s - base.t_s) : null,
    },
    errors: { total: errorTotal, by_kind: errorsByKind, gateway_alive: side.gateway_alive, loadgen_exit: side.loadgen_exit },
  };
  soak.pass = errorTotal === 0 && side.gateway_alive && side.loadgen_exit === 0 && idleAll !== undefined &&
    soak.load.connections_min === total && soak.load.idle_min === side.idle_connections;
  // [t_s, phase, RSS KiB, fds, connections, idle, streams in flight, chunks, gateway CPU s]
  soak.samples = samples.map((x) => [x.t_s, phase(x.client.t_s), x.rss_kib, x.fds, x.client.connections, x.client.idle,
    x.client.in_flight, x.client.chunks, x.cpu_s]);
  summary.soak = soak;

  const r = soak.rss_kib, kib = (x) => (x === null || x === undefined ? '—' : x.toFixed(1));
  const n = (x) => (x === null || x === undefined ? '—' : int(x));
  const perH = (x) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${int(x)} KiB/h`);
  table(`Soak: ${side.idle_connections} idle + ${side.streams} streaming connections, ${side.duration_s} s ` +
      `(idle phase ${side.idle_phase_s} s, opened over ${side.idle_ramp_s} s, ramp ${side.ramp_s} s, one chunk per ${side.chunk_ms} ms)`, ['figure', 'value'], [
    ['RSS, idle gateway', `${n(r.idle_gateway)} KiB`],
    [`RSS, ${total} idle connections`, `${n(r.all_idle)} KiB  (${kib(r.per_idle_connection)} KiB per idle connection)`],
    [`RSS, ${side.idle_connections} idle + ${side.streams} streams, after ramp`, `${n(r.after_ramp)} KiB  (+${kib(r.per_stream_over_idle)} KiB per stream over an idle connection, ${kib(r.per_streaming_connection)} KiB per streaming connection)`],
    ['idle phase: one-token requests in flight at most', `${n(soak.load.idle_phase_max_in_flight)}`],
    ['RSS at the end / highest under load / peak (VmHWM)', `${n(r.end)} / ${n(r.max_loaded)} / ${n(r.peak_hwm)} KiB`],
    ['RSS drift, end - after ramp', `${r.drift === null ? '—' : `${r.drift >= 0 ? '+' : ''}${n(r.drift)} KiB`} (${perH(r.drift_per_hour)}; fitted slope ${perH(r.slope_per_hour)})`],
    ['RSS after every client closed', `${n(r.after_close)} KiB`],
    ['fds: idle gateway / all idle / highest / after close', `${soak.fds.idle_gateway} / ${soak.fds.all_idle} / ${soak.fds.max_loaded} / ${soak.fds.after_close}`],
    ['connections open under load (min / max)', `${soak.load.connections_min} / ${soak.load.connections_max}`],
    ['streams in flight after ramp (min / max)', `${soak.load.streams_min} / ${soak.load.streams_max}`],
    ['chunks/s after ramp; streams completed', `${n(soak.load.chunks_per_s)}; ${n(soak.load.streams_completed)}`],
    ['gaps between chunks p50 / p99 / max', `${ms(soak.load.itl_p50_ms)} / ${ms(soak.load.itl_p99_ms)} / ${ms(soak.load.itl_max_ms)} ms`],
    ['gateway CPU after ramp', `${soak.load.gateway_cpu_percent === null ? '—' : soak.load.gateway_cpu_percent.toFixed(1)}%`],
    ['errors', `${errorTotal}${errorTotal ? ` ${JSON.stringify(Object.fromEntries(Object.entries(errorsByKind).filter(([, n]) => n)))}` : ''}`],
    ['result', soak.pass ? 'PASS' : 'FAIL'],
  ]);
  // About a dozen rows over the run, and the last sample.
  const every = Math.max(1, Math.round(samples.length / 12));
  const rows = samples.filter((x, i) => i % every === 0 || i === samples.length - 1);
  table('Over time (t on the load generator\'s clock; chunks/s and CPU since the row before)',
    ['t s', 'phase', 'conns', 'idle', 'streams', 'chunks/s', 'RSS KiB', 'fds', 'CPU %'],
    rows.map((x, i) => {
      const p = rows[i - 1], dt = p ? x.client.t_s - p.client.t_s : 0;
      return [x.client.t_s.toFixed(0), phase(x.client.t_s), x.client.connections, x.client.idle, x.client.in_flight,
        p && dt > 0 ? int((x.client.chunks - p.client.chunks) / dt) : '—', int(x.rss_kib), x.fds,
        p && dt > 0 ? ((100 * (x.cpu_s - p.cpu_s)) / (x.t_s - p.t_s)).toFixed(1) : '—'];
    }));
  if (!soak.pass) process.exitCode = 1;
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}

fs.writeFileSync(out, JSON.stringify({ scenario, machine, summary, runs: Object.keys(rounds).some((n) => Object.values(rounds[n]).some((l) => l.length > 1)) ? rounds : runs }, null, 1));
console.log(`\nwrote ${out}`);
