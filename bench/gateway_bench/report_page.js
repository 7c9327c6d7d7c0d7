// gateway-bench HTML report. Reads the JSON document embedded in #bench-data (a run, or a sweep
// whose points are runs) and draws tables and inline SVG charts: no libraries, no network.
// Inlined into the page by embed_page.cmake; must not contain the closing script tag.
//
// Contract with tests/integration/bench_html_test.sh: every chart is <svg class="chart" id=...>,
// every plotted marker carries its values as data-series / data-point / data-x / data-y (the
// numbers of the document, unrounded), and when drawing is done <body data-rendered="ok">; on any
// error it is "error" and the message is in #render-error.
"use strict";

(function () {
  const SVG_NS = "http://www.w3.org/2000/svg"; // a namespace name, never fetched
  const COLORS = ["#1f5fbf", "#d9480f", "#2b8a3e", "#ae3ec9", "#0b7285", "#c2255c", "#5c940d",
    "#e67700", "#364fc7", "#862e9c"];
  const LATENCIES = [["ttft_ms", "TTFT"], ["tpot_ms", "TPOT"], ["itl_ms", "ITL"], ["e2e_ms", "E2E"]];
  const NOT_KINDS = new Set(["total", "by_status", "examples"]); // errors' members that are not kinds

  function fail(err) {
    document.body.dataset.rendered = "error";
    let pre = document.getElementById("render-error");
    if (!pre) {
      pre = el("pre", { id: "render-error" });
      document.body.prepend(pre);
    }
    pre.textContent = "The report could not be drawn: " + (err && err.stack ? err.stack : String(err));
  }
  window.addEventListener("error", (e) => fail(e.error || e.message));

  function fill(node, attrs, children) {
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined) node.setAttribute(k, v);
    for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  function el(tag, attrs, ...children) { return fill(document.createElement(tag), attrs, children); }
  function sv(tag, attrs, ...children) { return fill(document.createElementNS(SVG_NS, tag), attrs, children); }

  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  function fmt(v, digits) {
    if (v === null || v === undefined) return "—";
    if (!isNum(v)) return String(v);
    const a = Math.abs(v);
    const d = digits ?? (a >= 1000 || Number.isInteger(v) ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 3);
    return v.toLocaleString("en-US", { maximumFractionDigits: d });
  }

  // The label of a point: its load ("rate 8/s", "concurrency 64"), else the run's own config.
  function loadLabel(p, doc) {
    if (p.load) {
      const v = p.load.value;
      return p.load.variable === "rate" ? `rate ${v === "inf" ? "∞" : fmt(v)}/s` : `${p.load.variable} ${fmt(v)}`;
    }
    const c = p.config || doc.config || {};
    if (c.mode === "open") return `rate ${c.rate === "inf" ? "∞" : fmt(c.rate)}/s`;
    return `concurrency ${fmt(c.concurrency)}`;
  }

  // ---- Scales and ticks ---------------------------------------------------------------------
  function niceStep(span, count) {
    const raw = span / count, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return p * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
  }
  // A linear scale from 0 (an honest baseline for rates, latencies and counts) or a log scale,
  // chosen when every value is positive and they span two decades or more ("auto").
  function makeScale(values, mode, fixed, px0, px1) {
    // Loops, not Math.min(...values): a long run's timeline would overflow the argument limit.
    let min = Infinity, max = -Infinity;
    for (const v of values) if (isNum(v)) { min = Math.min(min, v); max = Math.max(max, v); }
    const any = min <= max;
    let lo = fixed ? fixed[0] : Math.min(0, any ? min : 0), hi = fixed ? fixed[1] : Math.max(0, any ? max : 0);
    const log = !fixed && mode !== false && any && min > 0 && (mode === true || max / min >= 100);
    let ticks;
    if (log) {
      const a = Math.floor(Math.log10(min)), b = Math.ceil(Math.log10(max));
      lo = Math.pow(10, a);
      hi = Math.pow(10, Math.max(b, a + 1));
      ticks = [];
      for (let e = a; e <= Math.max(b, a + 1); ++e)
        for (const m of b - a <= 2 ? [1, 2, 5] : [1]) if (m * Math.pow(10, e) <= hi) ticks.push(m * Math.pow(10, e));
    } else {
      if (!(hi > lo)) hi = lo + 1;
      const step = niceStep(hi - lo, 5);
      hi = Math.ceil(hi / step - 1e-9) * step;
      ticks = [];
      for (let t = Math.ceil(lo / step) * step; t <= hi + step / 1e6; t += step) ticks.push(Math.round(t / step) * step);
    }
    const f = log ? Math.log10 : (v) => v, flo = f(lo), fhi = f(hi);
    return { log, ticks, at: (v) => px0 + (f(v) - flo) / (fhi - flo) * (px1 - px0) };
  }

  // ---- Chart frame: title, axes with ticks and labels, legend --------------------------------
  const W = 880, PLOT_H = 280;
  function frame(spec, legend) {
    const m = { l: 72, r: spec.y2Label ? 72 : 24, t: 36, b: 52 };
    const rows = layoutLegend(legend, W - m.l - m.r);
    const H = m.t + PLOT_H + m.b + rows.height;
    const root = sv("svg", { class: "chart", id: spec.id, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": spec.title });
    root.append(sv("text", { class: "title", x: m.l, y: 20 }, spec.title));
    const box = { x0: m.l, x1: W - m.r, y0: m.t + PLOT_H, y1: m.t };
    for (const item of rows.items) {
      const g = sv("g", { class: "legend-item", "data-series": item.key, transform: `translate(${m.l + item.x},${box.y0 + 56 + item.y})` });
      g.append(item.bar ? sv("rect", { x: 0, y: -9, width: 14, height: 10, fill: item.color })
        : sv("line", { x1: 0, x2: 16, y1: -4, y2: -4, stroke: item.color, "stroke-width": 2.5,
          ...(item.dash ? { "stroke-dasharray": item.dash } : {}) }));
      g.append(sv("text", { x: 20, y: 0 }, item.name));
      root.append(g);
    }
    return { root, box };
  }
  function layoutLegend(legend, width) {
    const items = [];
    let x = 0, y = 0;
    for (const it of legend) {
      const w = 28 + it.name.length * 7;
      if (x > 0 && x + w > width) { x = 0; y += 18; }
      items.push({ ...it, x, y });
      x += w + 12;
    }
    return { items, height: legend.length ? y + 22 : 0 };
  }
  function axis(root, box, scale, side, label) {
    const g = sv("g", { class: `axis axis-${side}` }), grid = sv("g", { class: "grid" });
    const horizontal = side === "bottom";
    for (const t of scale.ticks) {
      const p = scale.at(t);
      if (horizontal) {
        g.append(sv("line", { x1: p, x2: p, y1: box.y0, y2: box.y0 + 5 }));
        g.append(sv("text", { x: p, y: box.y0 + 18, "text-anchor": "middle" }, fmt(t)));
        grid.append(sv("line", { x1: p, x2: p, y1: box.y0, y2: box.y1 }));
      } else {
        const x = side === "left" ? box.x0 : box.x1, d = side === "left" ? -5 : 5;
        g.append(sv("line", { x1: x, x2: x + d, y1: p, y2: p }));
        g.append(sv("text", { x: x + 2 * d, y: p + 4, "text-anchor": side === "left" ? "end" : "start" }, fmt(t)));
        if (side === "left") grid.append(sv("line", { x1: box.x0, x2: box.x1, y1: p, y2: p }));
      }
    }
    const text = label + (scale.log ? " (log scale)" : "");
    if (horizontal) {
      g.append(sv("line", { x1: box.x0, x2: box.x1, y1: box.y0, y2: box.y0 }));
      g.append(sv("text", { x: (box.x0 + box.x1) / 2, y: box.y0 + 36, "text-anchor": "middle" }, text));
    } else {
      const x = side === "left" ? box.x0 : box.x1, lx = side === "left" ? 16 : W - 10, ly = (box.y0 + box.y1) / 2;
      g.append(sv("line", { x1: x, x2: x, y1: box.y0, y2: box.y1 }));
      g.append(sv("text", { x: lx, y: ly, "text-anchor": "middle", transform: `rotate(-90 ${lx} ${ly})` }, text));
    }
    root.prepend(grid);
    root.append(g);
  }
  function emptyNote(root, box, text) {
    root.append(sv("text", { class: "empty", x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2, "text-anchor": "middle" }, text));
  }

  // ---- Line chart: one polyline and one marker per value of each series ----------------------
  // spec: {id, title, xLabel, yLabel, y2Label?, xLog?, yLog?, yDomain?, r?, empty,
  //        series: [{key, name, right?, points: [{x, y, point, tip}]}]}
  function lineChart(spec) {
    // A value the document lacks (null: no samples) is not drawn, rather than drawn as zero.
    // Past the palette's colours a series is dashed, so that no two lines look the same.
    const series = spec.series.map((s, i) => ({ ...s, color: s.color || COLORS[i % COLORS.length],
      dash: !s.color && i >= COLORS.length ? "6 4" : null,
      points: s.points.filter((p) => isNum(p.x) && isNum(p.y)) }));
    const { root, box } = frame(spec, series.map((s) => ({ key: s.key, name: s.name, color: s.color, dash: s.dash })));
    const all = series.flatMap((s) => s.points);
    const values = (right) => series.filter((s) => !!s.right === right).flatMap((s) => s.points.map((p) => p.y));
    const xs = makeScale(all.map((p) => p.x), spec.xLog ?? false, null, box.x0, box.x1);
    const ys = makeScale(values(false), spec.yLog ?? false, spec.yDomain, box.y0, box.y1);
    const ys2 = spec.y2Label ? makeScale(values(true), false, null, box.y0, box.y1) : null;
    axis(root, box, xs, "bottom", spec.xLabel);
    axis(root, box, ys, "left", spec.yLabel);
    if (ys2) axis(root, box, ys2, "right", spec.y2Label);
    if (all.length === 0) emptyNote(root, box, spec.empty || "no data");
    for (const s of series) {
      const scaleY = s.right ? ys2 : ys;
      const pts = s.points.map((p) => `${xs.at(p.x).toFixed(1)},${scaleY.at(p.y).toFixed(1)}`);
      if (pts.length > 1)
        root.append(sv("polyline", { class: "series", "data-series": s.key, points: pts.join(" "), fill: "none", stroke: s.color, "stroke-width": 2,
          ...(s.dash ? { "stroke-dasharray": s.dash } : {}) }));
      const g = sv("g", { class: "markers", "data-series": s.key });
      for (const p of s.points)
        g.append(sv("circle", { class: "marker", "data-series": s.key, "data-point": p.point, "data-x": String(p.x), "data-y": String(p.y),
          cx: xs.at(p.x).toFixed(1), cy: scaleY.at(p.y).toFixed(1), r: spec.r || 4, fill: s.color }, sv("title", {}, p.tip)));
      root.append(g);
    }
    return root;
  }

  // ---- Stacked bars: per point, one bar whose segments are the error kinds --------------------
  // `order`: the point indices left to right (by offered load).
  function errorChart(points, labels, order) {
    const kinds = [];
    for (const p of points)
      for (const [k, v] of Object.entries(p.errors || {})) if (!NOT_KINDS.has(k) && isNum(v) && v > 0 && !kinds.includes(k)) kinds.push(k);
    const color = (k) => COLORS[kinds.indexOf(k) % COLORS.length];
    const spec = { id: "errors-by-kind", title: "Failed requests by error kind, per load point" };
    const { root, box } = frame(spec, kinds.map((k) => ({ key: k, name: k, color: color(k), bar: true })));
    const totals = points.map((p) => kinds.reduce((a, k) => a + (p.errors?.[k] || 0), 0));
    const ys = makeScale(totals, false, null, box.y0, box.y1);
    ys.ticks = ys.ticks.filter((t) => Number.isInteger(t)); // counts: no half requests
    axis(root, box, ys, "left", "failed requests");
    const band = (box.x1 - box.x0) / Math.max(points.length, 1), bw = Math.min(60, band * 0.6);
    root.append(sv("line", { class: "axis", x1: box.x0, x2: box.x1, y1: box.y0, y2: box.y0, stroke: "#8a93a3" }));
    order.forEach((i, slot) => {
      const p = points[i], cx = box.x0 + band * (slot + 0.5);
      root.append(sv("text", { x: cx, y: box.y0 + 18, "text-anchor": "middle" }, labels[i]));
      let base = 0;
      for (const k of kinds) {
        const n = p.errors?.[k] || 0;
        if (n <= 0) continue;
        const top = ys.at(base + n), bottom = ys.at(base);
        root.append(sv("rect", { class: "bar", "data-series": k, "data-point": i, "data-x": labels[i], "data-y": String(n),
          x: (cx - bw / 2).toFixed(1), y: top.toFixed(1), width: bw.toFixed(1), height: (bottom - top).toFixed(1), fill: color(k) },
          sv("title", {}, `${labels[i]}: ${n} × ${k}`)));
        base += n;
      }
    });
    if (kinds.length === 0) emptyNote(root, box, "no failed requests at any load point");
    return root;
  }

  // ---- Tables -------------------------------------------------------------------------------
  function configTable(config) {
    const rows = [];
    const walk = (prefix, obj) => {
      for (const [k, v] of Object.entries(obj)) {
        if (v && typeof v === "object" && !Array.isArray(v)) walk(prefix + k + ".", v);
        else rows.push(el("tr", {}, el("th", {}, prefix + k), el("td", { class: "text" }, Array.isArray(v) ? v.map((x) => fmt(x)).join(", ") : fmt(v))));
      }
    };
    walk("", config || {});
    return el("table", { class: "config", id: "config-table" }, el("tbody", {}, rows));
  }
  function pointTable(points, labels) {
    const head1 = el("tr", {}, el("th", { rowspan: 2, class: "text" }, "load point"), el("th", { rowspan: 2 }, "completed"),
      el("th", { rowspan: 2 }, "failed"), el("th", { rowspan: 2 }, "req/s"), el("th", { rowspan: 2 }, "output tok/s"),
      el("th", { rowspan: 2 }, "goodput req/s"),
      LATENCIES.map(([, name]) => el("th", { colspan: 3 }, `${name} (ms)`)), el("th", { rowspan: 2, class: "text" }, "errors by kind"));
    const head2 = el("tr", {}, LATENCIES.flatMap(() => ["p50", "p90", "p99"].map((q) => el("th", {}, q))));
    const body = points.map((p, i) => {
      const t = p.throughput || {}, r = p.requests || {}, e = p.errors || {};
      const kinds = Object.entries(e).filter(([k, v]) => !NOT_KINDS.has(k) && isNum(v) && v > 0).map(([k, v]) => `${k} ${v}`);
      return el("tr", { "data-point": i }, el("td", { class: "text" }, labels[i]), el("td", {}, fmt(r.completed)), el("td", {}, fmt(r.failed)),
        el("td", {}, fmt(t.requests_per_s)), el("td", {}, fmt(t.output_tokens_per_s)), el("td", {}, fmt(t.goodput_requests_per_s)),
        LATENCIES.flatMap(([key]) => ["p50", "p90", "p99"].map((q) => el("td", {}, fmt(p[key]?.[q])))),
        el("td", { class: "text" }, kinds.length ? kinds.join(", ") : "none"));
    });
    return el("div", { class: "scroll" }, el("table", { id: "point-table" }, el("thead", {}, head1, head2), el("tbody", {}, body)));
  }

  function figure(svg, caption) { return el("figure", {}, svg, el("figcaption", {}, caption)); }

  // ---- The page -----------------------------------------------------------------------------
  function render(doc) {
    const sweep = doc.kind === "sweep";
    const points = sweep ? doc.points || [] : [doc];
    const labels = points.map((p) => loadLabel(p, doc));
    const config = doc.config || {};
    // A max-rate search runs its points in bisection order; curves follow the load instead.
    const loadOf = (p) => (p.load ? (p.load.value === "inf" ? Infinity : Number(p.load.value)) : 0);
    const byLoad = points.map((_, i) => i).sort((a, b) => loadOf(points[a]) - loadOf(points[b]) || a - b);
    const root = document.getElementById("report");
    document.title = `gateway-bench: ${config.model ?? "?"} ${sweep ? "sweep" : "run"}`;
    root.append(el("h1", {}, `gateway-bench ${sweep ? "sweep" : "run"}: model ${config.model ?? "?"}`),
      el("p", { class: "lead" }, `${config.url ?? ""}${config.path ?? ""} · ${points.length} load point${points.length === 1 ? "" : "s"}` +
        ` · ${config.stream === false ? "non-streaming" : "streaming"} ${config.endpoint ?? ""}`));
    if (sweep && (doc.max_rate || config.sweep?.mode === "max_rate")) {
      const m = doc.max_rate || {}, pct = (v) => `${fmt(100 * v, 1)}%`;
      const missed = isNum(m.first_failing_rate) ? `; ${fmt(m.first_failing_rate)} req/s missed it` : "";
      root.append(el("p", { class: "banner", id: "max-rate" }, isNum(m.rate)
        ? `Highest rate meeting the goodput target: ${fmt(m.rate)} req/s (${pct(m.goodput_fraction)} of requests met every SLO; target ${pct(m.target)}${missed}).`
        : `No rate tried met the goodput target${isNum(m.target) ? ` of ${pct(m.target)}` : ""}${missed}.`));
    }

    root.append(el("h2", {}, "Configuration"), configTable(config));
    root.append(el("h2", {}, "Results per load point"),
      el("p", { class: "note" }, "Latencies in milliseconds; throughputs over each point's measured window. Goodput counts requests meeting every SLO (— when no SLO was given)."),
      pointTable(points, labels));

    root.append(el("h2", {}, "Throughput against latency"));
    const curves = [["ttft_ms", "p50", "TTFT p50"], ["ttft_ms", "p99", "TTFT p99"], ["tpot_ms", "p50", "TPOT p50"],
      ["tpot_ms", "p99", "TPOT p99"], ["e2e_ms", "p99", "E2E p99"]];
    root.append(figure(lineChart({
      id: "throughput-latency", title: "Latency against achieved throughput, one marker per load point",
      xLabel: "achieved requests/s", yLabel: "latency (ms)", yLog: "auto", empty: "no latency figures",
      series: curves.map(([stat, q, name]) => ({
        key: `${stat.split("_")[0]}_${q}`, name,
        points: byLoad.flatMap((i) => {
          const p = points[i];
          const x = p.throughput?.requests_per_s, y = p[stat]?.[q];
          return isNum(x) && isNum(y) ? [{ x, y, point: i, tip: `${labels[i]}: ${fmt(x)} req/s, ${name} ${fmt(y)} ms` }] : [];
        }),
      })),
    }), "Each line joins the points in order of offered load. Where a line turns upward the server is saturating: more offered load buys no more requests/s, only longer waits."));

    root.append(el("h2", {}, "Time to first token, distribution"));
    root.append(figure(lineChart({
      id: "ttft-cdf", title: "TTFT CDF: share of requests whose first token came within x ms",
      xLabel: "time to first token (ms)", yLabel: "fraction of requests", yDomain: [0, 1], xLog: "auto", r: 2,
      empty: "no TTFT samples",
      series: points.map((p, i) => ({
        key: `point-${i}`, name: labels[i],
        points: (p.ttft_cdf || []).map(([x, y]) => ({ x, y, point: i, tip: `${labels[i]}: ${fmt(100 * y, 1)}% within ${fmt(x)} ms` })),
      })),
    }), "One line per load point. A line further right means slower first tokens; a long flat tail means a few requests waited far longer than most."));

    root.append(el("h2", {}, "Errors"));
    root.append(figure(errorChart(points, labels, byLoad), "One bar per load point, stacked by error kind (see bench/README.md, error kinds). Hover a segment for its count."));

    root.append(el("h2", {}, "Over time"),
      el("p", { class: "note" }, "Per load point, over the whole run (warm-up and drain included): requests in flight (left axis) and output tokens/s (right axis), one marker per sample interval."));
    points.forEach((p, i) => {
      const tl = p.timeline || [];
      root.append(el("h3", {}, labels[i]), figure(lineChart({
        id: `timeline-${i}`, title: `In flight and output tokens/s over the run: ${labels[i]}`,
        xLabel: "seconds since the run's start", yLabel: "requests in flight", y2Label: "output tokens/s", r: 2.5,
        empty: "no timeline in this document",
        series: [
          { key: "in_flight", name: "requests in flight (left axis)", points: tl.map((s) => ({ x: s.t_s, y: s.in_flight, point: i, tip: `${fmt(s.t_s)} s: ${s.in_flight} in flight` })) },
          { key: "tokens_per_s", name: "output tokens/s (right axis)", right: true, points: tl.map((s) => ({ x: s.t_s, y: s.tokens_per_s, point: i, tip: `${fmt(s.t_s)} s: ${fmt(s.tokens_per_s)} tok/s` })) },
        ],
      }), `${tl.length} samples.`));
    });
  }

  try {
    render(JSON.parse(document.getElementById("bench-data").textContent));
    if (document.body.dataset.rendered !== "error") document.body.dataset.rendered = "ok";
  } catch (err) {
    fail(err);
  }
})();
