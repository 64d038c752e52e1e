// Heartbeat monitors through `wrangler dev`: a ping's CPU ÷ `GET …/details/{id}`'s (paired rounds), then one tick's
// check of 100,000 monitors on SHARD_0, 1 % overdue.   npx tsx bench/monitors.ts [--smoke]   (after the seed)
import type { CheckReport } from "../src/monitors/check-report";
import * as h from "./lib/harness";
import { events, fireCron, withDev } from "./lib/wrangler-dev";

const [bundle, DOWN] = [h.ensureBundle(), "SELECT count(*) AS n FROM monitors WHERE state = 'down'"];
const [MONITORS, ROUNDS, PER_ROUND] = h.size([100_000, 11, 25], [1_000, 1, 3]); // 275 details < the account's 300/min
const [meta, t, HOUR, db] = [h.readMeta(), Date.now(), 3_600_000, h.openDb(h.d1File())];
const acct = meta.accounts.find((a) => a.account_id === meta.bigJob.accountId) as h.BenchAccount;
const others = meta.accounts.filter((a) => a !== acct); // the API's MAX_MONITORS counts the pinging account's
db.exec("DELETE FROM monitor_pings; DELETE FROM monitors; BEGIN");
const insert = db.prepare(`INSERT INTO monitors (id, account_id, name, slug, period_seconds, grace_seconds,
  alert_policy, state, last_ping_at, next_expected_at, down_at, created_at, updated_at) VALUES (?1, ?2, 'M ' || ?3,
  'm-' || ?3, 3600, 600, ?4, 'up', ?5, ?5 + 3600000, ?5 + 4200000, ?6, ?6)`);
const policy = JSON.stringify({ channels: [{ type: "webhook", url: "http://127.0.0.1:9/down" }], on_recovery: true });
for (let i = 0; i < MONITORS; i++) {
  const last = i % 100 === 0 ? t - 2 * HOUR : t - (i % HOUR); // 1 %: down_at (last + 70 min) has passed
  insert.run(crypto.randomUUID(), (others[i % others.length] as h.BenchAccount).account_id, i, policy, last, t);
}
db.exec("COMMIT");
const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM monitors WHERE down_at IS NOT NULL AND down_at <= ?");
const indexed = (plan.all(t) as Array<{ detail: string }>).map((r) => r.detail).join("; ");
const r = await withDev({ config: h.benchWranglerConfig({ limiter: "raised" }).path }, async (dev) => {
  const json = { ...h.keyHeaders(acct), "content-type": "application/json" };
  const call = async (path: string, headers: Record<string, string> = json, init: RequestInit = {}) => {
    const res = await fetch(dev.base + path, { ...init, headers });
    return res.ok ? res.text() : Promise.reject(new Error(`${path}: ${res.status} ${await res.text()}`));
  };
  const own = `/v1/cron-jobs/${acct.account_id}`;
  const made = JSON.parse(await call(`${own}/monitors`, json, { method: "POST", body: '{"name":"Bench ping"}' }));
  const paths = { ping: new URL(made.data.ping_url).pathname, details: `${own}/details/${meta.bigJob.id}` };
  const cpu = await h.pairedRounds(["ping", "details"] as const, ROUNDS, async (v) => {
    const c0 = h.groupCpuMs(dev.pgid);
    for (let i = 0; i < PER_ROUND; i++) await call(paths[v], v === "ping" ? {} : undefined);
    return (h.groupCpuMs(dev.pgid) - c0) / PER_ROUND;
  });
  const [from, load] = [dev.lines.length, h.loadavg1()];
  await fireCron(dev, "* * * * *");
  await dev.waitForLine((l) => l.includes('"event":"monitor_check"'), 120_000, from);
  const c = events<CheckReport>(dev, "monitor_check", from)[0] as CheckReport;
  return {
    "ping ÷ details CPU, median of paired rounds": h.pairedRatio(cpu.ping, cpu.details),
    "CPU ms per request by round: ping | details": `${cpu.ping.map((x) => h.round(x, 1)).join(", ")} | ${cpu.details.map((x) => h.round(x, 1)).join(", ")}`,
    "monitors / overdue / due / flipped / alerts / down after": `${MONITORS} / ${MONITORS / 100} / ${c.due} / ${c.flipped} / ${c.alerts} / ${h.scalar(h.d1File(), DOWN)}`,
    "check: pages (1 SELECT each) / D1 queries / ms / complete": `${c.pages} / ${c.queries} / ${c.duration_ms} / ${c.complete}`,
    "first page's plan (SQLite); load avg before the tick": `${indexed}; ${load}`,
  };
});
h.writeResult("monitors", { machine: h.machine(), bundle, figures: r }, [h.figures("Monitors", r)]);
