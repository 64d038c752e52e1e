/**
 * Hand-drawn SVG charts, a few dozen labelled shapes each; a charting library would add ~50 kB and a stylesheet
 * for no gain.
 */
import { h, svg } from "./dom";
import { COLORS, countsText, DAY, HOUR, num, plural, timeEl } from "./format";
import type { DailyStats } from "./stats";
import { fmt } from "./time";
import { type ExecutionLog, STATUSES, type Status } from "./types";

type Counts = Record<Status, number>;
const zero = (): Counts => ({ success: 0, failure: 0, error: 0, timeout: 0 });
const isStatus = (s: string): s is Status => (STATUSES as readonly string[]).includes(s);

function worstStatus(c: Counts): Status | null {
  let best: Status | null = null;
  for (const s of ["failure", "error", "timeout"] as const) if (c[s] && (!best || c[s] > c[best])) best = s;
  return best ?? (c.success ? "success" : null);
}

/** The last 24 hours in hourly cells stacked by status (`rows` may be the latest `rows.length` of `total`). */
export function statusStrip(rows: ExecutionLog[], total: number, since: number, now: number) {
  const HOURS = 24;
  const W = 9;
  const GAP = 2;
  const H = 22;
  const cells = Array.from({ length: HOURS }, zero);
  const counts = zero();
  let oldest = now;
  for (const r of rows) {
    const t = Date.parse(r.executed_at);
    if (!(t >= since) || !isStatus(r.status)) continue;
    const cell = cells[Math.min(HOURS - 1, Math.floor((t - since) / HOUR))];
    if (!cell) continue;
    cell[r.status]++;
    counts[r.status]++;
    if (t < oldest) oldest = t;
  }
  const truncated = total > rows.length;
  const width = HOURS * (W + GAP) - GAP;
  const label = `Last 24 hours: ${countsText(counts)}${truncated ? ` (latest ${rows.length} of ${total} runs)` : ""}`;
  const el = svg("svg", {
    class: "strip",
    viewBox: `0 0 ${width} ${H}`,
    role: "img",
    "aria-label": label,
  });
  cells.forEach((c, i) => {
    const start = since + i * HOUR;
    const missing = truncated && start + HOUR <= oldest;
    const status = worstStatus(c);
    const title = `${fmt.short(start)}–${fmt.clock(start + HOUR)}: ${missing ? "not loaded" : countsText(c)}`;
    const x = i * (W + GAP);
    const n = STATUSES.reduce((sum, st) => sum + c[st], 0);
    const cell = svg(
      "g",
      { class: "cell", "data-status": missing ? "missing" : (status ?? "none") },
      svg("title", null, title),
    );
    if (missing || !n) {
      cell.append(
        svg("rect", {
          x,
          y: 0,
          width: W,
          height: H,
          rx: 2,
          fill: missing ? "#f3f4f6" : COLORS.none,
          stroke: missing ? "#c7ccd4" : null,
          "stroke-dasharray": missing ? "2 2" : null,
        }),
      );
    } else {
      // Success at the bottom; a status that occurred keeps at least 3 px so one failure among many stays visible.
      const bad = (["failure", "error", "timeout"] as const).filter((st) => c[st]);
      const heights: Partial<Record<Status, number>> = {};
      for (const st of bad) heights[st] = Math.max(3, (c[st] / n) * H);
      let badTotal = bad.reduce((sum, st) => sum + (heights[st] ?? 0), 0);
      if (badTotal > H) {
        for (const st of bad) heights[st] = ((heights[st] ?? 0) * H) / badTotal;
        badTotal = H;
      }
      heights.success = c.success ? H - badTotal : 0;
      let y = H;
      for (const st of STATUSES) {
        const hgt = heights[st];
        if (!hgt) continue;
        y -= hgt;
        cell.append(svg("rect", { x, y: y.toFixed(2), width: W, height: hgt.toFixed(2), fill: COLORS[st] }));
      }
    }
    el.append(cell);
  });
  const runs = STATUSES.reduce((s, st) => s + counts[st], 0);
  const failed = runs - counts.success;
  const note = runs ? `${plural(runs, "run", "runs")}${failed ? ` · ${failed} not ok` : " · all ok"}` : "no runs";
  return h("div", null, el, h("span", { class: "strip-note", "aria-hidden": "true" }, note));
}

