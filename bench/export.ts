/**
 * The big job's export at four sizes through `wrangler dev`: time, throughput, the isolate's heap and workerd's RSS
 * while streaming, and the live heap (after a full GC) paused every LIVE_EVERY rows: flat when it does not grow.
 *   npx tsx bench/export.ts [--smoke]        (after bench/seed-million.ts)
 */
import * as h from "./lib/harness";
import { type DevServer, withDev } from "./lib/wrangler-dev";

/** The isolate's heap over --inspector-port; the live heap after the full GC a heap snapshot performs (workerd does not
 * answer collectGarbage). wrangler's proxy wants an Origin header. */

type Inspector = Awaited<ReturnType<typeof connectInspector>>;

async function connectInspector(port: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    const targets = await fetch(`http://127.0.0.1:${port}/json`).then(
      (r) => r.json(),
      () => [],
    );
    url = (targets as Array<{ webSocketDebuggerUrl?: string }>).find(
      (t) => t.webSocketDebuggerUrl,
    )?.webSocketDebuggerUrl;
    if (!url && Date.now() > deadline) throw new Error(`no inspector target on port ${port}`);
    if (!url) await h.sleep(250);
  }
  // undici's WebSocket takes headers in its init object (not in the DOM typings).
  const ws = new WebSocket(url, { headers: { Origin: `http://127.0.0.1:${port}` } } as unknown as string[]);
  await new Promise((res, rej) => {
    ws.addEventListener("open", res, { once: true });
    ws.addEventListener("error", () => rej(new Error(`inspector websocket ${url} failed`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
    pending.delete(msg.id ?? -1);
  });
  const call = (method: string, params = {}) =>
    new Promise<{ usedSize: number }>((res, rej) => {
      const id = nextId++;
      pending.set(id, (m) => (m.error ? rej(new Error(m.error.message)) : res(m.result as { usedSize: number })));
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** Used heap bytes, garbage included. */
    heap: async () => (await call("Runtime.getHeapUsage")).usedSize,
    /** Used heap bytes right after a full GC: what the isolate really holds. */
    liveHeap: async () => {
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return (await call("Runtime.getHeapUsage")).usedSize;
    },
    close: () => ws.close(),
  };
}

const [INSPECTOR_PORT, SAMPLE_MS, LIVE_EVERY] = [await h.freePort(), 10, h.size(25_000, 100)];
const meta = h.readMeta();
const headers = h.bigJobHeaders(meta);
const exportPath = (q: string) => `/v1/cron-jobs/${meta.bigJob.accountId}/logs/${meta.bigJob.id}/export?${q}`;
const since = (days: number) => `&start_date=${new Date(meta.seededAt - days * h.DAY_MS).toISOString().slice(0, 10)}`;
const body = async (dev: DevServer, q: string) =>
  ((await fetch(dev.base + exportPath(q), { headers })).body as ReadableStream<Uint8Array>).getReader();

/** One export read to the end, sampled meanwhile; NDJSON with `check`: every id once, executed_at never back. */
async function exportOnce(dev: DevServer, ins: Inspector, label: string, q: string, check = false) {
  const [base, rssBase, loadavg] = [await ins.liveHeap(), h.groupRssKb(dev.pgid, "workerd"), h.loadavg1()];
  const samples: Array<{ t: number; heap: number }> = [];
  let [rssPeak, sampling, t0] = [rssBase, true, h.now()];
  const sampler = (async () => {
    for (; sampling; await h.sleep(SAMPLE_MS)) {
      samples.push({ t: h.now() - t0, heap: await ins.heap() });
      rssPeak = Math.max(rssPeak, h.groupRssKb(dev.pgid, "workerd"));
    }
  })();
  t0 = h.now();
  const reader = await body(dev, q);
  const [ids, decoder] = [new Set<string>(), new TextDecoder()];
  let [firstByte, bytes, lines, carry, lastAt, oldestFirst] = [0, 0, 0, "", "", true];
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    firstByte ||= h.now() - t0;
    bytes += r.value.byteLength;
    for (const b of r.value) if (b === 10) lines++;
    if (!check) continue;
    const parts = (carry + decoder.decode(r.value, { stream: true })).split("\n");
    carry = parts.pop() ?? "";
    for (const log of parts.map((p) => JSON.parse(p) as { id: string; executed_at: string })) {
      ids.add(log.id);
      oldestFirst &&= log.executed_at >= lastAt;
      lastAt = log.executed_at;
    }
  }
  const ms = h.now() - t0;
  sampling = false;
  await sampler;
  const peak = Math.max(...samples.map((s) => s.heap));
  const inQuarter = (q: number) => samples.filter((s) => Math.floor((4 * s.t) / (ms + 1)) === q).map((s) => s.heap);
  const quarters = [0, 1, 2, 3].map((q) => Math.max(0, ...inQuarter(q)));
  const rows = q.includes("csv") ? lines - 1 : lines; // CSV: a header line first
  console.log(`  ${label}: ${rows} rows in ${Math.round(ms)} ms`);
  const rss = (kb: number) => h.round(kb / 1024, 1);
  return {
    Export: label,
    rows,
    MB: h.mb(bytes),
    "first byte ms": h.round(firstByte, 1),
    "total ms": Math.round(ms),
    "rows/s": Math.round(rows / (ms / 1000)),
    "MB/s": h.round(h.mb(bytes) / (ms / 1000), 1),
    "heap baseline → peak (growth)": `${h.mb(base)} → ${h.mb(peak)} (+${h.mb(peak - base)})`,
    "heap peak by quarter": quarters.map(h.mb).join(" / "),
    "workerd RSS baseline → peak (growth)": `${rss(rssBase)} → ${rss(rssPeak)} (+${rss(rssPeak - rssBase)})`,
    samples: samples.length,
    "load avg": loadavg,
    ...(check ? { "distinct ids": ids.size, "oldest first": oldestFirst } : {}),
    growth: h.mb(peak - base),
  };
}

const bundle = h.ensureBundle();
const config = h.benchWranglerConfig({ limiter: "raised" });
const dev = { config: config.path, extraArgs: ["--inspector-port", String(INSPECTOR_PORT)] };
const { runs, live } = await withDev(dev, async (dev) => {
  const ins = await connectInspector(INSPECTOR_PORT);
  await (await fetch(dev.base + exportPath(since(0)), { headers })).text(); // warm-up: the first request builds the modules
  const runs = [];
  for (const days of [4, 9, 18])
    runs.push(await exportOnce(dev, ins, `last ${days} days, NDJSON`, `format=ndjson${since(days)}`));
  runs.push(await exportOnce(dev, ins, "whole history, NDJSON", "format=ndjson", true));
  for (const n of [2, 3]) runs.push(await exportOnce(dev, ins, `whole history (#${n}), NDJSON`, "format=ndjson"));
  runs.push(await exportOnce(dev, ins, "whole history, CSV", "format=csv"));
  // The whole history in steps of LIVE_EVERY rows: at each pause the stream fills its queue and stops pulling.
  const live = [{ rows: 0, live_heap_mb: h.mb(await ins.liveHeap()) }];
  const reader = await body(dev, "format=ndjson");
  let rows = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const before = rows;
    for (const b of r.value) if (b === 10) rows++;
    if (Math.floor(rows / LIVE_EVERY) === Math.floor(before / LIVE_EVERY)) continue;
    await h.sleep(100);
    live.push({ rows, live_heap_mb: h.mb(await ins.liveHeap()) });
  }
  live.push({ rows: -1, live_heap_mb: h.mb(await ins.liveHeap()) }); // after the end
  ins.close();
  return { runs, live };
});
const [small, whole] = [runs[0], runs[3]] as [(typeof runs)[number], (typeof runs)[number]];
const complete = whole.rows === meta.bigJob.logs && whole["distinct ids"] === whole.rows && whole["oldest first"];
const checked = {
  "whole history NDJSON: rows, distinct ids": `${whole.rows}, ${whole["distinct ids"]}`,
  "every row once, oldest first": complete,
  "heap growth, whole ÷ smallest export": h.round(whole.growth / Math.max(0.1, small.growth), 2),
  "rows, whole ÷ smallest export": h.round(whole.rows / Math.max(1, small.rows), 1),
};
const liveRows = live.map((p) => ({
  "rows sent": p.rows < 0 ? "after the end" : p.rows,
  "live heap MB": p.live_heap_mb,
}));
h.writeResult("export", { bundle, sample_ms: SAMPLE_MS, runs, live_heap: live, checked }, [
  h.records(
    `Export of the ${meta.bigJob.logs}-log job; memory in MB`,
    runs.map(({ growth: _, ...r }) => r),
  ),
  h.records(`Live heap (after a full GC) of the whole history, paused every ${LIVE_EVERY} rows`, liveRows),
  h.figures("Whole history checked", checked),
]);
