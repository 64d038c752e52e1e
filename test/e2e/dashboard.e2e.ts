/**
 * End-to-end test of the dashboard in headless Chromium (`npm run test:e2e`; Node, not workerd).
 *
 * Migrates and seeds the local D1 (the same demo account as `npm start`), adds one execution whose
 * response body is an HTML/script injection probe, runs `wrangler dev` on a free port (its [build] step bundles
 * the dashboard), and drives Debian's Chromium through playwright-core with every non-loopback request blocked:
 * sign in, jobs list, a job page, filters, pagination; create a job through the form (a bad field shows its
 * error), run now, see the log, edit, pause, resume, clone (on the server), delete; write-only secrets (a secret
 * header, query parameter, body and alert channel show as "secret · set", never as text; a name-only edit keeps
 * them, Replace sets a new value, a clone carries them); alert channels, policy, success rules and retry-on
 * settings from the form, kept by a clone; account logs, a response-class filter, CSV/NDJSON export; create
 * and revoke a key; rotate the signing secret; the timezone choice; a 390 px phone viewport with no horizontal
 * overflow; job states (a job disabled by its alert policy shows why and since when, and is re-enabled in one
 * click; a run with retries pending says "retrying"; a cron is described in words), a job's alert deliveries,
 * alert recipients added and removed; dead letters (seeded) listed with their reasons and replayed one by one and
 * in bulk, a missed span in a job's history after a late tick, a callback redelivered, and no Replay or Redeliver
 * for a read-only key; several schedules from the form's rows, Pause until a date with a reason, the SLO panel;
 * calendars and maintenance windows (a calendar a job excludes cannot be deleted);
 * /docs renders offline and cannot read the dashboard's sessionStorage; sign-out.
 * Screenshots go to test-artifacts/. wrangler is stopped and the probe and dead-letter rows deleted at the end,
 * also on failure. The last line is "N passed, N failed".
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { executeStatements, offlineEnv } from "../../scripts/lib/d1";
import { fireScheduled } from "../../scripts/lib/dev-server";
import { shardDatabase } from "../../scripts/lib/shards";
import { seed } from "../../scripts/seed";
import { newKey, revokeKeyStatement } from "../../src/accounts/provision";
import { logKeyOf } from "../../src/logs/log-key";
import { type DeadReason, deadLetter } from "./seed-runs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = "test-artifacts";
const JOB_ID = "00000000-0000-4000-8000-0000000a0002"; // Hourly Inventory Sync: plenty of history
const JOB_NAME = "Hourly Inventory Sync";
// An execution id (exe_ + 26 Crockford characters), as every stored log has (src/logs/log-key.ts).
const PROBE_ID = "exe_0000000000E2EPR0BE00000000";
const PROBE_BODY = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script></pre></details><b id="injected">x</b>`;
/** The probe log's response headers: the dashboard lists them, a value shown as text even if it looks like HTML. */
const PROBE_HEADERS = { "content-type": "text/html", "x-request-id": '<b id="hdr">req_probe</b>' };
const PROBE_ERROR = `Endpoint returned status code 500 <svg onload="window.__xss=3">`;
const TIMEOUT = 15_000;
const DEMO_ACCOUNT_ID = "00000000-0000-4000-8000-00000000de00";
/** Two dead letters of the demo job, written before wrangler starts (test/e2e/seed-runs.ts) and removed at the end. */
const DEAD = (["undelivered", "outcome_unknown"] as DeadReason[]).map((reason, i) =>
  deadLetter({
    accountId: DEMO_ACCOUNT_ID,
    jobId: JOB_ID,
    slot: Math.floor(Date.now() / 60_000) * 60_000 - (40 - 10 * i) * 60_000,
    reason,
    nonce: `e2e-dead-${i}`,
  }),
);
/** The secrets phase's values: none may ever appear in the page, only "secret · set" badges and tokens. */
const SECRETS = {
  bearer: "Bearer e2e-bearer-one",
  bearer2: "Bearer e2e-bearer-two",
  tenant: "e2e-tenant-secret",
  query: "e2eq-secret",
  body: '{"password":"e2e-body-secret"}',
  slack: "https://hooks.slack.com/services/T0/B0/e2eslacksecret",
  slack2: "https://hooks.slack.com/services/T0/B0/e2eslacksecret2",
};
/** The monitor form's Slack channel: stored, never called (the monitor never goes down here). */
const MONITOR_SLACK = "https://hooks.slack.com/services/T0/B0/e2emonitorsecret";
const PLAIN_PARTS = ["e2e-bearer", "e2e-tenant-secret", "e2eq-secret", "e2e-body-secret", "e2eslacksecret"];
const TOKEN = /^\[redacted:[0-9a-f]{8}\]$/;
const TOKEN_ANYWHERE = /\[redacted:[0-9a-f]{8}\]/;

const results: Array<{ name: string; ok: boolean }> = [];
/** The browser page, once there is one: a failing step saves a screenshot of it. */
let failurePage: Page | undefined;

async function step(name: string, fn: () => Promise<void>) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    // The page as the failure left it, for the CI artifacts.
    await failurePage
      ?.screenshot({ path: join(ARTIFACTS, `failed-${results.length}.png`), fullPage: true })
      .catch(() => {});
    console.log(
      `  ✗ ${name}\n      ${String(e instanceof Error ? (e.stack ?? e.message) : e).replace(/\n/g, "\n      ")}`,
    );
  }
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

