import { ApiError, api } from "./api";
import { DAY, isoSeconds, num } from "./format";
import type { ExecutionLog, PagePagination, SloStatus } from "./types";

export const STATS_DAYS = 30;

export interface DailyStats {
  series: Array<{ start: number; total: number | null; rate: number | null; p95: number | null }>;
  from: number;
  to: number;
  /** Percent 0–100. */
  rate: number | null;
  p95: number | null;
  total: number | null;
  note: string;
  /** The job's SLO now (null: the job has none); undefined when the stats API did not answer. */
  slo?: SloStatus;
}

const numOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

interface LogsPage {
  data: ExecutionLog[];
  pagination: PagePagination;
}

/** A job's logs since `since`, at most `maxPages` pages of 100, newest first, and how many exist in total. */
export async function fetchLogsSince(jobId: string, since: number, maxPages: number) {
  const params = { start_date: isoSeconds(since), limit: 100 };
  const path = `/logs/${encodeURIComponent(jobId)}`;
  const first = await api<LogsPage>(path, { params: { page: 1, ...params } });
  let rows = first.data.slice();
  const pages = Math.min(first.pagination.total_pages, maxPages);
  const rest: Array<Promise<LogsPage>> = [];
  for (let page = 2; page <= pages; page++) rest.push(api<LogsPage>(path, { params: { page, ...params } }));
  for (const r of await Promise.all(rest)) rows = rows.concat(r.data);
  const seen = new Set<string>();
  rows = rows.filter((r) => {
    if (seen.has(r.id)) return false;
    seen.add(r.id);
    return true;
  });
  return { rows, total: first.pagination.total_items };
}

interface StatsBody {
  data?: {
    series?: Array<{
      start?: string;
      bucket_start?: string;
      total?: number;
      success_rate?: number;
      response_time_ms?: { p95?: number };
    }>;
    success_rate?: number;
    total?: number;
    response_time_ms?: { p95?: number };
    slo?: SloStatus;
  };
}

/** GET /stats/{id}?bucket=day (UTC days); on failure the same figures are computed from the logs. */
export async function dailyStats(jobId: string): Promise<DailyStats> {
  const since = Math.floor(Date.now() / DAY) * DAY - (STATS_DAYS - 1) * DAY;
  let body: StatsBody;
  try {
    body = await api<StatsBody>(`/stats/${encodeURIComponent(jobId)}`, {
      params: { bucket: "day", start_date: isoSeconds(since).slice(0, 10) },
    });
  } catch (e) {
    if (e instanceof ApiError && (e.status === 0 || e.status === 401)) throw e;
    return browserStats(jobId, `The stats API failed (${e instanceof Error ? e.message : e}). `);
  }
  const d = body.data;
  if (!d || !Array.isArray(d.series)) return browserStats(jobId, "The stats API answered an unexpected shape. ");
  const pct = (v: unknown) => {
    const n = numOrNull(v);
    return n === null ? null : n * 100;
  };
  const series = d.series
    .map((b) => ({
      start: Date.parse(b.start ?? b.bucket_start ?? ""),
      total: numOrNull(b.total),
      rate: pct(b.success_rate),
      p95: numOrNull(b.response_time_ms?.p95),
    }))
    .filter((b) => !Number.isNaN(b.start))
    .sort((a, b) => a.start - b.start);
  const first = series[0];
  const last = series[series.length - 1];
  if (!first || !last) return browserStats(jobId, "The stats API returned no buckets. ");
  return {
    series,
    from: first.start,
    to: last.start + DAY,
    rate: pct(d.success_rate),
    p95: numOrNull(d.response_time_ms?.p95),
    total: numOrNull(d.total),
    note: "Daily buckets are UTC days, from the stats API (logs are kept 30 days).",
    slo: d.slo,
  };
}

function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const i = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.max(0, Math.min(sorted.length - 1, i))] ?? null;
}

async function browserStats(jobId: string, reason: string): Promise<DailyStats> {
  const now = Date.now();
  const since = Math.floor(now / DAY) * DAY - (STATS_DAYS - 1) * DAY;
  const { rows, total } = await fetchLogsSince(jobId, since, 10);
  const firstDay = Math.floor(since / DAY);
  const days = Math.floor(now / DAY) - firstDay + 1;
  const buckets = Array.from({ length: days }, (_, i) => ({
    start: (firstDay + i) * DAY,
    total: 0,
    ok: 0,
    times: [] as number[],
  }));
  const times: number[] = [];
  let ok = 0;
  let oldest = now;
  for (const r of rows) {
    const t = Date.parse(r.executed_at);
    const b = buckets[Math.floor(t / DAY) - firstDay];
    if (!b) continue;
    b.total++;
    if (t < oldest) oldest = t;
    if (r.status !== "success") continue;
    b.ok++;
    ok++;
    if (typeof r.response_time_ms === "number") {
      b.times.push(r.response_time_ms);
      times.push(r.response_time_ms);
    }
  }
  const partial = total > rows.length;
  return {
    series: buckets.map((b) => {
      const unknown = b.total === 0 || (partial && b.start + DAY <= oldest);
      return {
        start: b.start,
        total: b.total,
        rate: unknown ? null : (b.ok / b.total) * 100,
        p95: unknown ? null : percentile(b.times, 95),
      };
    }),
    from: firstDay * DAY,
    to: (firstDay + days) * DAY,
    rate: rows.length ? (ok / rows.length) * 100 : null,
    p95: percentile(times, 95),
    total: rows.length,
    note: `${reason}Daily buckets (UTC days) computed in the browser from ${partial ? `the latest ${num(rows.length)} of ${num(total)}` : `all ${num(total)}`} executions of the last ${STATS_DAYS} days.`,
  };
}
