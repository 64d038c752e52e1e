/**
 * The README's SDK examples, compiled by `npm run typecheck` (never run): request types must accept what the
 * README shows — a `cron` schedule, a partial retry_config update, `failure_url: null`.
 */
import { EdgecronClient } from "../src/index.js";
import { verifyCallbackSignature } from "../src/signatures.js";

export async function readmeExamples(save: (logs: unknown[]) => void) {
  const edgecron = new EdgecronClient({
    baseUrl: "http://localhost:8787",
    accountId: "00000000-0000-4000-8000-00000000de00",
    apiKey: "ek_demo_local_only",
    apiSecret: "es_demo_local_only_do_not_use_in_production",
  });
  const job = await edgecron.createJob({
    name: "Daily Report",
    endpoint_url: "https://api.example.com/report",
    method: "POST",
    timezone: "America/New_York",
    schedule_config: { repeat_type: "days", repeat_every: 1, time: "09:00" },
    retry_config: { max_retries: 2 },
    callbacks: { failure_url: "https://api.example.com/alerts/cron-failed" },
  });
  await edgecron.createJob({
    name: "Every quarter hour",
    endpoint_url: "https://api.example.com/x",
    method: "GET",
    timezone: "UTC",
    schedule_config: { cron: "*/15 9-17 * * 1-5" },
  });
  await edgecron.createJob({
    name: "Mondays and Wednesdays",
    endpoint_url: "https://api.example.com/x",
    method: "GET",
    timezone: "Europe/Paris",
    schedule_config: { repeat_type: "weeks", days_of_week: [1, 3], time: "08:30" },
  });
  await edgecron.updateJob(job.id, { retry_config: { timeout_seconds: 20 }, callbacks: { failure_url: null } });
  const copy = await edgecron.cloneJob(job.id, { name: "Daily Report (EU)" });
  save([copy.headers]);
  const run = await edgecron.runJob(job.id);
  const status: "success" | "failure" | "error" | "timeout" | "pending" = run.status;
  for await (const j of edgecron.jobs({ tags: "reports" })) j.name.toUpperCase();
  for await (const log of edgecron.logs({ jobId: job.id, status: "failure", start_date: "2026-11-01" })) {
    log.response_code?.toFixed();
  }
  for await (const page of edgecron.logPages({ tags: "reports", limit: 100 })) save(page.data);
  const first = await edgecron.logsPage({ jobId: job.id, limit: 20 }); // one page (with totals)
  save([first.pagination.total_items, first.pagination.total_pages]);
  const slow = await edgecron.logsPage({ jobId: job.id, response_code: "5xx", min_response_time_ms: 500 });
  save([slow.pagination.total_items]);
  const found = await edgecron.logsPage({ jobId: job.id, q: "timeout" });
  const exposition: string = await edgecron.metrics({ format: "prometheus" });
  save([slow.data, found.scan?.complete, found.scan?.scanned, exposition.length]);
  const exp = await edgecron.exportLogs({ jobId: job.id, format: "csv", start_date: "2026-11-01" });
  exp.body.getReader();
  for await (const r of edgecron.runs(job.id, { state: "skipped", start_date: "2026-11-01" })) {
    if (r.kind === "span") save([r.count, r.first_slot, r.last_slot]);
    else save([r.slot, r.state, r.reason, r.execution_id]);
  }
  const dead: string[] = [];
  for await (const d of edgecron.deadLetters()) dead.push(d.execution_id);
  const again = await edgecron.replay(dead[0] ?? "", { idempotencyKey: `replay-${dead[0]}` });
  const queued = await edgecron.replayMany(dead.slice(0, 100));
  save([again.status, queued.map((q) => q.status)]);
  for await (const d of edgecron.deliveries({ cron_job_id: job.id, kind: "callback", state: "failed" })) {
    await edgecron.redeliver(d.id);
  }
  const icsText = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
  const holidays = await edgecron.calendars.create({ name: "Holidays", timezone: "Europe/Berlin", ics: icsText });
  await edgecron.calendars.importIcs(holidays.id, icsText, { replace: true });
  for await (const c of edgecron.calendars.list()) save([c.name, c.dates.length]);
  await edgecron.maintenanceWindows.create({
    recurrence: { cron: "0 2 * * 0", duration_minutes: 120 },
    timezone: "Europe/Paris",
    action: "skip",
    tags: ["db"],
  });
  const { data } = await edgecron.raw.GET("/v1/cron-jobs/{accountId}/keys", {
    params: { path: { accountId: edgecron.accountId } },
  });
  const result = await verifyCallbackSignature(new Uint8Array(), { header: null, secret: "s" });
  return { status, data, ok: result.ok };
}