async function freePort(preferred: number): Promise<number> {
  if (await portFree(preferred)) return preferred;
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function probeStatements(now: number) {
  return [
    {
      sql: `INSERT INTO execution_logs (id, cron_job_id, account_id, executed_at, status, response_code, response_body,
              error_message, response_time_ms, retry_attempt, response_headers)
            VALUES (?, ?, ?, ?, 'failure', 500, ?, ?, 321, 0, ?)`,
      params: [
        PROBE_ID,
        JOB_ID,
        "00000000-0000-4000-8000-00000000de00",
        now - 5 * 60_000,
        PROBE_BODY,
        PROBE_ERROR,
        JSON.stringify(PROBE_HEADERS),
      ],
    },
  ];
}

/** The demo account's shard (scripts/seed.ts reports where the directory placed it): the probe log lives there. */
let demoShard = shardDatabase(0);

function deleteProbe() {
  // Logs are deleted only by the sweep, which keeps log_hours in step and removes the text; this probe does the same.
  const key = logKeyOf(PROBE_ID);
  if (!key) throw new Error("PROBE_ID must be an execution id");
  const params = [key.slot, key.hi, key.lo];
  executeStatements(
    { remote: false },
    [
      {
        sql: `UPDATE log_hours SET n = n - 1 WHERE (job, status, hour) IN
              (SELECT job, status, executed_at / 3600000 FROM logs WHERE slot = ? AND id_hi = ? AND id_lo = ? AND body IS NOT NULL)`,
        params,
      },
      {
        sql: "DELETE FROM log_bodies WHERE id = (SELECT body FROM logs WHERE slot = ? AND id_hi = ? AND id_lo = ?)",
        params,
      },
      { sql: "DELETE FROM logs WHERE slot = ? AND id_hi = ? AND id_lo = ?", params },
    ],
    demoShard,
  );
}

/**
 * wrangler.toml with the request budgets raised tenfold: the scripted walk sends a human's hour of clicks in
 * minutes and would spend the account's 300/min; the limiter has its own Worker tests (test/http/rate-limit.test.ts).
 */
const E2E_CONFIG = ".wrangler-e2e.toml";
function writeE2eConfig(): string {
  let budgets = 0;
  const toml = readFileSync("wrangler.toml", "utf8").replace(
    /(\[\[ratelimits\]\]\s*\nname = "RATE_LIMITER(?:_ACCOUNT)?"\s*\nnamespace_id = "\d+"\s*\nsimple = \{ limit = )(\d+)/g,
    (_m, head: string, limit: string) => {
      budgets++;
      return `${head}${Number(limit) * 10}`;
    },
  );
  if (budgets !== 2) throw new Error(`expected 2 request budgets in wrangler.toml, found ${budgets}`);
  writeFileSync(E2E_CONFIG, toml);
  return E2E_CONFIG;
}

function startWrangler(port: number, inspectorPort: number): ChildProcess {
  const log = createWriteStream(join(ARTIFACTS, "wrangler-e2e.log"));
  const configPath = writeE2eConfig();
  const child = spawn(
    "npx",
    [
      "--no-install",
      "wrangler",
      "dev",
      "--config",
      configPath,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--show-interactive-dev-session=false",
      "--var",
      "ALLOW_PRIVATE_TARGETS:true",
      "--var",
      "EXECUTOR:mock",
      "--var",
      "CALLBACKS:record",
    ],
    { env: { ...offlineEnv, CI: "true" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function stopWrangler(child: ChildProcess | undefined) {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), sig); // its own process group: wrangler and workerd
    } catch {}
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealth(base: string, child: ChildProcess) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`wrangler dev exited (${child.exitCode}); see ${ARTIFACTS}/wrangler-e2e.log`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("wrangler dev did not answer /health within 120 s");
}

async function rowStatuses(page: Page) {
  return page.$$eval("#logs-table tbody tr", (rows) =>
    rows.map((r) => ({
      status: r.getAttribute("data-status"),
      badge: r.querySelector(".badge")?.textContent ?? null,
      time: r.querySelector("time")?.getAttribute("datetime") ?? null,
    })),
  );
}

async function waitForLogs(page: Page) {
  await page.waitForFunction(
    () => {
      const t = document.querySelector("#logs-table");
      const s = document.querySelector("#logs-summary")?.textContent ?? "";
      return t && !t.hasAttribute("aria-busy") && s !== "" && s !== "Loading…";
    },
    undefined,
    { timeout: TIMEOUT },
  );
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

/** Whether the page can be scrolled sideways (the phone check). */
const overflowX = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * Fails if a secret value is anywhere in the view (markup, text or an input's value), or a redaction token is
 * shown outside the URL inputs that must send it back (`tokenInputs`).
 */
async function assertNoSecretShown(page: Page, where: string, tokenInputs: string[] = []) {
  const seen = await page.evaluate(() => ({
    html: document.getElementById("main")?.outerHTML ?? "",
    values: [...document.querySelectorAll("input, textarea")].map((el) => [
      el.id,
      (el as HTMLInputElement | HTMLTextAreaElement).value,
    ]),
  }));
  for (const part of PLAIN_PARTS) {
    assert(!seen.html.includes(part), `${where}: "${part}" in the page`);
    for (const [id, value] of seen.values) assert(!value?.includes(part), `${where}: "${part}" in #${id}`);
  }
  assert(!TOKEN_ANYWHERE.test(seen.html), `${where}: a token is shown as text`);
  for (const [id, value] of seen.values) {
    if (TOKEN_ANYWHERE.test(value ?? "")) assert(tokenInputs.includes(id ?? ""), `${where}: a token in #${id}`);
  }
}

/** Signs out (if signed in) and in again with another key of the demo account. */
async function switchKey(page: Page, accountId: string, key: Creds) {
  if (await page.locator("#signout").isVisible()) await page.getByRole("button", { name: "Sign out" }).click();
  await page.locator("#signin").waitFor({ state: "visible" });
  await page.getByLabel("Account ID").fill(accountId);
  await page.getByLabel("API key").fill(key.api_key);
  await page.getByLabel("API secret").fill(key.api_secret);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#session").waitFor({ state: "visible" });
}

async function run(
  demo: { account_id: string; api_key: string; api_secret: string },
  base: string,
  [jobsKey, settingsKey, secretsKey, alertsKey, runsKey, readOnlyKey, schedulesKey, calendarsKey]: Creds[],
) {
  if (
    !jobsKey ||
    !settingsKey ||
    !secretsKey ||
    !alertsKey ||
    !runsKey ||
    !readOnlyKey ||
    !schedulesKey ||
    !calendarsKey
  ) {
    throw new Error("phase keys missing");
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "edgecron-e2e-chromium-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
      // A browser away from UTC, so the timezone choice is visible.
      timezoneId: "America/New_York",
      locale: "en-GB",
      acceptDownloads: true,
    });
    context.setDefaultTimeout(TIMEOUT);
    // Offline: every request that is not to this loopback server is blocked (and counted).
    const blocked: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (["data:", "blob:"].includes(url.protocol) || url.hostname === "127.0.0.1") return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    failurePage = page;
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    const requests: Array<{ url: string; headers: Record<string, string> }> = [];
    page.on("pageerror", (e) => pageErrors.push(`${String(e)} @ ${page.url()}`));
    page.on("console", (m) => {
      if (m.type() !== "error" || !page.url().includes("/dashboard")) return;
      // Expected: the 401 of the wrong-credentials step, the 400 of the bad form field, a missing stats route.
      if (m.text().startsWith("Failed to load resource") && m.location().url.includes("/v1/")) return;
      consoleErrors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers() }));
    page.on("dialog", (d) => void d.accept());

    await step("GET /dashboard shows the sign-in form", async () => {
      const res = await page.goto(`${base}/dashboard`);
      assert(res?.status() === 200, `status ${res?.status()}`);
      await page.locator("#signin").waitFor({ state: "visible" });
      assert(await page.getByLabel("API secret").isVisible(), "no labelled secret field");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-signin.png") });
      assert(
        (await page.getByLabel("API secret").getAttribute("type")) === "password",
        "secret field is not a password field",
      );
    });

    await step("wrong credentials are refused and not stored", async () => {
      await page.getByLabel("Account ID").fill(demo.account_id);
      await page.getByLabel("API key").fill(demo.api_key);
      await page.getByLabel("API secret").fill("es_wrong");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("#signin-error", { hasText: "Sign-in failed" }).waitFor();
      assert((await page.evaluate(() => sessionStorage.length)) === 0, "sessionStorage is not empty");
    });

    await step("signs in with the demo account; credentials only in sessionStorage", async () => {
      await page.getByLabel("API secret").fill(demo.api_secret);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("#jobs-table tbody tr[data-job-id]").first().waitFor();
      const stored = await page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
      assert(stored.includes(demo.api_secret), "credentials not in sessionStorage");
      assert((await page.evaluate(() => localStorage.length)) === 0, "localStorage used");
      assert((await context?.cookies())?.length === 0, "a cookie was set");
      assert((await page.locator("#session-account").textContent()) === demo.account_id, "account not shown");
    });

    await step("jobs table: labelled columns (times in UTC), 24-hour strips", async () => {
      const rows = page.locator("#jobs-table tbody tr[data-job-id]");
      assert((await rows.count()) >= 3, `expected the 3 demo jobs, got ${await rows.count()}`);
      await page.waitForFunction(() => document.querySelectorAll("#jobs-table svg.strip").length >= 3, undefined, {
        timeout: TIMEOUT,
      });
      const headers = await page.$$eval("#jobs-table thead th", (ths) => ths.map((t) => t.textContent));
      assert(
        JSON.stringify(headers) ===
          JSON.stringify(["Name", "Schedule", "Next run (UTC)", "Last status", "State", "Last 24 hours"]),
        `headers ${JSON.stringify(headers)}`,
      );
      const row = rows.filter({ hasText: JOB_NAME });
      assert((await row.locator("text=Every hour at :15").count()) === 1, "schedule not described");
      assert((await row.locator(".badge.active").count()) === 1, "active badge missing");
      assert(((await row.locator("time").first().textContent()) ?? "").includes("UTC"), "next run not labelled UTC");
      await shot(page, "dashboard-jobs.png");
    });

    await step(
      "refresh is cheap: one /list request (strips are cached); auto-refresh shows its countdown",
      async () => {
        const before = requests.length;
        await Promise.all([
          page.waitForResponse((r) => r.url().includes("/list?")),
          page.getByRole("button", { name: "Refresh" }).click(),
        ]);
        await page.waitForTimeout(500);
        const api = requests.slice(before).filter((r) => r.url.includes("/v1/"));
        assert(api.length === 1 && api[0]?.url.includes("/list?"), `refresh made ${api.map((r) => r.url).join(", ")}`);
        await page.locator("#auto-refresh").check();
        await page.locator("#auto-refresh-note", { hasText: /^in \d+ s$/ }).waitFor();
        await page.locator("#auto-refresh").uncheck();
      },
    );

    await step("one timezone choice: the browser's zone relabels every time", async () => {
      await page.locator("#zone-select").selectOption("local");
      await page.locator("#jobs-table thead th", { hasText: "Next run (America/New_York)" }).waitFor();
      await page.locator("#jobs-table tbody tr[data-job-id] time").first().waitFor();
      const t = (await page.locator("#jobs-table tbody tr[data-job-id] time").first().textContent()) ?? "";
      assert(/GMT-5|EST|GMT-4|EDT/.test(t), `time not in New York: ${t}`);
      await page.locator("#zone-select").selectOption("utc");
      await page.locator("#jobs-table thead th", { hasText: "Next run (UTC)" }).waitFor();
    });

    await step("opens a job: header, labelled totals, timeline, charts, log", async () => {
      await page.getByRole("link", { name: JOB_NAME }).click();
      await page.locator("#job-title", { hasText: JOB_NAME }).waitFor();
      assert(page.url().endsWith(`/dashboard#/jobs/${JOB_ID}`), `url ${page.url()}`);
      await page.locator("#timeline svg.timeline rect").first().waitFor();
      assert((await page.locator("#timeline svg.timeline rect").count()) === 100, "timeline is not 100 bars");
      await page.locator("#chart-success svg circle").first().waitFor();
      const summary = (await page.locator("#stats-summary").textContent()) ?? "";
      assert(/Success rate, last 30 days\d+\.\d %/.test(summary), `summary ${summary}`);
      assert(summary.includes("Executions in the last 30 days"), `summary ${summary}`);
      const facts = (await page.locator("#job-header dl").textContent()) ?? "";
      assert(facts.includes("Executions since created"), `totals not labelled: ${facts}`);
      await waitForLogs(page);
      assert((await page.locator("#logs-table tbody tr[data-status]").count()) === 25, "log page is not 25 rows");
      assert(
        ((await page.locator("#logs-summary").textContent()) ?? "").includes("kept 30 days"),
        "log total unlabelled",
      );
    });

    await step("filters the log to failures: only failure rows", async () => {
      await page.getByLabel("Status", { exact: true }).selectOption("failure");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForFunction(() => location.hash.includes("status=failure"), undefined, { timeout: TIMEOUT });
      await page.locator("#logs-summary", { hasText: "(status failure)" }).waitFor();
      await waitForLogs(page);
      const rows = await rowStatuses(page);
      assert(rows.length > 0, "no failure rows");
      const others = rows.filter((r) => r.status !== "failure" || r.badge !== "failure");
      assert(others.length === 0, `non-failure rows: ${JSON.stringify(others)}`);
    });

    await step("response bodies and errors are shown as text, never parsed as HTML", async () => {
      const probeRow = page.locator("#logs-table tbody tr", { hasText: "window.__xss=3" });
      await probeRow.waitFor();
      await probeRow.locator("details:not(.response-headers) summary").click();
      const pre = (await probeRow.locator("details:not(.response-headers) pre").textContent()) ?? "";
      assert(pre === PROBE_BODY, `body shown as ${JSON.stringify(pre)}`);
      const injected = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: number }).__xss ?? null,
        img: document.querySelectorAll("#logs-table img, #logs-table script, #logs-table b, #logs-table svg").length,
        byId: document.getElementById("injected") !== null,
      }));
      assert(injected.xss === null && injected.img === 0 && !injected.byId, `injected: ${JSON.stringify(injected)}`);
      await shot(page, "dashboard.png");
    });

    await step("a log's response headers are shown, as text", async () => {
      const probeRow = page.locator("#logs-table tbody tr", { hasText: "window.__xss=3" });
      const headers = probeRow.locator("details.response-headers");
      const summary = (await headers.locator("summary").textContent()) ?? "";
      assert(summary === "Response headers (2)", `headers summary ${JSON.stringify(summary)}`);
      await headers.locator("summary").click();
      const pairs = await headers
        .locator("dl.headers")
        .evaluate((dl) =>
          [...dl.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
        );
      assert(
        JSON.stringify(pairs) === JSON.stringify(Object.entries(PROBE_HEADERS)),
        `headers shown as ${JSON.stringify(pairs)}`,
      );
      assert((await page.locator("#logs-table #hdr").count()) === 0, "a header value was parsed as HTML");
    });

    await step("date range filter keeps the status filter and narrows by day (UTC)", async () => {
      const today = new Date().toISOString().slice(0, 10);
      await page.getByLabel("From (date, UTC)").fill(today);
      await page.getByLabel("To (date, UTC)").fill(today);
      await page.getByRole("button", { name: "Apply" }).click();
      await page.locator("#logs-summary", { hasText: `${today} to ${today}` }).waitFor();
      await waitForLogs(page);
      const rows = await rowStatuses(page);
      assert(rows.length > 0, "no rows today (the probe row is today's)");
      const off = rows.filter((r) => r.status !== "failure" || !r.time?.startsWith(today));
      assert(off.length === 0, `rows outside the filter: ${JSON.stringify(off)}`);
    });

    await step("paginates the unfiltered log", async () => {
      await page.getByRole("button", { name: "Reset" }).click();
      await page.locator("#logs-page", { hasText: /^Page 1 of \d+$/ }).waitFor();
      await waitForLogs(page);
      const firstTop = (await rowStatuses(page))[0]?.time;
      assert(await page.locator("#logs-prev").isDisabled(), "Newer enabled on page 1");
      await page.getByRole("button", { name: "Older →" }).click();
      await page.locator("#logs-page", { hasText: /^Page 2 of \d+$/ }).waitFor();
      await waitForLogs(page);
      const secondTop = (await rowStatuses(page))[0]?.time;
      assert(firstTop && secondTop && secondTop < firstTop, `page 2 not older: ${firstTop} → ${secondTop}`);
    });

    await step("signs in with a second key for the job walk-through", async () => {
      await page.goto(`${base}/dashboard#/`);
      await switchKey(page, demo.account_id, jobsKey);
    });

    const name = `E2E job ${Date.now()}`;
    let jobId = "";
    await step("creates a job through the form: a bad field shows its error, the preview lists runs", async () => {
      await page.goto(`${base}/dashboard#/`);
      await page.getByRole("link", { name: "New job" }).click();
      await page.locator("#job-form").waitFor();
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Endpoint URL").fill("https://example.com/e2e");
      await page.getByLabel("Timezone (IANA)").fill("Mars/Olympus");
      await page.locator("#preview-error").waitFor();
      await page.getByRole("button", { name: "Create job" }).click();
      const err = page.locator("#f-timezone-error");
      await err.filter({ hasText: "IANA" }).waitFor();
      assert((await page.locator("#f-timezone").getAttribute("aria-invalid")) === "true", "field not marked invalid");
      await shot(page, "dashboard-form-error.png");
      await page.getByLabel("Timezone (IANA)").fill("Europe/Berlin");
      await page.getByLabel("Kind").selectOption("repeat");
      await page.locator("#f-repeat").selectOption("weeks");
      await page.locator("#f-day-1").check();
      await page.locator("#f-day-3").check();
      await page.locator("#f-time").fill("07:30");
      await page.locator("#preview-runs li").nth(4).waitFor();
      const preview = (await page.locator("#schedule-preview").textContent()) ?? "";
      assert(preview.includes("30 7 * * 1,3"), `preview cron: ${preview}`);
      await page.getByLabel("Tags (comma-separated)").fill("e2e, nightly");
      await page.getByRole("button", { name: "Create job" }).click();
      await page.locator("#job-title", { hasText: name }).waitFor();
      jobId = decodeURIComponent(page.url().split("#/jobs/")[1] ?? "");
      assert(/^[0-9a-f-]{36}$/.test(jobId), `job id ${jobId}`);
      assert(((await page.locator("#flash").textContent()) ?? "").includes("Created"), "no confirmation");
    });

    await step("runs the job now, shows the result and the new log row", async () => {
      await page.getByRole("button", { name: "Run now" }).click();
      await page.locator("#run-status .badge").waitFor();
      await waitForLogs(page);
      await page.locator("#logs-table tbody tr[data-status]").first().waitFor();
      await shot(page, "dashboard-run-now.png");
    });

    await step("edits the job", async () => {
      await page.getByRole("link", { name: "Edit" }).click();
      await page.locator("#job-form").waitFor();
      assert((await page.getByLabel("Name", { exact: true }).inputValue()) === name, "form not prefilled");
      await page.getByLabel("Name", { exact: true }).fill(`${name} (edited)`);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.locator("#job-title", { hasText: `${name} (edited)` }).waitFor();
    });

    await step("pauses and resumes it", async () => {
      await page.getByRole("button", { name: "Pause", exact: true }).click();
      await page.getByRole("button", { name: "Pause job" }).click();
      await page.locator("#job-header .badge.paused").waitFor();
      assert((await page.locator("#job-paused-until").textContent()) === "until resumed by hand", "pause end");
      await page.getByRole("button", { name: "Resume" }).click();
      await page.locator("#job-header .badge.active").waitFor();
    });

    let cloneId = "";
    await step("clones it on the server (paused), then deletes the clone and the original", async () => {
      await page.getByRole("button", { name: "Clone" }).click();
      await page.locator("#job-form").waitFor();
      await page.waitForFunction(() => location.hash.endsWith("/edit"), undefined, { timeout: TIMEOUT });
      assert(
        (await page.getByLabel("Name", { exact: true }).inputValue()) === `${name} (edited) (copy)`,
        "clone not named",
      );
      assert((await page.locator("#f-day-3").isChecked()) === true, "clone lost the schedule");
      assert((await page.locator("#f-active").isChecked()) === false, "clone is not paused");
      assert(((await page.locator("#flash").textContent()) ?? "").includes("Cloned"), "no confirmation");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.locator("#job-title", { hasText: `${name} (edited) (copy)` }).waitFor();
      cloneId = decodeURIComponent(page.url().split("#/jobs/")[1] ?? "");
      assert(cloneId !== jobId, "clone has the original's id");
      for (const id of [cloneId, jobId]) {
        await page.goto(`${base}/dashboard#/jobs/${id}`);
        await page.locator("#job-title").waitFor();
        await page.getByRole("button", { name: "Delete" }).click();
        await page.locator("#jobs-table").waitFor();
        await page.locator("#flash", { hasText: "Deleted" }).waitFor();
      }
      await page.locator("#jobs-table tbody tr[data-job-id]").first().waitFor();
      assert((await page.locator(`#jobs-table tr[data-job-id="${jobId}"]`).count()) === 0, "deleted job listed");
    });

    await statesPhase(page, demo.account_id, alertsKey);
    await runsPhase(page, demo.account_id, runsKey, readOnlyKey);
    await monitorsPhase(page, demo.account_id, runsKey, readOnlyKey);

    await secretsPhase(page, demo.account_id, secretsKey);
    await alertsFormPhase(page, demo.account_id, secretsKey);
    await schedulesPhase(page, demo.account_id, schedulesKey);
    await calendarsPhase(page, demo.account_id, calendarsKey);

    await step("signs in with a fourth key for logs, keys, secret and the phone layout", async () => {
      await switchKey(page, demo.account_id, settingsKey);
    });

    await step("account-wide log with a job filter; CSV and NDJSON exports download", async () => {
      await page.getByRole("link", { name: "Logs", exact: true }).click();
      await page.locator("#filter-job").waitFor();
      await waitForLogs(page);
      await page.locator("#filter-job").selectOption(JOB_ID);
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForFunction(() => location.hash.includes("job="), undefined, { timeout: TIMEOUT });
      await waitForLogs(page);
      const names = await page.$$eval("#logs-table tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
      assert(names.length > 0 && names.every((n) => n === JOB_NAME), `other jobs listed: ${names.slice(0, 3)}`);
      for (const format of ["csv", "ndjson"] as const) {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.getByRole("button", { name: `Export ${format.toUpperCase()}` }).click(),
        ]);
        const file = join(ARTIFACTS, `export.${format}`);
        await download.saveAs(file);
        const text = readFileSync(file, "utf8");
        const first = text.split("\n")[0] ?? "";
        if (format === "csv") assert(/executed_at/.test(first), `CSV header: ${first}`);
        else assert(JSON.parse(first).cron_job_id === JOB_ID, `NDJSON line: ${first}`);
      }
      await shot(page, "dashboard-logs.png");
    });

    await step("account log filtered by response class 5xx: only 5xx rows, a smaller total", async () => {
      // The summary starts with the total, grouped in the browser's locale.
      const total = async () =>
        Number(((await page.locator("#logs-summary").textContent()) ?? "").split(" ")[0]?.replace(/\D/g, "") || "0");
      const before = await total();
      await page.getByLabel("Response code").fill("5xx");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.locator("#logs-summary", { hasText: "response code 5xx" }).waitFor();
      await waitForLogs(page);
      assert(new URLSearchParams(page.url().split("?")[1]).get("code") === "5xx", `hash: ${page.url()}`);
      const codes = await page.$$eval("#logs-table tbody tr td:nth-child(4)", (tds) => tds.map((t) => t.textContent));
      assert(codes.length > 0 && codes.every((c) => /^5\d\d$/.test(c ?? "")), `codes shown: ${codes.slice(0, 5)}`);
      const after = await total();
      assert(after > 0 && after < before, `total ${before} → ${after}`);
    });

    await step("job log text search: cursor pages without totals; a spent scan budget offers to continue", async () => {
      const search = async (job: string, text: string) => {
        await page.goto(`${base}/dashboard#/jobs/${job}`);
        await page.locator("#filter-q").waitFor();
        await page.getByLabel("Search text").fill(text);
        await page.getByRole("button", { name: "Apply" }).click();
        await page.waitForFunction((t) => location.hash.includes(`q=${t}`), text, { timeout: TIMEOUT });
        await page.locator("#logs-summary", { hasText: `contain “${text}”` }).waitFor();
      };
      await search(JOB_ID, "ok");
      assert((await page.locator("#logs-table tbody tr[data-status]").count()) > 0, "no match for ok");
      assert(((await page.locator("#logs-page").textContent()) ?? "") === "", "page numbers shown with q");
      assert(await page.locator("#logs-prev").isHidden(), "← Newer shown with q");
      // Uptime Ping has ≈ 5,000 logs: a search matching none spends the 2,000-log scan budget first.
      await search("00000000-0000-4000-8000-0000000a0003", "no-such-text");
      await page.locator("#logs-scan").waitFor();
      assert(/stopped at its budget/.test((await page.locator("#logs-scan").textContent()) ?? ""), "no scan note");
      await page.getByRole("button", { name: "Continue scanning" }).click();
      await page.waitForFunction(() => location.hash.includes("cursor="), undefined, { timeout: TIMEOUT });
      await page.locator("#logs-summary", { hasText: "contain “no-such-text”" }).waitFor();
    });

    let keyId = "";
    await step("creates a read-only key (secret shown once) and revokes it", async () => {
      await page.getByRole("link", { name: "API keys" }).click();
      await page.locator("#keys-table tbody tr").first().waitFor();
      await page.getByLabel("Name", { exact: true }).fill("e2e read-only");
      await page.getByLabel("Scope").selectOption("read_only");
      await page.getByRole("button", { name: "Create key" }).click();
      const secret = (await page.locator("#new-key-secret").textContent()) ?? "";
      keyId = (await page.locator("#new-key-id").textContent()) ?? "";
      assert(secret.startsWith("es_") && keyId.startsWith("ek_"), "no secret shown");
      const row = page.locator(`#keys-table tr[data-key-id="${keyId}"]`);
      await row.waitFor();
      assert(((await row.textContent()) ?? "").includes("Read-only"), "scope not shown");
      const ro = await page.evaluate(
        async ([acct, id, s]) =>
          (
            await fetch(`/v1/cron-jobs/${acct}/update/00000000-0000-4000-8000-0000000a0002`, {
              method: "PATCH",
              headers: { "X-API-Key": id as string, "X-API-Secret": s as string, "Content-Type": "application/json" },
              body: JSON.stringify({ is_active: false }),
            })
          ).status,
        [demo.account_id, keyId, secret],
      );
      assert(ro === 403, `read-only key could write: ${ro}`);
      await shot(page, "dashboard-keys.png");
      await row.getByRole("button", { name: "Revoke" }).click();
      await row.locator(".badge", { hasText: "revoked" }).waitFor();
    });

    await step("rotates the signing secret with a grace period", async () => {
      await page.getByRole("link", { name: "Signing secret" }).click();
      await page.locator("#secret-count").waitFor();
      await page.getByRole("button", { name: "Rotate secret" }).click();
      const secret = (await page.locator("#new-signing-secret").textContent()) ?? "";
      assert(secret.startsWith("whsec_"), "new secret not shown");
      // Earlier runs' rotations still sign during their grace: any count from 2 up.
      await page.locator("#secret-count", { hasText: /\b([2-9]|\d{2,}) secrets sign/ }).waitFor();
      await shot(page, "dashboard-signing-secret.png");
    });

    await step("390 px phone viewport: no horizontal overflow on any view", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [hash, ready] of [
        ["#/", "#jobs-table svg.strip"],
        [`#/jobs/${JOB_ID}`, "#logs-table tbody tr[data-status]"],
        ["#/jobs/new", "#preview-runs li"],
        ["#/logs", "#logs-table tbody tr[data-status]"],
        ["#/keys", "#keys-table tbody tr"],
        ["#/signing-secret", "#secret-count"],
        ["#/alert-recipients", "#recipients-table tbody tr"],
        ["#/dead-letters", "#dead-letters-table tbody tr"],
        ["#/deliveries", "#account-deliveries-table tbody tr"],
      ] as const) {
        await page.goto(`${base}/dashboard${hash}`);
        await page.locator(ready).first().waitFor();
        await page.waitForTimeout(300);
        const over = await overflowX(page);
        const slug = hash.replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "") || "jobs";
        await shot(page, `dashboard-390-${slug}.png`);
        assert(over <= 0, `${hash} overflows by ${over} px at 390 px`);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    await step("API calls carry the headers; no URL holds a credential; nothing left this origin", async () => {
      const origin = new URL(base).origin;
      const api = requests.filter((r) => r.url.includes("/v1/"));
      assert(api.length > 5, `only ${api.length} API requests`);
      for (const r of requests) {
        assert(
          r.url.startsWith(origin) || r.url.startsWith("data:") || r.url.startsWith("blob:"),
          `request to another origin: ${r.url}`,
        );
        for (const secret of [
          demo.api_key,
          demo.api_secret,
          jobsKey.api_key,
          jobsKey.api_secret,
          settingsKey.api_secret,
          secretsKey.api_secret,
          runsKey.api_secret,
          readOnlyKey.api_secret,
          ...PLAIN_PARTS,
        ]) {
          assert(!r.url.includes(secret), `credential in URL: ${r.url}`);
        }
        assert(!r.headers.cookie, `cookie sent: ${r.url}`);
      }
      assert(blocked.length === 0, `blocked requests: ${blocked.slice(0, 5).join(", ")}`);
    });

    await step("no script errors or CSP violations on the dashboard", async () => {
      assert(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
      assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join("; ")}`);
    });

    await step("/docs renders offline, sandboxed: it cannot read the dashboard's stored credentials", async () => {
      // Signed in: the dashboard's sessionStorage holds the key and secret; /docs opens in the same tab.
      assert((await page.evaluate(() => sessionStorage.length)) > 0, "not signed in");
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const res = await page.goto(`${base}/docs`);
      assert(res?.status() === 200, `status ${res?.status()}`);
      await page.getByRole("heading", { name: "edgecron", exact: true }).first().waitFor();
      await page.getByText("Create a cron job").first().waitFor();
      // A string, not a function: the test runner's transpiler would add helpers the page does not have.
      const probe = (await page.evaluate(`(() => {
        const out = { origin: window.origin };
        try { out.session = JSON.stringify(Object.entries(window.sessionStorage)); } catch (e) { out.session = e.name; }
        try { out.cookie = document.cookie; } catch (e) { out.cookie = e.name; }
        return out;
      })()`)) as { origin: string; session: string; cookie: string };
      assert(probe.origin === "null", `docs origin is ${probe.origin}`);
      assert(
        !probe.session.includes(settingsKey.api_secret) && !probe.session.includes(settingsKey.api_key),
        `docs read ${probe.session}`,
      );
      const sameOrigin = await page.evaluate(`fetch("/v1/cron-jobs/x/list").then(() => "fetched", (e) => e.name)`);
      assert(sameOrigin !== "fetched", "docs could call the API");
      assert(blocked.length === 0, `docs tried the network: ${blocked.join(", ")}`);
      assert(errors.length === 0, `docs errors: ${errors.join("; ")}`);
      await shot(page, "docs.png");
      await page.goto(`${base}/dashboard`);
      await page.locator("#session").waitFor({ state: "visible" });
    });

    await step("sign-out clears sessionStorage and shows the sign-in form", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.locator("#signin").waitFor({ state: "visible" });
      assert(
        (await page.evaluate(() => sessionStorage.getItem("edgecron.dashboard.credentials"))) === null,
        "credentials kept",
      );
      assert((await page.getByLabel("API secret").inputValue()) === "", "secret still in the form");
      assert((await page.locator("#view").textContent()) === "", "job data still on the page");
    });
  } finally {
    await context?.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

type Creds = { api_key: string; api_secret: string };

/**
 * Job states as the API has them, through the dashboard: a job disabled by its alert policy (every response fails
 * its success rule; one failure disables it) shows its reason and time and is re-enabled in one click; its alert
 * delivery is listed with the webhook URL shown by its host only (wrangler runs with CALLBACKS=record, like `npm
 * start`: the delivery is logged, not sent, and the log line is checked); a failed Run now with
 * retries pending says "retrying (attempt 2 of 3, next at …)"; a cron is described in words once; "No retries";
 * alert recipients are added (pending confirmation) and removed.
 */
async function statesPhase(page: Page, accountId: string, key: Creds) {
  const call = apiCaller(page, accountId, key);
  /** Through the queue, recorded and not sent (CALLBACKS=record): refreshes the panel until the row says so. */
  const untilDelivered = async (row: ReturnType<Page["locator"]>) => {
    for (let i = 0; i < 30 && (await row.getAttribute("data-status")) !== "recorded"; i++) {
      await page.waitForTimeout(1000);
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(300);
    }
    const status = await row.getAttribute("data-status");
    assert(status === "recorded", `status ${status}`);
  };
  /** The deliverer's log line for a delivery (wrangler's output, kept in the artifacts). */
  const recordedDelivery = (deliveryId: string) => {
    const recorded = readFileSync(join(ARTIFACTS, "wrangler-e2e.log"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith('{"event":"alert_recorded"'))
      .map((l) => JSON.parse(l) as { id: string; url: string; body: string })
      .find((r) => r.id === deliveryId);
    assert(recorded, `no recorded delivery ${deliveryId}`);
    return recorded;
  };
  const base = () => page.url().split("#")[0];
  // The path stands for a webhook's secret part: the API redacts it, the page must never show it.
  const hookSecret = "e2e-alert-hook-secret";
  const common = {
    endpoint_url: "https://example.com/e2e-states",
    method: "GET",
    timezone: "UTC",
    // No response can pass: every run fails, whatever the mock executor answers.
    success_rules: { status_codes: "599" },
  };
  const jobIds: string[] = [];
  let disabledId = "";

  try {
    await step("states: a job disabled by its alert policy shows the state, reason and time", async () => {
      await switchKey(page, accountId, key);
      const res = await call("POST", "/create", {
        ...common,
        name: `E2E disabled ${Date.now()}`,
        schedule_config: { repeat_type: "days", time: "09:00" },
        retry_config: { max_retries: 0 },
        alerts: {
          channels: [{ type: "webhook", url: `http://127.0.0.1:9/hook/${hookSecret}` }],
          after_consecutive_failures: 1,
          auto_disable_after: 1,
        },
      });
      assert(res.status === 201, `create: ${res.status} ${JSON.stringify(res.body)}`);
      disabledId = res.body.data.id;
      jobIds.push(disabledId);
      await page.goto(`${base()}#/jobs/${disabledId}`);
      await page.locator("#job-state .badge.active").waitFor();
      const retries = (await page.locator("#job-header dl.facts").textContent()) ?? "";
      assert(retries.includes("No retries"), `retries shown as ${retries}`);
      await page.getByRole("button", { name: "Run now" }).click();
      // The mock executor times out or errors for some execution ids: any unsuccessful outcome disables the job.
      await page.locator("#run-status").locator(".badge.failure, .badge.timeout, .badge.error").waitFor();
      // The result says why, as the run's log does.
      const why = (await page.locator("#run-error").textContent()) ?? "";
      assert(why.length > 0, "no error shown for an unsuccessful run");
      await page.locator("#job-state .badge.disabled").waitFor();
      const reason = await page.locator("#job-disabled-reason").textContent();
      assert(reason === "Disabled after 1 failed run (alerts.auto_disable_after)", `reason ${reason}`);
      assert((await page.locator("#job-disabled time").count()) === 1, "disabled time not shown");
      assert((await page.locator("#job-toggle").count()) === 0, "a Resume button beside Re-enable");
      const job = (await call("GET", `/details/${disabledId}`)).body.data;
      assert(job.state === "disabled" && typeof job.disabled_at === "string", `API: ${JSON.stringify(job)}`);
      await shot(page, "dashboard-job-disabled.png");
      await page.goto(`${base()}#/`);
      const row = page.locator(`#jobs-table tr[data-job-id="${disabledId}"]`);
      await row.locator(".badge.disabled").waitFor();
      assert(
        (await row.locator(".badge.disabled").getAttribute("title")) === reason,
        "the list does not give the reason",
      );
    });

    await step("states: the job page lists the alert delivery; the webhook URL is shown by its host only", async () => {
      await page.goto(`${base()}#/jobs/${disabledId}`);
      const row = page.locator("#deliveries-table tbody tr[data-status]").first();
      await row.waitFor();
      await untilDelivered(row);
      const cells = await row.locator("td").allTextContents();
      assert(cells[1] === "disabled" && cells[2] === "webhook", `row ${JSON.stringify(cells)}`);
      assert(cells[3]?.includes("127.0.0.1") && (await row.locator(".badge.secret").count()) === 1, "target");
      assert(
        !((await page.locator("#main").innerHTML()) ?? "").includes(hookSecret),
        "the webhook's secret path is shown",
      );
      // The delivery the row lists is the one the deliverer recorded, with this job's `disabled` alert.
      const deliveryId = (await row.getAttribute("data-delivery-id")) ?? "";
      const recorded = recordedDelivery(deliveryId);
      const payload = JSON.parse(recorded.body) as { event: string; cron_job_id: string };
      assert(payload.event === "disabled" && payload.cron_job_id === disabledId, `payload ${recorded.body}`);
      assert(!recorded.url.includes(hookSecret), "the recorded URL is in clear");
      await shot(page, "dashboard-job-deliveries.png");
    });

    await step("states: Send test alert queues a test delivery per channel, listed on the job page", async () => {
      await page.getByRole("button", { name: "Send test alert" }).click();
      await page.locator("#test-alert-status", { hasText: "Test alert queued" }).waitFor();
      const row = page.locator("#deliveries-table tbody tr", { hasText: "test" }).first();
      await row.waitFor();
      await untilDelivered(row);
      const cells = await row.locator("td").allTextContents();
      assert(cells[1] === "test" && cells[2] === "webhook", `row ${JSON.stringify(cells)}`);
      const recorded = recordedDelivery((await row.getAttribute("data-delivery-id")) ?? "");
      assert((JSON.parse(recorded.body) as { event: string }).event === "test", `recorded ${recorded.body}`);
      assert(!recorded.url.includes(hookSecret), "the recorded URL is in clear");
    });

    await step("states: Re-enable makes the disabled job active again and clears its reason", async () => {
      await page.getByRole("button", { name: "Re-enable" }).click();
      await page.locator("#job-state .badge.active").waitFor();
      await page.locator("#flash", { hasText: "re-enabled" }).waitFor();
      assert((await page.locator("#job-disabled").count()) === 0, "the disabled notice stayed");
      const job = (await call("GET", `/details/${disabledId}`)).body.data;
      assert(
        job.state === "active" && job.disabled_at === null && job.disabled_reason === null,
        `API: ${JSON.stringify(job)}`,
      );
    });

    await step("states: a failed Run now with retries pending says retrying; the cron in words, once", async () => {
      const cron = "30 7 * * 1,3";
      const res = await call("POST", "/create", {
        ...common,
        name: `E2E retrying ${Date.now()}`,
        schedule_config: { cron },
        retry_config: { max_retries: 2, retry_delay_seconds: 300 },
      });
      assert(res.status === 201, `create: ${res.status} ${JSON.stringify(res.body)}`);
      const id = res.body.data.id;
      jobIds.push(id);
      await page.goto(`${base()}#/jobs/${id}`);
      await page.locator("#job-title").waitFor();
      assert(((await page.locator("#job-last-run").textContent()) ?? "") === "never", "last run before any run");
      const header = (await page.locator("#job-header").textContent()) ?? "";
      assert(header.includes("At 07:30, only on Monday and Wednesday"), `cron not in words: ${header}`);
      assert(header.split(cron).length === 2, `the cron is shown ${header.split(cron).length - 1} times`);
      assert(header.includes("2 retries, 300 s apart"), `retries: ${header}`);
      await page.getByRole("button", { name: "Run now" }).click();
      // The mock executor rolls failure, error or timeout: each is a failed attempt that retries.
      await page.locator("#run-status").locator(".badge.failure, .badge.timeout, .badge.error").waitFor();
      const lastRun = page.locator("#job-last-run", { hasText: /^retrying \(attempt 2 of 3, next at .+\)$/ });
      await lastRun.waitFor();
      assert((await lastRun.locator("time").count()) === 1, "next attempt time not shown");
      const facts = (await page.locator("#job-header dl.facts").textContent()) ?? "";
      assert(facts.includes("1 execution"), `executions: ${facts}`);
      await shot(page, "dashboard-job-retrying.png");
    });

    await step(
      "alert recipients: an address is added (pending confirmation), a bad one refused, then removed",
      async () => {
        const email = `e2e-${Date.now()}@example.com`;
        await page.getByRole("link", { name: "Alert recipients" }).click();
        await page.locator("#recipients-table tbody tr").first().waitFor();
        await page.getByLabel("E-mail address").fill("not-an-address");
        await page.getByRole("button", { name: "Add recipient" }).click();
        await page.locator("#r-email-error", { hasText: /./ }).waitFor();
        await page.getByLabel("E-mail address").fill(email);
        await page.getByRole("button", { name: "Add recipient" }).click();
        const row = page.locator(`#recipients-table tr[data-email="${email}"]`);
        await row.locator(".badge.pending").waitFor();
        await page.locator("#flash", { hasText: "Confirmation e-mail sent" }).waitFor();
        assert((await row.locator("time").count()) >= 1, "times not shown");
        await shot(page, "dashboard-alert-recipients.png");
        await row.getByRole("button", { name: "Remove" }).click();
        await row.waitFor({ state: "detached" });
        await page.locator("#flash", { hasText: `Removed ${email}` }).waitFor();
      },
    );
  } finally {
    for (const id of jobIds) await call("DELETE", `/delete/${id}`).catch(() => {});
  }
}

