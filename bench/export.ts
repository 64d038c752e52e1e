/**
 * Export of the 200,000-log job through `wrangler dev` (frozen bundle): time, throughput, and the Worker's
 * memory while it streams — at four export sizes of the same job (date ranges ending today, then everything),
 * so that flat memory shows as a peak that does not grow with the row count.
 *
 * Memory, read over the DevTools protocol of `wrangler dev --inspector-port` (lib/inspector.ts):
 * - while each timed export streams, every SAMPLE_MS: the Worker isolate's JS heap (`Runtime.getHeapUsage`),
 *   garbage included, from a baseline taken right after a full GC; and workerd's resident set (VmRSS, which
 *   also holds D1's SQLite pages);
 * - the live heap: one more export of the whole history, read with pauses every LIVE_EVERY rows; at each pause
 *   (the stream waits on backpressure) a full GC, then the heap — what the export really holds at that point.
 *   Flat memory is a live heap that stays at the baseline from the first pause to the last.
 *
 *   npx tsx bench/export.ts        (after bench/seed-million.ts)
 */

import {
  benchWranglerConfig,
  commandLine,
  DAY_MS,
  ensureBundle,
  groupRssKb,
  isMain,
  loadavg1,
  mb,
  now,
  readMeta,
  round,
  writeResult,
} from "./lib/common";
import { connectInspector, type Inspector } from "./lib/inspector";
import { type DevServer, sleep, withDev } from "./lib/wrangler-dev";

const PORT = 8788;
const INSPECTOR_PORT = 9239;
const SAMPLE_MS = 10;
/** Rows between two live-heap readings of the paused whole-history export. */
const LIVE_EVERY = 25_000;
/** Export sizes, as the number of days back from the seed (null: the whole history). */
const RANGES_DAYS: Array<number | null> = [4, 9, 18, null];

export interface ExportRun {
  label: string;
  format: "ndjson" | "csv";
  path: string;
  status: number;
  rows: number;
  bytes: number;
  first_byte_ms: number;
  total_ms: number;
  rows_per_s: number;
  mb_per_s: number;
  /** Isolate JS heap (MB): after the GC before the export, peak while streaming, peak − baseline. */
  heap_baseline_mb: number;
  heap_peak_mb: number;
  heap_growth_mb: number;
  /** The heap's peak in each quarter of the export's duration: flat memory does not climb from one to the next. */
  heap_peak_by_quarter_mb: number[];
  /** workerd resident set (MB): before, peak, growth. */
  rss_baseline_mb: number;
  rss_peak_mb: number;
  rss_growth_mb: number;
  samples: number;
  distinct_ids?: number;
  oldest_first?: boolean;
  loadavg_before: number;
}

/** Samples heap and RSS until stopped; returns the peaks and, per quarter of the export's time, the heap's peak. */
function sampler(inspector: Inspector, pgid: number) {
  let stop = false;
  let rssPeakKb = 0;
  const heap: Array<{ t: number; used: number }> = [];
  const t0 = now();
  const done = (async () => {
    while (!stop) {
      const h = await inspector.heap();
      heap.push({ t: now() - t0, used: h.usedSize });
      rssPeakKb = Math.max(rssPeakKb, groupRssKb(pgid, "workerd"));
      await sleep(SAMPLE_MS);
    }
  })();
  return async () => {
    stop = true;
    await done;
    const end = heap.at(-1)?.t ?? 0;
    const quarters = [0, 1, 2, 3].map((q) =>
      heap.filter((s) => s.t >= (q * end) / 4 && s.t <= ((q + 1) * end) / 4).reduce((m, s) => Math.max(m, s.used), 0),
    );
    return { heapPeak: Math.max(0, ...heap.map((s) => s.used)), quarters, rssPeakKb, samples: heap.length };
  };
}