/** The latest runs, oldest first: colour is the status, height grows with the response time. */
export function timelineChart(rows: ExecutionLog[], total: number) {
  if (!rows.length) return h("p", { class: "empty" }, "No executions yet.");
  const runs = rows.slice().reverse();
  const W = 1000;
  const H = 64;
  const GAP = 2;
  const bw = Math.max(1, (W - GAP * (runs.length - 1)) / Math.max(runs.length, 40));
  const maxT = Math.max(1, ...runs.map((r) => r.response_time_ms ?? 0));
  const counts = zero();
  for (const r of runs) if (isStatus(r.status)) counts[r.status]++;
  const label = `The latest ${plural(runs.length, "execution", "executions")}, oldest first: ${countsText(counts)}. Bar height grows with the response time.`;
  const el = svg("svg", {
    class: "timeline",
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: "none",
    role: "img",
    "aria-label": label,
  });
  runs.forEach((r, i) => {
    const rt = typeof r.response_time_ms === "number" ? r.response_time_ms : maxT;
    const bh = Math.max(H * 0.2, Math.sqrt(rt / maxT) * H);
    const title = `${fmt.dateTime(Date.parse(r.executed_at))} · ${r.status}${r.response_code === null ? "" : ` · HTTP ${r.response_code}`}${r.response_time_ms === null ? "" : ` · ${num(r.response_time_ms)} ms`}${r.retry_attempt ? ` · retry ${r.retry_attempt}` : ""}`;
    el.append(
      svg(
        "rect",
        {
          x: (i * (bw + GAP)).toFixed(1),
          y: (H - bh).toFixed(1),
          width: bw.toFixed(1),
          height: bh.toFixed(1),
          fill: COLORS[r.status] ?? COLORS.none,
          "data-status": r.status,
        },
        svg("title", null, title),
      ),
    );
  });
  const first = runs[0];
  const last = runs[runs.length - 1];
  return h(
    "div",
    null,
    el,
    h(
      "p",
      { class: "hint" },
      `The latest ${plural(runs.length, "execution", "executions")}${total > runs.length ? ` of ${num(total)} kept` : ""}, from `,
      timeEl(first?.executed_at, fmt.short),
      " to ",
      timeEl(last?.executed_at, fmt.short),
      ". Colour is the status; bar height grows with the response time (full height: no response).",
    ),
  );
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

interface Point {
  x: number;
  y: number | null;
  start: number;
  total: number;
}

interface LineChartOptions {
  points: Point[];
  x0: number;
  x1: number;
  yMax: number;
  yTicks: number[];
  fmtY: (v: number) => string;
  color: string;
  label: string;
  pointTitle: (p: Point & { y: number }) => string;
  pointColor: (p: Point & { y: number }) => string;
}

function lineChart(o: LineChartOptions) {
  const W = 560;
  const H = 200;
  const L = 56;
  const R = 14;
  const T = 10;
  const B = 26;
  const pw = W - L - R;
  const ph = H - T - B;
  const sx = (x: number) => L + (o.x1 > o.x0 ? ((x - o.x0) / (o.x1 - o.x0)) * pw : pw / 2);
  const sy = (y: number) => T + ph - (Math.min(y, o.yMax) / o.yMax) * ph;
  const el = svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": o.label });
  for (const v of o.yTicks) {
    el.append(
      svg("line", { class: "grid", x1: L, x2: W - R, y1: sy(v), y2: sy(v) }),
      svg("text", { x: L - 6, y: sy(v) + 4, "text-anchor": "end" }, o.fmtY(v)),
    );
  }
  [o.x0, o.x0 + (o.x1 - o.x0) / 2, o.x1 - 1].forEach((x, i) => {
    const anchor = i === 0 ? "start" : i === 2 ? "end" : "middle";
    el.append(svg("text", { x: sx(x), y: H - 6, "text-anchor": anchor }, fmt.utcDay(x)));
  });
  let seg: string[] = [];
  const flush = () => {
    if (seg.length > 1) {
      el.append(
        svg("polyline", {
          points: seg.join(" "),
          fill: "none",
          stroke: o.color,
          "stroke-width": 2,
          "stroke-linejoin": "round",
        }),
      );
    }
    seg = [];
  };
  for (const p of o.points) {
    if (p.y === null) flush();
    else seg.push(`${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`);
  }
  flush();
  for (const p of o.points) {
    if (p.y === null) continue;
    const q = p as Point & { y: number };
    el.append(
      svg(
        "circle",
        { cx: sx(p.x).toFixed(1), cy: sy(p.y).toFixed(1), r: 3.5, fill: o.pointColor(q) },
        svg("title", null, o.pointTitle(q)),
      ),
    );
  }
  if (!o.points.some((p) => p.y !== null)) {
    el.append(svg("text", { x: L + pw / 2, y: T + ph / 2, "text-anchor": "middle" }, "No executions in this period"));
  }
  return el;
}

export function statsSummary(stats: DailyStats) {
  const item = (label: string, value: string) => h("div", null, h("dt", null, label), h("dd", null, value));
  return h(
    "dl",
    { class: "stats", id: "stats-summary" },
    item("Success rate, last 30 days", stats.rate === null ? "—" : `${stats.rate.toFixed(1)} %`),
    item("p95 response time (successful runs)", stats.p95 === null ? "—" : `${num(Math.round(stats.p95))} ms`),
    item("Executions in the last 30 days", stats.total === null ? "—" : num(stats.total)),
  );
}

export function chartsGrid(stats: DailyStats) {
  const points = (key: "rate" | "p95"): Point[] =>
    stats.series.map((b) => ({ x: b.start + DAY / 2, y: b[key], start: b.start, total: b.total ?? 0 }));
  const rates = points("rate");
  const p95s = points("p95");
  const maxP95 = niceMax(Math.max(0, ...p95s.map((p) => p.y ?? 0)));
  const summary = (ps: Point[], f: (v: number) => string) => {
    const ys = ps.map((p) => p.y).filter((y): y is number => y !== null);
    if (!ys.length) return "no data";
    return `lowest ${f(Math.min(...ys))}, highest ${f(Math.max(...ys))}, latest ${f(ys[ys.length - 1] ?? 0)}`;
  };
  const pct = (v: number) => `${v.toFixed(1)} %`;
  const ms = (v: number) => `${num(Math.round(v))} ms`;
  const figure = (caption: string, id: string, chart: SVGElement) =>
    h("figure", { id, class: "chart-box" }, h("figcaption", { class: "muted" }, caption), chart);
  return h(
    "div",
    { class: "charts" },
    figure(
      "Success rate per UTC day",
      "chart-success",
      lineChart({
        points: rates,
        x0: stats.from,
        x1: stats.to,
        yMax: 100,
        yTicks: [0, 50, 100],
        fmtY: (v) => `${v}%`,
        color: COLORS.success ?? "#15803d",
        label: `Success rate per day: ${summary(rates, pct)}`,
        pointTitle: (p) =>
          `${fmt.utcDay(p.start)}: ${pct(p.y)}${p.total ? ` of ${plural(p.total, "run", "runs")}` : ""}`,
        pointColor: (p) => (p.y >= 99 ? "#15803d" : p.y >= 90 ? "#c2410c" : "#b91c1c"),
      }),
    ),
    figure(
      "p95 response time per UTC day (successful runs)",
      "chart-p95",
      lineChart({
        points: p95s,
        x0: stats.from,
        x1: stats.to,
        yMax: maxP95,
        yTicks: [0, maxP95 / 2, maxP95],
        fmtY: (v) => `${num(v)} ms`,
        color: "#1d4ed8",
        label: `p95 response time per day: ${summary(p95s, ms)}`,
        pointTitle: (p) => `${fmt.utcDay(p.start)}: p95 ${ms(p.y)}`,
        pointColor: () => "#1d4ed8",
      }),
    ),
  );
}