/**
 * Runs, dead letters and deliveries through the dashboard: the Dead letters page lists the seeded dead runs with
 * their reasons, Replay runs one again (a log with trigger replay), Replay selected queues both in one request; a
 * job whose first tick comes minutes after its next slot (as after an outage) shows the missed slots as one span in
 * its history, and the demo job's history its dead runs; its callback is listed on the Deliveries page and
 * Redeliver sends it again (recorded twice: CALLBACKS=record); a read-only key sees none of these buttons.
 */
async function runsPhase(page: Page, accountId: string, key: Creds, readOnly: Creds) {
  const call = apiCaller(page, accountId, key);
  const base = () => page.url().split("#")[0] ?? "";
  const [deadA, deadB] = DEAD;
  if (!deadA || !deadB) throw new Error("dead letters missing");
  const deadRow = (id: string) => page.locator(`#dead-letters-table tr[data-execution-id="${id}"]`);
  /** Clicks Refresh until `locator` matches (ticks, runs and deliveries go through the queue). */
  const untilShown = async (locator: ReturnType<Page["locator"]>, what: string) => {
    for (let i = 0; i < 30 && (await locator.count()) === 0; i++) {
      await page.waitForTimeout(1000);
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(300);
    }
    assert((await locator.count()) > 0, `${what} never shown`);
  };
  /** The deliverer's log lines for a callback (wrangler's output, kept in the artifacts). */
  const recordedCallbacks = (deliveryId: string) =>
    readFileSync(join(ARTIFACTS, "wrangler-e2e.log"), "utf8")
      .split("\n")
      .filter(
        (l) => l.startsWith('{"event":"callback_recorded"') && (JSON.parse(l) as { id: string }).id === deliveryId,
      ).length;
  let jobId = "";

  try {
    await step("dead letters: listed account-wide with state and reason; Replay runs one again", async () => {
      await switchKey(page, accountId, key);
      await page.getByRole("link", { name: "Dead letters" }).click();
      await deadRow(deadA.id).waitFor();
      for (const [d, reason] of [
        [deadA, "undelivered"],
        [deadB, "outcome_unknown"],
      ] as const) {
        const row = deadRow(d.id);
        assert(
          (await row.getAttribute("data-reason")) === reason,
          `${d.id}: reason ${await row.getAttribute("data-reason")}`,
        );
        assert((await row.locator(".badge.dead").count()) === 1, `${d.id}: no dead badge`);
        assert((await row.getByRole("link", { name: JOB_NAME }).count()) === 1, `${d.id}: job not named`);
      }
      assert(((await deadRow(deadA.id).textContent()) ?? "").includes("Not delivered"), "the log's error not shown");
      await shot(page, "dashboard-dead-letters.png");
      await deadRow(deadA.id).getByRole("button", { name: "Replay" }).click();
      const result = deadRow(deadA.id).locator(".replay-result", { hasText: "Replayed:" });
      await result.waitFor();
      const replayId = (await result.locator("code").textContent()) ?? "";
      assert(/^exe_/.test(replayId) && replayId !== deadA.id, `replay id ${replayId}`);
      let log: { id: string; trigger: string } | undefined;
      for (let i = 0; i < 10 && !log; i++) {
        if (i) await page.waitForTimeout(500);
        const logs = (await call("GET", `/logs/${JOB_ID}?limit=20`)).body as unknown as {
          data: Array<{ id: string; trigger: string }>;
        };
        log = logs.data.find((l) => l.id === replayId);
      }
      assert(log?.trigger === "replay", `the replay's log: ${JSON.stringify(log)}`);
    });

    await step("dead letters: Replay selected queues the ticked ones in one bulk request", async () => {
      for (const d of [deadA, deadB]) await deadRow(d.id).locator("input[type=checkbox]").check();
      const button = page.locator("#dead-replay-selected");
      assert((await button.textContent()) === "Replay selected (2)", `button says ${await button.textContent()}`);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/replay") && r.request().method() === "POST"),
        button.click(),
      ]);
      const body = (await response.json()) as { data: Array<{ execution_id: string; status: string }> };
      const answered = body.data.map((r) => `${r.execution_id} ${r.status}`).sort();
      assert(
        JSON.stringify(answered) === JSON.stringify([`${deadA.id} queued`, `${deadB.id} queued`].sort()),
        `bulk replay answered ${JSON.stringify(body)}`,
      );
      await page.locator("#flash", { hasText: "Queued 2 of 2 replays." }).waitFor();
      await deadRow(deadB.id).locator(".replay-result", { hasText: "Queued:" }).waitFor();
    });

    await step("history: missed ticks leave one missed span; the demo job's dead runs show their reason", async () => {
      const res = await call("POST", "/create", {
        name: `E2E catch-up ${Date.now()}`,
        endpoint_url: "https://example.com/e2e-catchup",
        method: "GET",
        timezone: "UTC",
        schedule_config: { cron: "* * * * *" },
        retry_config: { max_retries: 0 },
        catchup: "latest",
        callbacks: {
          success_url: "https://example.com/e2e-callback",
          failure_url: "https://example.com/e2e-callback",
        },
      });
      assert(res.status === 201, `create: ${res.status} ${JSON.stringify(res.body)}`);
      jobId = res.body.data.id;
      const next = Date.parse(String(res.body.data.next_run_at));
      // The first tick comes four and a half minutes after the job's next slot: the newest of the five slots due
      // runs, the four before it are one missed span.
      const fired = await fireScheduled(base(), "* * * * *", next + 4.5 * 60_000);
      assert(fired.ok, `tick: ${fired.outcome}`);
      await page.goto(`${base()}#/jobs/${jobId}`);
      const span = page.locator('#runs-table tr[data-kind="span"][data-reason="missed"]');
      await untilShown(span, "the missed span");
      const text = (await span.textContent()) ?? "";
      assert(text.includes("4 slots"), `span: ${text}`);
      assert((await span.locator(".badge.skipped").count()) === 1, "the span is not skipped");
      assert((await span.locator("button.replay").count()) === 0, "a span has Replay");
      assert((await page.locator('#runs-table tr[data-kind="run"]').count()) >= 1, "the newest slot's run is missing");
      const facts = (await page.locator("#job-catchup").textContent()) ?? "";
      assert(facts.includes("(latest)") && facts.includes("no lateness limit"), `catch-up: ${facts}`);
      await shot(page, "dashboard-job-history.png");
      await page.goto(`${base()}#/jobs/${JOB_ID}`);
      await page.locator("#runs-table tbody tr").first().waitFor();
      await page.locator("#runs-state").selectOption("dead");
      const dead = page.locator(`#runs-table tr[data-execution-id="${deadA.id}"]`);
      await dead.waitFor();
      assert((await dead.getAttribute("data-state")) === "dead", "not dead");
      assert((await dead.locator('[data-reason="undelivered"]').count()) === 1, "reason not shown");
      assert((await dead.locator("button.replay").count()) === 1, "no Replay on a dead run");
    });

    await step("deliveries: the job's callback is listed; Redeliver sends it again", async () => {
      // Its run's callback (success or failure, whatever the mock answers); a 202 pending run calls back later.
      const run = await call("POST", `/trigger/${jobId}`);
      assert(run.status === 200 || run.status === 202, `trigger: ${run.status} ${JSON.stringify(run.body)}`);
      await page.goto(`${base()}#/deliveries?job=${jobId}&kind=callback`);
      const row = page.locator('#account-deliveries-table tbody tr[data-kind="callback"]').first();
      await row.waitFor();
      await untilShown(page.locator('#account-deliveries-table tr[data-state="recorded"]'), "a recorded callback");
      const id = (await row.getAttribute("data-delivery-id")) ?? "";
      assert(recordedCallbacks(id) === 1, `recorded ${recordedCallbacks(id)} times before redelivery`);
      assert((await page.locator("#deliveries-kind").inputValue()) === "callback", "the kind filter not shown");
      await shot(page, "dashboard-deliveries.png");
      await row.getByRole("button", { name: "Redeliver" }).click();
      await page.locator("#flash", { hasText: "Redelivery of callback" }).waitFor();
      const again = page.locator(`#account-deliveries-table tr[data-delivery-id="${id}"][data-state="recorded"]`);
      for (let i = 0; i < 30 && recordedCallbacks(id) < 2; i++) await page.waitForTimeout(1000);
      await untilShown(again, "the redelivered callback");
      assert(recordedCallbacks(id) === 2, `recorded ${recordedCallbacks(id)} times after redelivery`);
      assert((await again.locator('td[data-label="Attempts"]').textContent()) === "2", "attempts not counted");
    });

    await step("a read-only key sees dead letters, history and deliveries but no Replay or Redeliver", async () => {
      await switchKey(page, accountId, readOnly);
      await page.goto(`${base()}#/dead-letters`);
      await deadRow(deadA.id).waitFor();
      assert((await page.locator("#dead-letters-table button, #dead-replay-selected").count()) === 0, "replay shown");
      await page.goto(`${base()}#/jobs/${JOB_ID}`);
      await page.locator("#runs-table tbody tr[data-state]").first().waitFor();
      assert((await page.locator("#runs-table button.replay").count()) === 0, "replay shown in the history");
      await page.locator("#job-title").waitFor();
      for (const control of ["#job-run", "#job-toggle", "#job-delete", "#job-edit", "#job-clone", "#send-test-alert"]) {
        assert(!(await page.locator(control).isVisible()), `read-only key sees ${control} on the job page`);
      }
      await page.goto(`${base()}#/`);
      await page.locator("#jobs-table tbody tr[data-job-id]").first().waitFor();
      assert((await page.locator("#new-job").count()) === 0, "read-only key sees New job");
      await page.goto(`${base()}#/deliveries?job=${jobId}`);
      await page.locator("#account-deliveries-table tbody tr[data-delivery-id]").first().waitFor();
      assert((await page.locator("#account-deliveries-table button").count()) === 0, "redeliver shown");
    });
  } finally {
    if (jobId) await call("DELETE", `/delete/${jobId}`).catch(() => {});
  }
}