async function exportOnce(
  dev: DevServer,
  inspector: Inspector,
  label: string,
  format: "ndjson" | "csv",
  path: string,
  headers: Record<string, string>,
  check: boolean,
): Promise<ExportRun> {
  const base = await inspector.liveHeap();
  const rssBase = groupRssKb(dev.pgid, "workerd");
  const load1 = loadavg1();
  const stopSampling = sampler(inspector, dev.pgid);
  const t0 = now();
  const res = await fetch(dev.base + path, { headers });
  let firstByte = 0;
  let bytes = 0;
  let newlines = 0;
  const ids = check ? new Set<string>() : null;
  let oldestFirst = true;
  let lastAt = "";
  let carry = "";
  const decoder = new TextDecoder();
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (firstByte === 0) firstByte = now() - t0;
    bytes += value.byteLength;
    for (const b of value) if (b === 10) newlines++;
    if (ids) {
      // NDJSON: every line one log; check each id is new and executed_at never goes back.
      const lines = (carry + decoder.decode(value, { stream: true })).split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) {
        const log = JSON.parse(line) as { id: string; executed_at: string };
        ids.add(log.id);
        if (log.executed_at < lastAt) oldestFirst = false;
        lastAt = log.executed_at;
      }
    }
  }
  const totalMs = now() - t0;
  const peaks = await stopSampling();
  // NDJSON: a line per log; CSV: a header line (CRLF-terminated) then a line per log.
  const rows = format === "ndjson" ? newlines : newlines - 1;
  const run: ExportRun = {
    label,
    format,
    path,
    status: res.status,
    rows,
    bytes,
    first_byte_ms: round(firstByte, 1),
    total_ms: round(totalMs, 0),
    rows_per_s: round(rows / (totalMs / 1000), 0),
    mb_per_s: round(mb(bytes) / (totalMs / 1000), 1),
    heap_baseline_mb: mb(base.usedSize),
    heap_peak_mb: mb(peaks.heapPeak),
    heap_growth_mb: mb(peaks.heapPeak - base.usedSize),
    heap_peak_by_quarter_mb: peaks.quarters.map(mb),
    rss_baseline_mb: round(rssBase / 1024, 1),
    rss_peak_mb: round(peaks.rssPeakKb / 1024, 1),
    rss_growth_mb: round((peaks.rssPeakKb - rssBase) / 1024, 1),
    samples: peaks.samples,
    ...(ids ? { distinct_ids: ids.size, oldest_first: oldestFirst } : {}),
    loadavg_before: load1,
  };
  console.log(
    `  ${label.padEnd(34)} ${format.padEnd(6)} ${rows.toLocaleString("en").padStart(8)} rows ${mb(bytes).toString().padStart(6)} MB ` +
      `in ${(totalMs / 1000).toFixed(1)} s (${run.rows_per_s.toLocaleString("en")} rows/s, first byte ${run.first_byte_ms} ms) ` +
      `| heap ${run.heap_baseline_mb} → peak ${run.heap_peak_mb} MB (+${run.heap_growth_mb}; by quarter ${run.heap_peak_by_quarter_mb.join(" / ")}) ` +
      `| workerd RSS ${run.rss_baseline_mb} → ${run.rss_peak_mb} MB (+${run.rss_growth_mb}) [${peaks.samples} samples]`,
  );
  return run;
}

export interface LivePoint {
  rows: number;
  live_heap_mb: number;
}

/**
 * The whole history once more, read in steps of LIVE_EVERY rows: between steps the reader stops (the Worker's
 * stream stops pulling chunks once its queue is full) and the live heap is read after a full GC.
 */
