/**
 * End-to-end test of the dashboard in headless Chromium (`npm run test:e2e`; Node, not workerd).
 *
 * Migrates and seeds the local D1 (the same demo account as `npm start`), adds one execution whose
 * response body is an HTML/script injection probe, runs `wrangler dev` on a free port, and drives
 * Debian's Chromium through playwright-core: sign in, jobs list, a job page, the failure filter,
 * the date filter, pagination, sign-out. Screenshots go to test-artifacts/. wrangler is stopped and
 * the probe row deleted at the end, also on failure. The last line is "N passed, N failed".
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { executeStatements, offlineEnv } from "../../scripts/lib/d1";
import { seed } from "../../scripts/seed";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = "test-artifacts";
const JOB_ID = "00000000-0000-4000-8000-0000000a0002"; // Hourly Inventory Sync: plenty of history
const JOB_NAME = "Hourly Inventory Sync";
const PROBE_ID = "exe_e2e_dashboard_injection_probe";
const PROBE_BODY = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script></pre></details><b id="injected">x</b>`;
const PROBE_ERROR = `Endpoint returned status code 500 <svg onload="window.__xss=3">`;
const TIMEOUT = 15_000;

const results: Array<{ name: string; ok: boolean }> = [];

async function step(name: string, fn: () => Promise<void>) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
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
              error_message, response_time_ms, retry_attempt)
            VALUES (?, ?, ?, ?, 'failure', 500, ?, ?, 321, 0) ON CONFLICT(id) DO NOTHING`,
      params: [PROBE_ID, JOB_ID, "00000000-0000-4000-8000-00000000de00", now - 5 * 60_000, PROBE_BODY, PROBE_ERROR],
    },
  ];
}

function deleteProbe() {
  // Logs are deleted only by the sweep, which keeps log_counts in step itself; this probe does the same.
  executeStatements({ remote: false }, [
    {
      sql: `UPDATE log_counts SET n = n - 1 WHERE (cron_job_id, day, status) IN
              (SELECT cron_job_id, executed_at / 86400000, status FROM execution_logs WHERE id = ?)`,
      params: [PROBE_ID],
    },
    { sql: "DELETE FROM execution_logs WHERE id = ?", params: [PROBE_ID] },
  ]);
}

function startWrangler(port: number, inspectorPort: number): ChildProcess {
  const log = createWriteStream(join(ARTIFACTS, "wrangler-e2e.log"));
  const child = spawn(
    "npx",
    [
      "--no-install",
      "wrangler",
      "dev",
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

async function run(demo: { account_id: string; api_key: string; api_secret: string }, base: string) {
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
      timezoneId: "UTC",
      locale: "en-GB",
    });
    context.setDefaultTimeout(TIMEOUT);
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    const requests: Array<{ url: string; headers: Record<string, string> }> = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      // Expected: the 401 of the wrong-credentials step and the 404 of a missing stats route.
      if (m.text().startsWith("Failed to load resource") && m.location().url.includes("/v1/")) return;
      consoleErrors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers() }));

    await step("GET /dashboard shows the sign-in form", async () => {
      const res = await page.goto(`${base}/dashboard`);
      assert(res?.status() === 200, `status ${res?.status()}`);
      await page.locator("#signin").waitFor({ state: "visible" });
      assert(await page.getByLabel("API secret").isVisible(), "no labelled secret field");
      mkdirSync(ARTIFACTS, { recursive: true });
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
      assert(await page.locator("#signin").isVisible(), "sign-in form hidden after a failed sign-in");
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
      assert(await page.locator("#signin").isHidden(), "sign-in form still visible");
    });

    await step("jobs table: name, schedule, next run, last status, active, 24-hour strip", async () => {
      const rows = page.locator("#jobs-table tbody tr[data-job-id]");
      assert((await rows.count()) === 3, `expected 3 demo jobs, got ${await rows.count()}`);
      await page.waitForFunction(() => document.querySelectorAll("#jobs-table svg.strip").length === 3, undefined, {
        timeout: TIMEOUT,
      });
      const headers = await page.$$eval("#jobs-table thead th", (ths) => ths.map((t) => t.textContent));
      assert(
        JSON.stringify(headers) ===
          JSON.stringify(["Name", "Schedule", "Next run", "Last status", "Active", "Last 24 hours"]),
        `headers ${JSON.stringify(headers)}`,
      );
      const strips = await page.$$eval("#jobs-table svg.strip", (svgs) =>
        svgs.map((s) => ({
          cells: s.querySelectorAll("g.cell").length,
          label: s.getAttribute("aria-label") ?? "",
          statuses: Array.from(s.querySelectorAll("g.cell"), (g) => g.getAttribute("data-status")),
        })),
      );
      for (const s of strips) {
        assert(s.cells === 24, `strip has ${s.cells} cells`);
        assert(s.label.startsWith("Last 24 hours:"), `strip label ${s.label}`);
      }
      // The 10-minute and hourly jobs ran in every hour of the last day.
      const busy = strips.filter((s) => s.statuses.filter((x) => x === "none").length <= 1);
      assert(busy.length >= 2, `strips ${JSON.stringify(strips.map((s) => s.label))}`);
      const row = rows.filter({ hasText: JOB_NAME });
      assert((await row.locator("text=Every hour at :15").count()) === 1, "schedule not described");
      assert((await row.locator(".badge.active").count()) === 1, "active badge missing");
      assert((await row.locator("time").count()) === 1, "next run missing");
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-jobs.png"), fullPage: true });
    });

    await step("opens a job: header, timeline, success-rate and p95 charts", async () => {
      await page.getByRole("link", { name: JOB_NAME }).click();
      await page.locator("#job-title", { hasText: JOB_NAME }).waitFor();
      assert(page.url().endsWith(`/dashboard#/jobs/${JOB_ID}`), `url ${page.url()}`);
      await page.locator("#timeline svg.timeline rect").first().waitFor();
      const bars = await page.locator("#timeline svg.timeline rect").count();
      assert(bars === 100, `timeline has ${bars} bars`);
      await page.locator("#chart-success svg circle").first().waitFor();
      const ratePoints = await page.locator("#chart-success svg circle").count();
      const p95Points = await page.locator("#chart-p95 svg circle").count();
      assert(ratePoints >= 25 && p95Points >= 25, `chart points ${ratePoints}/${p95Points}`);
      const summary = (await page.locator("#stats-summary").textContent()) ?? "";
      assert(/Success rate\d+\.\d %/.test(summary), `summary ${summary}`);
      const note = await page.locator("#charts .hint").textContent();
      console.log(`      (charts: ${note})`);
      await waitForLogs(page);
      assert((await page.locator("#logs-table tbody tr[data-status]").count()) === 25, "log page is not 25 rows");
    });

    await step("filters the log to failures: only failure rows", async () => {
      await page.getByLabel("Status", { exact: true }).selectOption("failure");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForFunction(() => location.hash.includes("status=failure"), undefined, { timeout: TIMEOUT });
      await page.locator("#logs-summary", { hasText: "with status failure" }).waitFor();
      await waitForLogs(page);
      const rows = await rowStatuses(page);
      assert(rows.length > 0, "no failure rows");
      const others = rows.filter((r) => r.status !== "failure" || r.badge !== "failure");
      assert(others.length === 0, `non-failure rows: ${JSON.stringify(others)}`);
    });

    await step("response bodies and errors are shown as text, never parsed as HTML", async () => {
      const probeRow = page.locator("#logs-table tbody tr", { hasText: "window.__xss=3" });
      await probeRow.waitFor();
      await probeRow.locator("details summary").click();
      const pre = (await probeRow.locator("details pre").textContent()) ?? "";
      assert(pre === PROBE_BODY, `body shown as ${JSON.stringify(pre)}`);
      assert(await probeRow.locator("details pre").isVisible(), "expanded body not visible");
      const injected = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: number }).__xss ?? null,
        img: document.querySelectorAll("#logs-table img, #logs-table script, #logs-table b, #logs-table svg").length,
        byId: document.getElementById("injected") !== null,
      }));
      assert(injected.xss === null && injected.img === 0 && !injected.byId, `injected: ${JSON.stringify(injected)}`);
      await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    });

    await step("date range filter keeps the status filter and narrows by UTC day", async () => {
      const today = new Date().toISOString().slice(0, 10);
      await page.getByLabel("From (UTC date)").fill(today);
      await page.getByLabel("To (UTC date)").fill(today);
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
      await page.getByRole("button", { name: "← Newer" }).click();
      await page.locator("#logs-page", { hasText: /^Page 1 of/ }).waitFor();
    });

    await step("API calls carry the headers; no URL holds a credential; nothing leaves this origin", async () => {
      const origin = new URL(base).origin;
      const api = requests.filter((r) => r.url.includes("/v1/"));
      assert(api.length > 5, `only ${api.length} API requests`);
      for (const r of requests) {
        assert(r.url.startsWith(origin) || r.url.startsWith("data:"), `request to another origin: ${r.url}`);
        assert(!r.url.includes(demo.api_key) && !r.url.includes(demo.api_secret), `credential in URL: ${r.url}`);
        assert(!r.headers.cookie, `cookie sent: ${r.url}`);
      }
      for (const r of api) assert(r.headers["x-api-key"] === demo.api_key, `no X-API-Key on ${r.url}`);
    });

    await step("sign-out clears sessionStorage and shows the sign-in form", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.locator("#signin").waitFor({ state: "visible" });
      assert((await page.evaluate(() => sessionStorage.length)) === 0, "sessionStorage not cleared");
      assert((await page.getByLabel("API secret").inputValue()) === "", "secret still in the form");
      assert((await page.locator("#view").textContent()) === "", "job data still on the page");
      await page.reload();
      await page.locator("#signin").waitFor({ state: "visible" });
      assert(await page.locator("#session").isHidden(), "still signed in after reload");
    });

    await step("no script errors or CSP violations", async () => {
      assert(pageErrors.length === 0, `page errors: ${pageErrors.join("; ")}`);
      assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join("; ")}`);
    });
  } finally {
    await context?.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

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
      executeStatements({ remote: false }, probeStatements(Date.now()));
      probed = true;
      const port = await freePort(8799);
      const inspector = await freePort(9239);
      base = `http://127.0.0.1:${port}`;
      wrangler = startWrangler(port, inspector);
      await waitForHealth(base, wrangler);
    });
    if (demo && results.every((r) => r.ok)) {
      try {
        await run(demo, base);
      } catch (e) {
        results.push({ name: "browser session", ok: false });
        console.log(`  ✗ browser session\n      ${String(e instanceof Error ? (e.stack ?? e.message) : e)}`);
      }
    }
  } finally {
    await stopWrangler(wrangler);
    if (probed) {
      try {
        deleteProbe();
      } catch (e) {
        console.log(`(could not delete the probe row ${PROBE_ID}: ${String(e)})`);
      }
    }
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\nScreenshots: ${ARTIFACTS}/dashboard.png, ${ARTIFACTS}/dashboard-jobs.png`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