type JobBody = Record<string, unknown> & {
  id: string;
  name: string;
  is_active: boolean;
  headers: Record<string, string>;
  body: string | null;
  endpoint_url: string;
  alerts: { channels: Array<{ type: string; url?: string }> };
};

/**
 * Write-only secrets through the dashboard, checked against the API: a job whose secrets are marked in the form
 * shows each as "secret · set"; a name-only edit sends the tokens back and keeps every value; Replace stores a new
 * value (the same token as a job created with that value: tokens are per-account HMACs); Clone copies on the server.
 */
/** Calls the API from the page with `key` (same origin, headers only), as a script on the dashboard would. */
function apiCaller(page: Page, accountId: string, key: Creds) {
  return async (method: string, path: string, body?: unknown) =>
    (await page.evaluate(
      async ([acct, id, secret, m, p, b]) => {
        const headers: Record<string, string> = { "X-API-Key": id, "X-API-Secret": secret };
        if (b !== null) headers["Content-Type"] = "application/json";
        const res = await fetch(`/v1/cron-jobs/${acct}${p}`, { method: m, headers, body: b });
        return { status: res.status, body: await res.json() };
      },
      [accountId, key.api_key, key.api_secret, method, path, body === undefined ? null : JSON.stringify(body)] as [
        string,
        string,
        string,
        string,
        string,
        string | null,
      ],
    )) as { status: number; body: { data: JobBody } };
}