async function liveHeapRun(dev: DevServer, inspector: Inspector, path: string, headers: Record<string, string>) {
  const points: LivePoint[] = [{ rows: 0, live_heap_mb: mb((await inspector.liveHeap()).usedSize) }];
  const res = await fetch(dev.base + path, { headers });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let rows = 0;
  let nextAt = LIVE_EVERY;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const b of value) if (b === 10) rows++;
    if (rows >= nextAt) {
      await sleep(100); // let the stream fill its queue and stop pulling
      points.push({ rows, live_heap_mb: mb((await inspector.liveHeap()).usedSize) });
      nextAt += LIVE_EVERY;
    }
  }
  points.push({ rows, live_heap_mb: mb((await inspector.liveHeap()).usedSize) });
  const during = points.slice(1, -1).map((p) => p.live_heap_mb);
  const base = points[0]?.live_heap_mb ?? 0;
  const out = {
    path,
    status: res.status,
    rows,
    every_rows: LIVE_EVERY,
    points,
    baseline_mb: base,
    max_during_mb: Math.max(base, ...during),
    max_growth_mb: round(Math.max(base, ...during) - base, 1),
    /** Live heap at the last pause minus at the first: what grows with the rows read. */
    first_to_last_pause_mb: during.length > 1 ? round((during.at(-1) ?? 0) - (during[0] ?? 0), 1) : 0,
    after_mb: points.at(-1)?.live_heap_mb ?? 0,
  };
  console.log(
    `  live heap, whole history paused every ${LIVE_EVERY.toLocaleString("en")} rows: ` +
      points.map((p) => `${p.rows.toLocaleString("en")}: ${p.live_heap_mb} MB`).join(", "),
  );
  return out;
}

async function main() {
  const meta = readMeta();
  const job = meta.bigJob;
  const account = meta.accounts.find((a) => a.account_id === job.accountId);
  if (!account) throw new Error("bench meta: the big job's account is missing");
  const headers = { "x-api-key": account.api_key, "x-api-secret": account.api_secret };
  const exportPath = (q: string) => `/v1/cron-jobs/${job.accountId}/logs/${job.id}/export?${q}`;
  const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const bundle = ensureBundle();
  const config = benchWranglerConfig({ limiter: "raised" });
  const t0 = now();
  const { out: runs, live } = await withDev(
    { port: PORT, config: config.path, extraArgs: ["--inspector-port", String(INSPECTOR_PORT)] },
    async (dev) => {
      const inspector = await connectInspector(INSPECTOR_PORT);
      try {
        const out: ExportRun[] = [];
        // Warm-up: the first request builds the Worker's modules; its heap is not the export's.
        await (await fetch(dev.base + exportPath(`start_date=${isoDate(meta.seededAt)}`), { headers })).text();
        for (const days of RANGES_DAYS) {
          const q =
            days === null ? "format=ndjson" : `format=ndjson&start_date=${isoDate(meta.seededAt - days * DAY_MS)}`;
          const label = days === null ? "whole history" : `last ${days} days`;
          out.push(await exportOnce(dev, inspector, label, "ndjson", exportPath(q), headers, days === null));
        }
        // The whole history twice more: memory that stays flat does not climb from one export to the next.
        for (const n of [2, 3]) {
          out.push(
            await exportOnce(
              dev,
              inspector,
              `whole history (#${n})`,
              "ndjson",
              exportPath("format=ndjson"),
              headers,
              false,
            ),
          );
        }
        out.push(await exportOnce(dev, inspector, "whole history", "csv", exportPath("format=csv"), headers, false));
        const live = await liveHeapRun(dev, inspector, exportPath("format=ndjson"), headers);
        return { out, live };
      } finally {
        inspector.close();
      }
    },
  );
  const full = runs.find((r) => r.label === "whole history" && r.format === "ndjson");
  const ndjson = runs.filter((r) => r.format === "ndjson");
  const smallest = ndjson[0];
  writeResult("export", {
    command: commandLine(import.meta.filename),
    bundle,
    wrangler_config: { path: config.path, changes: config.changes },
    big_job: job,
    sample_ms: SAMPLE_MS,
    runs,
    live_heap: live,
    full_export_complete: full ? full.rows === job.logs && full.distinct_ids === job.logs && full.oldest_first : false,
    /** Heap growth of the whole history ÷ that of the smallest export, against their row counts. */
    heap_growth_ratio: full && smallest ? round(full.heap_growth_mb / Math.max(0.1, smallest.heap_growth_mb), 2) : null,
    rows_ratio: full && smallest ? round(full.rows / Math.max(1, smallest.rows), 1) : null,
    total_s: round((now() - t0) / 1000, 1),
  });
}

if (isMain(import.meta.filename)) await main();