/** Monitors: create one through the page, ping its URL as curl would, see it up; a read-only key sees no writes. */
async function monitorsPhase(page: Page, accountId: string, key: Creds, readOnly: Creds) {
  const row = page.locator('#monitors-table tr[data-slug="e2e-heartbeat"]');
  await step("monitors: creates one through the form, pings its URL, sees it up with a ping strip", async () => {
    await switchKey(page, accountId, key);
    await page.getByRole("link", { name: "Monitors" }).click();
    await page.locator("#monitors-table").waitFor();
    await page.getByRole("button", { name: "New monitor" }).click();
    await page.getByLabel("Name").fill("E2E heartbeat");
    await page.getByLabel("Slug").fill("e2e-heartbeat");
    await page.getByLabel("Period (seconds)").fill("3600");
    // The job form's channel editor: a channel set here is stored with the monitor.
    await page.locator("#monitor-channel-add").click();
    await page.locator("#monitor-channel-0-type").selectOption("slack");
    await page.locator("#monitor-channel-0").fill(MONITOR_SLACK);
    await page.getByRole("button", { name: "Create monitor" }).click();
    await row.waitFor();
    assert((await row.getAttribute("data-state")) === "new", "a new monitor is not new");
    const id = (await row.getAttribute("data-monitor-id")) ?? "";
    const stored = (await apiCaller(page, accountId, key)("GET", `/monitors/${id}`)).body.data as unknown as {
      alerts: { channels: Array<{ type: string; url: string }> };
    };
    const [channel] = stored.alerts.channels;
    assert(
      stored.alerts.channels.length === 1 &&
        channel?.type === "slack" &&
        /^https:\/\/hooks\.slack\.com\/…\[redacted:/.test(channel.url),
      `monitor channels stored as ${JSON.stringify(stored.alerts.channels)}`,
    );
    const url = (await row.locator("code.ping-url").textContent()) ?? "";
    assert(/\/ping\/[^/<]+\/e2e-heartbeat$/.test(url), `ping URL ${url}`);
    assert(((await row.locator("code.curl").textContent()) ?? "").includes(url), "curl line lacks the ping URL");
    // The ping URL names the configured public host; curl goes to this loopback server with the same path.
    const res = await fetch(new URL(new URL(url).pathname, page.url()));
    assert(res.status === 200 && (await res.text()) === "OK", `ping answered ${res.status}`);
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator('#monitors-table tr[data-slug="e2e-heartbeat"][data-state="up"]').waitFor();
    await row.locator(".ping-strip rect").first().waitFor();
  });
  await step("monitors: a read-only key sees them without write buttons; the full key deletes", async () => {
    await switchKey(page, accountId, readOnly);
    await page.getByRole("link", { name: "Monitors" }).click();
    await row.waitFor();
    assert((await page.getByRole("button", { name: "New monitor" }).count()) === 0, "read-only key sees New monitor");
    assert((await row.getByRole("button", { name: "Delete" }).count()) === 0, "read-only key sees Delete");
    await switchKey(page, accountId, key);
    await page.getByRole("link", { name: "Monitors" }).click();
    await row.getByRole("button", { name: "Delete" }).click();
    await page.locator("#flash", { hasText: "Deleted monitor" }).waitFor();
    await row.waitFor({ state: "detached" });
  });
}

async function secretsPhase(page: Page, accountId: string, key: Creds) {
  const call = apiCaller(page, accountId, key);
  const details = async (id: string) => {
    const res = await call("GET", `/details/${id}`);
    assert(res.status === 200, `details ${id}: ${res.status}`);
    return res.body.data;
  };
  /** Headers as sent back may come in another order: compared by name. */
  const sorted = (headers: Record<string, string>) => JSON.stringify(Object.entries(headers).sort());
  const row = (label: string) => page.locator(".secret-row", { has: page.getByText(label, { exact: true }) });

  const name = `E2E secrets ${Date.now()}`;
  let jobId = "";
  let cloneId = "";
  let before: JobBody | undefined;

  await step("secrets: signs in with a third key; marks secrets in the form; the job page shows them set", async () => {
    await switchKey(page, accountId, key);
    await page.getByRole("link", { name: "New job" }).click();
    await page.locator("#job-form").waitFor();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Method").selectOption("POST");
    await page.getByLabel("Endpoint URL").fill(`https://example.com/hook?api_key=${SECRETS.query}&x=1`);
    await page
      .locator("#f-headers")
      .fill(`Authorization: ${SECRETS.bearer}\nX-Tenant: ${SECRETS.tenant}\nX-Plain: visible`);
    await page.getByLabel("More secret headers").fill("X-Tenant");
    await page.getByLabel("Secret query parameters").fill("api_key");
    await page.getByLabel("Body", { exact: true }).fill(SECRETS.body);
    await page.getByLabel("Body is secret").check();
    await page.getByRole("button", { name: "Create job" }).click();
    await page.locator("#job-title", { hasText: name }).waitFor();
    jobId = decodeURIComponent(page.url().split("#/jobs/")[1] ?? "");
    // The alert channel through the API, so it is stored before the form first shows it (alertsFormPhase adds one).
    const patched = await call("PATCH", `/update/${jobId}`, {
      alerts: { channels: [{ type: "slack", url: SECRETS.slack }] },
    });
    assert(patched.status === 200, `adding the channel: ${patched.status} ${JSON.stringify(patched.body)}`);
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator("#job-channels .badge.secret").waitFor();
    for (const header of ["Authorization", "X-Tenant"]) {
      const shown = (await page.locator(`#job-headers dd[data-header="${header}"]`).textContent()) ?? "";
      assert(shown === "secret · set", `${header} shown as ${JSON.stringify(shown)}`);
    }
    const plain = await page.locator('#job-headers dd[data-header="X-Plain"]').textContent();
    assert(plain === "visible", `X-Plain shown as ${plain}`);
    assert((await page.locator("#job-body .badge.secret").count()) === 1, "body not shown as set");
    const endpoint = (await page.locator("#job-header dl dd").first().textContent()) ?? "";
    assert(endpoint.includes("api_key=secret · set&x=1"), `endpoint shown as ${endpoint}`);
    assert(
      ((await page.locator("#job-channels").textContent()) ?? "").includes("slack · hooks.slack.com"),
      "channel host not shown",
    );
    await assertNoSecretShown(page, "job page");
    before = await details(jobId);
    assert(TOKEN.test(before.headers.Authorization ?? ""), `Authorization is ${before.headers.Authorization}`);
    assert(TOKEN.test(before.headers["X-Tenant"] ?? ""), `X-Tenant is ${before.headers["X-Tenant"]}`);
    assert(TOKEN.test(before.body ?? ""), `body is ${before.body}`);
    await shot(page, "dashboard-secrets-job.png");
  });

  await step("secrets: the edit form shows each as set; a name-only edit keeps every value", async () => {
    assert(before, "no job");
    await page.getByRole("link", { name: "Edit" }).click();
    await page.locator("#job-form").waitFor();
    for (const label of ["Authorization", "X-Tenant", "Stored body", "slack · hooks.slack.com"]) {
      assert((await row(label).locator(".badge.secret").textContent()) === "secret · set", `${label} not set`);
      assert(await row(label).getByRole("button", { name: "Replace" }).isVisible(), `${label}: no Replace`);
    }
    assert((await page.locator("#f-headers").inputValue()) === "X-Plain: visible", "secret header in the text area");
    assert((await page.locator("#f-secret-headers").inputValue()) === "X-Tenant", "secret_headers not shown");
    assert((await page.locator("#f-secret-params").inputValue()) === "api_key", "secret_query_params not shown");
    assert(await page.locator("#f-body-secret").isChecked(), "body_is_secret not shown");
    assert((await page.locator("#f-url").inputValue()) === before.endpoint_url, "URL not shown with its token");
    await assertNoSecretShown(page, "edit form", ["f-url"]);
    await shot(page, "dashboard-secrets-form.png");
    await page.getByLabel("Name", { exact: true }).fill(`${name} (renamed)`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#job-title", { hasText: `${name} (renamed)` }).waitFor();
    const after = await details(jobId);
    assert(after.name === `${name} (renamed)`, `name ${after.name}`);
    assert(sorted(after.headers) === sorted(before.headers), `headers ${JSON.stringify(after.headers)}`);
    assert(after.body === before.body, `body ${after.body}`);
    assert(after.endpoint_url === before.endpoint_url, `endpoint_url ${after.endpoint_url}`);
    assert(
      JSON.stringify(after.alerts.channels) === JSON.stringify(before.alerts.channels),
      `channels ${JSON.stringify(after.alerts.channels)}`,
    );
  });

  await step("secrets: Replace reveals an empty input and stores the new value", async () => {
    assert(before, "no job");
    await page.getByRole("link", { name: "Edit" }).click();
    await page.locator("#job-form").waitFor();
    for (const [label, value] of [
      ["Authorization", SECRETS.bearer2],
      ["slack · hooks.slack.com", SECRETS.slack2],
    ] as const) {
      await row(label).getByRole("button", { name: "Replace" }).click();
      const input = row(label).locator("input");
      await input.waitFor({ state: "visible" });
      assert((await input.inputValue()) === "", `${label}: the replace input is not empty`);
      await input.fill(value);
    }
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#job-title", { hasText: `${name} (renamed)` }).waitFor();
    await page.locator("#job-channels .badge.secret").waitFor();
    await assertNoSecretShown(page, "job page after replace");
    const after = await details(jobId);
    assert(after.headers.Authorization !== before.headers.Authorization, "Authorization token unchanged");
    assert(TOKEN.test(after.headers.Authorization ?? ""), `Authorization is ${after.headers.Authorization}`);
    assert(after.headers["X-Tenant"] === before.headers["X-Tenant"], "X-Tenant changed");
    assert(after.body === before.body, "body changed");
    assert(after.alerts.channels[0]?.url !== before.alerts.channels[0]?.url, "channel token unchanged");
    // The same value gives the same token in an account: a job created with the new value shows the new token.
    const probe = await call("POST", "/create", {
      name: `${name} probe`,
      endpoint_url: "https://example.com/probe",
      method: "GET",
      headers: { Authorization: SECRETS.bearer2 },
      timezone: "UTC",
      schedule_config: { repeat_type: "days", time: "09:00" },
      is_active: false,
      alerts: { channels: [{ type: "slack", url: SECRETS.slack2 }] },
    });
    assert(probe.status === 201, `probe job: ${probe.status} ${JSON.stringify(probe.body)}`);
    assert(probe.body.data.headers.Authorization === after.headers.Authorization, "the new value is not stored");
    assert(probe.body.data.alerts.channels[0]?.url === after.alerts.channels[0]?.url, "the new URL is not stored");
    await call("DELETE", `/delete/${probe.body.data.id}`);
    before = after;
  });

  await step("secrets: Clone copies them on the server; its form shows them set and saves them unchanged", async () => {
    assert(before, "no job");
    await page.getByRole("button", { name: "Clone" }).click();
    await page.locator("#job-form").waitFor();
    await page.waitForFunction(() => location.hash.endsWith("/edit"), undefined, { timeout: TIMEOUT });
    cloneId = decodeURIComponent(/#\/jobs\/([^/]+)\/edit$/.exec(page.url())?.[1] ?? "");
    assert(cloneId && cloneId !== jobId, `clone id ${cloneId}`);
    const cloneName = `${name} (renamed) (copy)`;
    assert((await page.getByLabel("Name", { exact: true }).inputValue()) === cloneName, "clone not named");
    for (const label of ["Authorization", "X-Tenant", "Stored body", "slack · hooks.slack.com"]) {
      assert((await row(label).locator(".badge.secret").textContent()) === "secret · set", `${label} not set`);
    }
    await assertNoSecretShown(page, "clone form", ["f-url"]);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#job-title", { hasText: cloneName }).waitFor();
    await page.locator('#job-headers dd[data-header="Authorization"] .badge.secret').waitFor();
    const copy = await details(cloneId);
    assert(copy.is_active === false, "clone is active");
    assert(sorted(copy.headers) === sorted(before.headers), `headers ${JSON.stringify(copy.headers)}`);
    assert(copy.body === before.body, `body ${copy.body}`);
    assert(copy.endpoint_url === before.endpoint_url, `endpoint_url ${copy.endpoint_url}`);
    assert(copy.alerts.channels[0]?.url === before.alerts.channels[0]?.url, "channel not copied");
  });

  await step("secrets: the jobs list shows no secret; both jobs deleted", async () => {
    await page.goto(`${page.url().split("#")[0]}#/`);
    await page.locator(`#jobs-table tr[data-job-id="${jobId}"]`).waitFor();
    await assertNoSecretShown(page, "jobs list");
    for (const id of [cloneId, jobId].filter(Boolean)) {
      const res = await call("DELETE", `/delete/${id}`);
      assert(res.status === 200, `delete ${id}: ${res.status}`);
    }
  });
}
/**
 * Alerts, success rules, retry-on settings and request signing from the form: a job created with them has them in
 * the API; its clone's form shows them, and saved unchanged the copy equals the source field by field.
 */
async function alertsFormPhase(page: Page, accountId: string, key: Creds) {
  const call = apiCaller(page, accountId, key);
  const details = async (id: string) => {
    const res = await call("GET", `/details/${id}`);
    assert(res.status === 200, `details ${id}: ${res.status}`);
    return res.body.data as unknown as Record<string, unknown>;
  };
  /** JSON with object keys sorted: the API's key order is not part of its contract. */
  const canon = (v: unknown): string =>
    JSON.stringify(v, (_, x) =>
      x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x,
    );
  const name = `E2E alerts ${Date.now()}`;
  const slackUrl = "https://hooks.slack.com/services/T0/B0/e2eslacksecret3";
  let jobId = "";
  let cloneId = "";

  await step("alerts: a job with alert channels, policy and success rules is created from the form", async () => {
    await page.goto(`${page.url().split("#")[0]}#/jobs/new`);
    await page.locator("#job-form").waitFor();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Endpoint URL").fill("https://example.com/alerts");
    await page.locator("#f-retry-codes").fill("500-599,429");
    await page.locator("#f-retry-timeout").uncheck();
    await page.locator("#f-ok-codes").fill("200-299,304");
    await page.locator("#f-ok-contains").fill('"ok":true');
    await page.locator("#f-ok-not-contains").fill("Error");
    await page.locator("#f-signature").uncheck();
    for (const [type, target] of [
      ["slack", slackUrl],
      ["email", "oncall@example.com"],
    ] as const) {
      await page.getByRole("button", { name: "Add channel" }).click();
      const row = page.locator(".channel-row").last();
      await row.locator("select").selectOption(type);
      await row.locator("input").fill(target);
    }
    await page.locator("#f-alert-after").fill("2");
    await page.locator("#f-alert-disable").fill("5");
    await page.locator("#f-alert-recovery").uncheck();
    await page.locator("#f-slow").check();
    await page.locator("#f-slow-threshold").fill("2000");
    await page.locator("#f-slow-measure").selectOption("p95");
    await page.locator("#f-slow-window").fill("10");
    // Below the API's minimum of 5 minutes: the error shows under the field.
    await page.locator("#f-alert-remind").fill("3");
    await shot(page, "dashboard-alerts-form.png");
    await page.getByRole("button", { name: "Create job" }).click();
    await page.locator("#f-alert-remind-error").filter({ hasText: /5/ }).waitFor();
    await page.locator("#f-alert-remind").fill("30");
    await page.getByRole("button", { name: "Create job" }).click();
    await page.locator("#job-title", { hasText: name }).waitFor();
    jobId = decodeURIComponent(page.url().split("#/jobs/")[1] ?? "");
    await assertNoSecretShown(page, "alerts job page");
    const job = await details(jobId);
    const alerts = job.alerts as { channels: Array<{ type: string; url?: string; to?: string }> };
    const expected: Record<string, unknown> = {
      channels: ["slack", "email"],
      after_consecutive_failures: 2,
      remind_every_minutes: 30,
      on_recovery: false,
      slow_run: { threshold_ms: 2000, measure: "p95", window: 10 },
      auto_disable_after: 5,
      on_missed: false,
      on_skipped: false,
      late_after_seconds: null,
      on_dead_lettered: false,
    };
    // The fields this walk sets, and the schedule-health opt-ins left off; newer policy fields have their own tests.
    const shown: Record<string, unknown> = { ...alerts, channels: alerts.channels.map((c) => c.type) };
    assert(
      canon(Object.fromEntries(Object.keys(expected).map((k) => [k, shown[k]]))) === canon(expected),
      `alerts ${JSON.stringify(alerts)}`,
    );
    assert(TOKEN_ANYWHERE.test(alerts.channels[0]?.url ?? ""), "slack URL not stored as a secret");
    assert(alerts.channels[1]?.to === "oncall@example.com", "e-mail channel");
    assert(
      canon(job.success_rules) ===
        canon({ status_codes: "200-299,304", body_contains: '"ok":true', body_not_contains: "Error" }),
      `success_rules ${JSON.stringify(job.success_rules)}`,
    );
    const retry = job.retry_config as Record<string, unknown>;
    assert(
      retry.retry_on_status_codes === "500-599,429" && !retry.retry_on_timeout && retry.retry_on_error,
      `retry_config ${JSON.stringify(retry)}`,
    );
    assert(job.request_signature === false, "request_signature");
  });

  await step("alerts: the clone's form shows every setting; saved, the copy equals the source", async () => {
    const source = await details(jobId);
    await page.getByRole("button", { name: "Clone" }).click();
    await page.locator("#job-form").waitFor();
    await page.waitForFunction(() => location.hash.endsWith("/edit"), undefined, { timeout: TIMEOUT });
    cloneId = decodeURIComponent(/#\/jobs\/([^/]+)\/edit$/.exec(page.url())?.[1] ?? "");
    const slackRow = page.locator(".secret-row", { has: page.getByText("slack · hooks.slack.com", { exact: true }) });
    assert((await slackRow.locator(".badge.secret").textContent()) === "secret · set", "slack channel not set");
    assert((await page.locator(".channel-row input").inputValue()) === "oncall@example.com", "e-mail channel");
    for (const [id, value] of [
      ["#f-alert-after", "2"],
      ["#f-alert-remind", "30"],
      ["#f-alert-disable", "5"],
      ["#f-slow-threshold", "2000"],
      ["#f-slow-window", "10"],
      ["#f-ok-codes", "200-299,304"],
      ["#f-ok-contains", '"ok":true'],
      ["#f-retry-codes", "500-599,429"],
    ] as const) {
      assert((await page.locator(id).inputValue()) === value, `${id} is ${await page.locator(id).inputValue()}`);
    }
    assert(await page.locator("#f-slow").isChecked(), "slow alerts off");
    assert(!(await page.locator("#f-alert-recovery").isChecked()), "on_recovery on");
    assert(!(await page.locator("#f-signature").isChecked()), "request signature on");
    await assertNoSecretShown(page, "alerts clone form");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#job-title", { hasText: `${name} (copy)` }).waitFor();
    const copy = await details(cloneId);
    const own = ["id", "name", "is_active", "state", "created_at", "updated_at", "next_run_at", "next_runs"];
    const differ = Object.keys(source).filter((k) => !own.includes(k) && canon(copy[k]) !== canon(source[k]));
    assert(differ.length === 0, `the copy differs in ${differ.join(", ")}`);
    for (const id of [cloneId, jobId]) {
      const res = await call("DELETE", `/delete/${id}`);
      assert(res.status === 200, `delete ${id}: ${res.status}`);
    }
  });
}

/**
 * Several schedules, pause until and the SLO panel through the dashboard: the form's rows make a job with two cron
 * expressions, then a preset with two times of day; the job page and list show every schedule; Pause asks until
 * when (a date and time in the browser's zone here) and why, a past time is refused under its field; the SLO panel
 * shows its empty state, then the objective set in the form with its current value and error budget left.
 */
async function schedulesPhase(page: Page, accountId: string, key: Creds) {
  const call = apiCaller(page, accountId, key);
  const base = () => page.url().split("#")[0] ?? "";
  const name = `E2E schedules ${Date.now()}`;
  const codes = () => page.locator("#job-schedule code").allTextContents();
  let jobId = "";
  try {
    await step("schedules: the form's rows make two cron expressions, then a preset with two times", async () => {
      await switchKey(page, accountId, key);
      await page.goto(`${base()}#/jobs/new`);
      await page.locator("#job-form").waitFor();
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Endpoint URL").fill("https://example.com/e2e-schedules");
      await page.getByLabel("Timezone (IANA)").fill("UTC");
      await page.getByLabel("Kind").selectOption("cron");
      await page.getByLabel("Cron expression 1", { exact: true }).fill("0 9 * * 1-5");
      await page.getByRole("button", { name: "Add an expression" }).click();
      await page.getByLabel("Cron expression 2", { exact: true }).fill("30 17 * * 0");
      await page.getByRole("button", { name: "Add an expression" }).click();
      await page.getByRole("button", { name: "Remove cron expression 3" }).click();
      assert((await page.locator("#f-cron input").count()) === 2, "the third row was not removed");
      await page.locator("#preview-runs li").nth(4).waitFor();
      await shot(page, "dashboard-schedules-form.png");
      await page.getByRole("button", { name: "Create job" }).click();
      await page.locator("#job-title", { hasText: name }).waitFor();
      jobId = decodeURIComponent(page.url().split("#/jobs/")[1] ?? "");
      assert(JSON.stringify(await codes()) === JSON.stringify(["0 9 * * 1-5", "30 17 * * 0"]), `${await codes()}`);
      const words = (await page.locator("#job-schedule").textContent()) ?? "";
      assert(words.includes("At 09:00, Monday through Friday; At 17:30, only on Sunday"), words);

      await page.getByRole("link", { name: "Edit", exact: true }).click();
      await page.locator("#job-form").waitFor();
      assert((await page.getByLabel("Cron expression 2", { exact: true }).inputValue()) === "30 17 * * 0", "rows");
      await page.getByLabel("Kind").selectOption("repeat");
      await page.locator("#f-repeat").selectOption("days");
      await page.locator("#f-time").fill("09:00");
      await page.getByRole("button", { name: "Add a time" }).click();
      await page.getByLabel("Also at 1", { exact: true }).fill("17:30");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.locator("#job-schedule", { hasText: "Every day at 09:00 and 17:30" }).waitFor();
      assert(JSON.stringify(await codes()) === JSON.stringify(["0 9 * * *", "30 17 * * *"]), `${await codes()}`);
      const job = (await call("GET", `/details/${jobId}`)).body.data;
      assert(JSON.stringify(job.schedules) === JSON.stringify(["0 9 * * *", "30 17 * * *"]), "schedules");
      await page.goto(`${base()}#/`);
      const row = page.locator(`#jobs-table tr[data-job-id="${jobId}"]`);
      await row.waitFor();
      const listed = await row.locator("code").allTextContents();
      assert(JSON.stringify(listed) === JSON.stringify(["0 9 * * *", "30 17 * * *"]), `list: ${listed}`);
    });

    await step("schedules: Pause asks until when and why; the page and list show it; Resume clears it", async () => {
      // The browser's zone (New York): a January noon there is 17:00 UTC.
      await page.locator("#zone-select").selectOption("local");
      await page.goto(`${base()}#/jobs/${jobId}`);
      await page.locator("#job-title").waitFor();
      const year = new Date().getUTCFullYear() + 1;
      const until = `${year}-01-15T17:00:00Z`;
      await page.getByRole("button", { name: "Pause", exact: true }).click();
      await page.locator("#pause-form").waitFor();
      await page.getByLabel("Pause until (America/New_York)").fill("2000-01-01T00:00");
      await page.getByRole("button", { name: "Pause job" }).click();
      await page.locator("#pause-until-error", { hasText: "has passed" }).waitFor();
      await page.getByLabel("Pause until (America/New_York)").fill(`${year}-01-15T12:00`);
      await page.getByLabel("Reason (optional)").fill("E2E holidays");
      await shot(page, "dashboard-pause-until.png");
      await page.getByRole("button", { name: "Pause job" }).click();
      await page.locator("#job-header .badge.paused").waitFor();
      assert((await page.locator("#pause-form").isHidden()) === true, "the picker stays open");
      assert((await page.locator("#job-paused-until time").getAttribute("datetime")) === until, "until shown");
      assert((await page.locator("#job-pause-reason").textContent()) === "E2E holidays", "reason shown");
      const job = (await call("GET", `/details/${jobId}`)).body.data;
      assert(job.paused_until === until && job.pause_reason === "E2E holidays", `${job.paused_until}`);
      await page.goto(`${base()}#/`);
      const row = page.locator(`#jobs-table tr[data-job-id="${jobId}"]`);
      await row.locator(".paused-until time").waitFor();
      assert((await row.locator(".paused-until time").getAttribute("datetime")) === until, "list: until");
      assert((await row.locator(".pause-reason").textContent()) === "E2E holidays", "list: reason");
      await page.goto(`${base()}#/jobs/${jobId}`);
      await page.getByRole("button", { name: "Resume" }).click();
      await page.locator("#job-header .badge.active").waitFor();
      assert((await page.locator("#job-paused-until").count()) === 0, "the pause is still shown");
      await page.locator("#zone-select").selectOption("utc");
    });

    await step("SLO: an empty state, then the form's objective with its current value and budget left", async () => {
      await page.goto(`${base()}#/jobs/${jobId}`);
      await page.locator("#slo-empty").waitFor();
      await page.getByRole("link", { name: "Edit", exact: true }).click();
      await page.locator("#job-form").waitFor();
      await page.locator("#f-slo").check();
      await page.locator("#f-slo-success").fill("0.99");
      await page.locator("#f-slo-window").fill("7");
      await page.getByRole("button", { name: "Save changes" }).click();
      const objective = page.locator('#slo-table tr[data-objective="success_rate"]');
      await objective.waitFor();
      assert(((await objective.textContent()) ?? "").includes("99 % of runs succeed"), "objective");
      assert(((await objective.textContent()) ?? "").includes("no runs in the window"), "current before a run");
      assert(((await page.locator("#slo-window").textContent()) ?? "").startsWith("7 days"), "window");
      await page.getByRole("button", { name: "Run now" }).click();
      await page.locator("#run-status .badge").waitFor();
      const current = objective.locator("td").nth(1);
      for (let i = 0; i < 10 && !/succeeded$/.test((await current.textContent()) ?? ""); i++) {
        await page.waitForTimeout(1000);
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.waitForTimeout(300);
      }
      assert(/^(100|0) % succeeded$/.test((await current.textContent()) ?? ""), `${await current.textContent()}`);
      assert((await objective.locator("meter").count()) === 1, "no budget meter");
      assert(/left|spent/.test((await objective.locator("td").nth(2).textContent()) ?? ""), "budget");
      await shot(page, "dashboard-slo.png");
    });
  } finally {
    if (jobId) await call("DELETE", `/delete/${jobId}`).catch(() => {});
  }
}

/**
 * Calendars and maintenance windows through the Calendars page: a calendar (a bad date named by its entry, then
 * saved) and a window (once, then edited to mute); a job made in the form excludes the calendar, so deleting the
 * calendar is refused with the job named; once the job is gone the calendar and window are deleted.
 */
async function calendarsPhase(page: Page, accountId: string, key: Creds) {
  const call = apiCaller(page, accountId, key);
  const base = () => page.url().split("#")[0] ?? "";
  const stamp = Date.now();
  const calName = `E2E holidays ${stamp}`;
  const winName = `E2E upgrade ${stamp}`;
  const calRow = page.locator("#calendars-table tbody tr", { hasText: calName });
  const winRow = page.locator("#windows-table tbody tr", { hasText: winName });
  let jobId = "";
  try {
    await step("calendars: a calendar and a maintenance window are created and edited on the page", async () => {
      await switchKey(page, accountId, key);
      await page.locator("#zone-select").selectOption("utc");
      await page.getByRole("link", { name: "Calendars" }).click();
      await page.locator("#calendars-table").waitFor();
      await page.getByRole("button", { name: "New calendar" }).click();
      await page.getByLabel("Name", { exact: true }).fill(calName);
      await page.getByLabel("Timezone of its dates and cron (IANA)").fill("UTC");
      await page.getByLabel("Excluded dates (one YYYY-MM-DD per line)").fill("2099-12-25\n2099-02-30");
      await page.getByLabel("Recurring exclusions (one “cron minutes” per line)").fill("0 22 * * 5 120");
      await page.getByRole("button", { name: "Create calendar" }).click();
      await page.locator("#cal-dates-error", { hasText: "entry 2" }).waitFor();
      await page.getByLabel("Excluded dates (one YYYY-MM-DD per line)").fill("2099-12-25\n2099-12-26");
      await page.getByRole("button", { name: "Create calendar" }).click();
      await calRow.waitFor();
      assert(((await calRow.textContent()) ?? "").includes("2 dates · 1 recurring"), "calendar summary");

      await page.getByRole("button", { name: "New maintenance window" }).click();
      await page.getByLabel("Name (optional)").fill(winName);
      await page.getByLabel("Start (UTC)").fill("2099-03-01T02:00");
      await page.getByLabel("End (UTC, not included)").fill("2099-03-01T04:00");
      await page.getByLabel("Tags in scope (comma-separated)").fill("e2e-maintenance");
      await page.getByRole("button", { name: "Create window" }).click();
      await winRow.waitFor();
      assert((await winRow.getAttribute("data-action")) === "skip", "window action");
      assert((await winRow.locator("time").first().getAttribute("datetime")) === "2099-03-01T02:00:00Z", "start");
      await winRow.getByRole("button", { name: `Edit ${winName}` }).click();
      await page.getByLabel("During the window").selectOption("mute");
      await page.getByRole("button", { name: "Save window" }).click();
      await page.locator(`#windows-table tbody tr[data-action="mute"]`, { hasText: winName }).waitFor();
      await shot(page, "dashboard-calendars.png");
    });

    await step(
      "calendars: a job excludes it from the form; deleting it names the job; then all are deleted",
      async () => {
        await page.goto(`${base()}#/jobs/new`);
        await page.locator("#job-form").waitFor();
        await page.getByLabel("Name", { exact: true }).fill(`E2E excluding ${stamp}`);
        await page.getByLabel("Endpoint URL").fill("https://example.com/e2e-calendars");
        await page.getByLabel(calName, { exact: true }).check();
        await page.getByRole("button", { name: "Create job" }).click();
        await page.locator("#job-title", { hasText: `E2E excluding ${stamp}` }).waitFor();
        jobId = decodeURIComponent(page.url().split("#/jobs/")[1] ?? "");
        const job = (await call("GET", `/details/${jobId}`)).body.data as Record<string, unknown>;
        const calendars = (job.schedule_config as { exclude_calendars?: string[] }).exclude_calendars ?? [];
        assert(calendars.length === 1, `exclude_calendars ${JSON.stringify(calendars)}`);
        await page.getByRole("link", { name: "Calendars" }).click();
        await calRow.getByRole("button", { name: `Delete ${calName}` }).click();
        const inUse = page.locator("#calendar-in-use");
        await inUse.waitFor();
        assert((await inUse.getByRole("link", { name: `E2E excluding ${stamp}` }).count()) === 1, "job not named");
        assert((await calRow.count()) === 1, "the calendar went");
        const gone = await call("DELETE", `/delete/${jobId}`);
        assert(gone.status === 200, `delete job: ${gone.status}`);
        jobId = "";
        await calRow.getByRole("button", { name: `Delete ${calName}` }).click();
        await calRow.waitFor({ state: "detached" });
        await winRow.getByRole("button", { name: `Delete ${winName}` }).click();
        await winRow.waitFor({ state: "detached" });
      },
    );
  } finally {
    if (jobId) await call("DELETE", `/delete/${jobId}`).catch(() => {});
  }
}

const phaseKeys: Creds[] = [];

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  let wrangler: ChildProcess | undefined;
  let probed = false;
  const stop = () => {
    void stopWrangler(wrangler).then(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    let demo: Awaited<ReturnType<typeof seed>> | undefined;
    let base = "";
    await step("setup: migrate, seed, start wrangler dev", async () => {
      assert(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
      demo = await seed();
      demoShard = shardDatabase(demo.shard);
      // The API allows 100 requests a minute per key, more than this walk makes in a minute with one key: each
      // phase signs in with its own key (revoked at the end).
      for (const name of [
        "e2e jobs",
        "e2e settings",
        "e2e secrets",
        "e2e alerts",
        "e2e runs",
        "e2e read-only",
        "e2e schedules",
        "e2e calendars",
      ]) {
        const scope = name === "e2e read-only" ? "read_only" : "full";
        const k = await newKey(demo.account_id, Date.now(), {}, { name, scope });
        executeStatements({ remote: false }, k.statements);
        phaseKeys.push({ api_key: k.api_key, api_secret: k.api_secret });
      }
      executeStatements({ remote: false }, probeStatements(Date.now()), demoShard);
      probed = true;
      executeStatements(
        { remote: false },
        DEAD.flatMap((d) => d.insert),
        demoShard,
      );
      const port = await freePort(8799);
      const inspector = await freePort(9239);
      base = `http://127.0.0.1:${port}`;
      wrangler = startWrangler(port, inspector);
      await waitForHealth(base, wrangler);
    });
    if (demo && results.every((r) => r.ok)) {
      try {
        await run(demo, base, phaseKeys);
      } catch (e) {
        results.push({ name: "browser session", ok: false });
        console.log(`  ✗ browser session\n      ${String(e instanceof Error ? (e.stack ?? e.message) : e)}`);
      }
    }
  } finally {
    await stopWrangler(wrangler);
    rmSync(E2E_CONFIG, { force: true });
    if (phaseKeys.length) {
      executeStatements(
        { remote: false },
        phaseKeys.map((k) => revokeKeyStatement(k.api_key, Date.now())),
      );
    }
    if (probed) {
      try {
        executeStatements(
          { remote: false },
          DEAD.flatMap((d) => d.remove),
          demoShard,
        );
        deleteProbe();
      } catch (e) {
        console.log(`(could not delete the probe row ${PROBE_ID}: ${String(e)})`);
      }
    }
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\nScreenshots: ${ARTIFACTS}/*.png`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
