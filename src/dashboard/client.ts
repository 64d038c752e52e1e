/**
 * The dashboard's browser script, inlined into the page as plain JavaScript (no build step).
 *
 * Rules it keeps, because response bodies and job fields are attacker-controlled:
 * - DOM is built with createElement / textContent / setAttribute only — never innerHTML & co.
 *   (test/dashboard/dashboard.test.ts fails if any HTML-parsing sink appears here);
 * - the only links it builds are `#/jobs/<encoded id>`; endpoint URLs are shown as text;
 * - credentials live in sessionStorage and go out only as X-API-Key / X-API-Secret headers.
 *
 * It is a String.raw literal: no backticks or dollar-brace sequences inside, and no closing script tag.
 */
export const DASHBOARD_CLIENT_JS = String.raw`
(() => {
  "use strict";
  const STORE_KEY = "edgecron.dashboard.credentials";
  const STATUSES = ["success", "failure", "error", "timeout"];
  const COLORS = { success: "#15803d", failure: "#b91c1c", error: "#c2410c", timeout: "#6d28d9", none: "#d9dde3" };
  const SVG_NS = "http://www.w3.org/2000/svg";
  const MINUTE = 60000;
  const HOUR = 3600000;
  const DAY = 86400000;
  const LOG_PAGE_SIZE = 25;
  const STATS_DAYS = 30;
  const enc = encodeURIComponent;
  const byId = (id) => document.getElementById(id);

  const els = {
    session: byId("session"),
    sessionAccount: byId("session-account"),
    signout: byId("signout"),
    notice: byId("notice"),
    signin: byId("signin"),
    form: byId("signin-form"),
    accountId: byId("account-id"),
    apiKey: byId("api-key"),
    apiSecret: byId("api-secret"),
    signinError: byId("signin-error"),
    signinSubmit: byId("signin-submit"),
    view: byId("view"),
  };

  // ---------- DOM: text nodes and attributes only ----------
  function add(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      for (const c of child) add(parent, c);
      return;
    }
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    for (const key of Object.keys(attrs)) {
      const value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key.slice(0, 2) === "on") {
        if (typeof value === "function") el.addEventListener(key.slice(2), value);
        continue;
      }
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    add(el, children);
    return el;
  }
  function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    add(el, children);
    return el;
  }

  // ---------- formatting ----------
  const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
    timeZoneName: "short",
  });
  const shortFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  const clockFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const dayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
  const numFmt = new Intl.NumberFormat();
  const plural = (n, one, many) => numFmt.format(n) + " " + (n === 1 ? one : many);
  const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const isoSeconds = (ms) => new Date(ms).toISOString().slice(0, 19) + "Z";

  function timeEl(iso, fmt) {
    if (!iso) return h("span", { class: "muted" }, "—");
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return h("span", null, String(iso));
    return h("time", { datetime: iso, title: iso }, (fmt || dateTimeFmt).format(d));
  }
  function relative(ms) {
    const abs = Math.abs(ms);
    let s;
    if (abs < MINUTE) s = "under a minute";
    else if (abs < HOUR - MINUTE / 2) s = Math.round(abs / MINUTE) + " min";
    else if (abs < 2 * DAY) {
      const total = Math.round(abs / MINUTE);
      const mins = total % 60;
      s = Math.floor(total / 60) + " h" + (mins ? " " + mins + " min" : "");
    } else s = Math.round(abs / DAY) + " days";
    return ms > 0 ? "in " + s : s + " ago";
  }
  function statusBadge(status) {
    if (!status) return h("span", { class: "badge none" }, "never run");
    return h("span", { class: STATUSES.includes(status) ? "badge " + status : "badge" }, String(status));
  }
  const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  function describeSchedule(job) {
    const c = job.schedule_config || {};
    if (typeof c.cron === "string") return "Cron " + c.cron;
    const unit = { hourly: "hour", days: "day", weeks: "week", months: "month", years: "year" }[c.repeat_type];
    if (!unit) return String(job.schedule);
    const every = Number(c.repeat_every) > 1 ? Number(c.repeat_every) : 1;
    let s = every === 1 ? "Every " + unit : "Every " + every + " " + unit + "s";
    const time = typeof c.time === "string" ? c.time : "00:00";
    if (c.repeat_type === "hourly") return s + " at :" + time.slice(3);
    if (c.repeat_type === "weeks" && Array.isArray(c.days_of_week)) {
      s += " on " + c.days_of_week.map((d) => WEEKDAYS[Number(d)] || String(d)).join(", ");
    }
    if (c.repeat_type === "months") s += " on day " + (c.day_of_month || 1);
    if (c.repeat_type === "years") s += " on Jan " + (c.day_of_month || 1);
    return s + " at " + time;
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }
  function percentile(values, p) {
    if (!values.length) return null;
    const sorted = values.slice().sort((a, b) => a - b);
    const i = Math.ceil((p / 100) * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
  function legend() {
    return h(
      "ul",
      { class: "legend", "aria-label": "Colour key" },
      STATUSES.map((s) => h("li", null, h("span", { class: "swatch " + s, "aria-hidden": "true" }), s)),
      h("li", null, h("span", { class: "swatch", "aria-hidden": "true" }), "no runs"),
    );
  }

  // ---------- credentials (sessionStorage only) ----------
  function loadCreds() {
    try {
      const c = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (c && typeof c.accountId === "string" && typeof c.apiKey === "string" && typeof c.apiSecret === "string") {
        return c;
      }
    } catch (_) {}
    return null;
  }
  let creds = loadCreds();
  let currentJob = null;

  // ---------- API ----------
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }
  function query(params) {
    const qs = new URLSearchParams();
    for (const key of Object.keys(params || {})) {
      const v = params[key];
      if (v !== undefined && v !== null && v !== "") qs.set(key, String(v));
    }
    const s = qs.toString();
    return s ? "?" + s : "";
  }
  async function api(path, params, candidate) {
    const c = candidate || creds;
    if (!c) throw new ApiError(401, "Not signed in");
    let res;
    try {
      res = await fetch("/v1/cron-jobs/" + enc(c.accountId) + path + query(params), {
        headers: { Accept: "application/json", "X-API-Key": c.apiKey, "X-API-Secret": c.apiSecret },
        cache: "no-store",
        credentials: "omit",
        redirect: "error",
        referrerPolicy: "no-referrer",
      });
    } catch (_) {
      throw new ApiError(0, "The server could not be reached.");
    }
    let body = null;
    try {
      body = await res.json();
    } catch (_) {}
    if (!res.ok) {
      const detail = body && typeof body.detail === "string" ? body.detail : "HTTP " + res.status;
      if (!candidate && (res.status === 401 || res.status === 403)) signOut("Signed out: " + detail);
      throw new ApiError(res.status, detail);
    }
    return body;
  }
  async function fetchLogsSince(jobId, since, maxPages) {
    const params = { start_date: isoSeconds(since), limit: 100 };
    const path = "/logs/" + enc(jobId);
    const first = await api(path, Object.assign({ page: 1 }, params));
    let rows = first.data.slice();
    const pages = Math.min(first.pagination.total_pages, maxPages);
    const rest = [];
    for (let page = 2; page <= pages; page++) rest.push(api(path, Object.assign({ page }, params)));
    for (const r of await Promise.all(rest)) rows = rows.concat(r.data);
    const seen = new Set();
    rows = rows.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
    return { rows, total: first.pagination.total_items };
  }
  async function runLimited(tasks, n) {
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        await task();
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  }

  // ---------- session ----------
  function notice(message) {
    els.notice.textContent = message || "";
  }
  function showSignIn(message) {
    els.session.hidden = true;
    els.sessionAccount.textContent = "";
    els.view.replaceChildren();
    els.signin.hidden = false;
    els.signinError.textContent = message || "";
    document.title = "Sign in · edgecron dashboard";
    els.accountId.focus();
  }
  function signOut(message) {
    sessionStorage.removeItem(STORE_KEY);
    creds = null;
    currentJob = null;
    els.form.reset();
    notice("");
    showSignIn(message);
  }
  els.form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const candidate = {
      accountId: els.accountId.value.trim(),
      apiKey: els.apiKey.value.trim(),
      apiSecret: els.apiSecret.value.trim(),
    };
    if (!candidate.accountId || !candidate.apiKey || !candidate.apiSecret) {
      els.signinError.textContent = "Enter the account ID, the API key and the API secret.";
      return;
    }
    els.signinSubmit.disabled = true;
    els.signinError.textContent = "Signing in…";
    try {
      await api("/list", { limit: 1 }, candidate);
      sessionStorage.setItem(STORE_KEY, JSON.stringify(candidate));
      creds = candidate;
      els.apiSecret.value = "";
      els.signinError.textContent = "";
      render();
    } catch (e) {
      els.signinError.textContent = "Sign-in failed: " + e.message;
    } finally {
      els.signinSubmit.disabled = false;
    }
  });
  els.signout.addEventListener("click", () => {
    signOut("You are signed out.");
    if (location.hash) history.replaceState(null, "", location.pathname);
  });

  // ---------- routing: #/ (jobs) and #/jobs/<id>?status=&from=&to=&page= ----------
  function parseRoute() {
    const raw = location.hash.replace(/^#/, "");
    const q = raw.indexOf("?");
    const path = q === -1 ? raw : raw.slice(0, q);
    const params = new URLSearchParams(q === -1 ? "" : raw.slice(q + 1));
    const m = /^\/jobs\/([^/]+)\/?$/.exec(path);
    if (m) {
      try {
        return { view: "job", id: decodeURIComponent(m[1]), params };
      } catch (_) {}
    }
    return { view: "jobs", params };
  }
  function render() {
    if (!creds) {
      showSignIn();
      return;
    }
    els.signin.hidden = true;
    els.signinError.textContent = "";
    els.session.hidden = false;
    els.sessionAccount.textContent = creds.accountId;
    notice("");
    const route = parseRoute();
    if (route.view === "job") {
      if (currentJob && currentJob.id === route.id && currentJob.root.isConnected) {
        currentJob.showLogs(route.params);
        return;
      }
      currentJob = jobView(route.id, route.params);
    } else {
      currentJob = null;
      jobsView();
    }
    window.scrollTo(0, 0);
  }
  window.addEventListener("hashchange", render);

  // ---------- jobs list ----------
  async function loadAllJobs() {
    const jobs = [];
    for (let page = 1; page <= 50; page++) {
      const body = await api("/list", { page, limit: 100 });
      for (const job of body.data) jobs.push(job);
      if (page >= body.pagination.total_pages) break;
    }
    return jobs;
  }
  function jobsView() {
    document.title = "Cron jobs · edgecron dashboard";
    const count = h("p", { class: "muted", id: "jobs-count" }, "Loading…");
    const tbody = h("tbody");
    const root = h(
      "div",
      null,
      h(
        "div",
        { class: "head" },
        h("div", null, h("h1", null, "Cron jobs"), count),
        h("button", { type: "button", onclick: () => render() }, "Refresh"),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "jobs-title" },
        h("div", { class: "head" }, h("h2", { id: "jobs-title" }, "Jobs"), legend()),
        h(
          "table",
          { id: "jobs-table" },
          h("caption", { class: "sr-only" }, "Cron jobs with their executions over the last 24 hours"),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Name", "Schedule", "Next run", "Last status", "Active", "Last 24 hours"].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          tbody,
        ),
      ),
    );
    els.view.replaceChildren(root);
    loadAllJobs()
      .then((jobs) => {
        count.textContent = plural(jobs.length, "job", "jobs");
        if (!jobs.length) {
          tbody.append(
            h("tr", null, h("td", { colspan: "6", class: "empty" }, "No cron jobs yet: create one with the API.")),
          );
          return;
        }
        const strips = [];
        for (const job of jobs) {
          const stripCell = h("td", { class: "strip-cell" }, h("span", { class: "loading" }, "Loading…"));
          const now = Date.now();
          tbody.append(
            h(
              "tr",
              { "data-job-id": job.id },
              h(
                "td",
                null,
                h("a", { class: "job-name", href: "#/jobs/" + enc(job.id) }, job.name),
                job.tags && job.tags.length ? h("span", { class: "sub" }, job.tags.join(", ")) : null,
              ),
              h(
                "td",
                null,
                describeSchedule(job),
                h("span", { class: "sub" }, h("code", null, job.schedule), " · " + job.timezone),
              ),
              h(
                "td",
                null,
                job.is_active && job.next_run_at
                  ? [timeEl(job.next_run_at, shortFmt), h("span", { class: "sub" }, relative(Date.parse(job.next_run_at) - now))]
                  : h("span", { class: "muted" }, "—"),
              ),
              h(
                "td",
                null,
                statusBadge(job.last_run_status),
                job.last_run_at ? h("span", { class: "sub" }, relative(Date.parse(job.last_run_at) - now)) : null,
              ),
              h("td", null, h("span", { class: "badge " + (job.is_active ? "active" : "paused") }, job.is_active ? "Active" : "Paused")),
              stripCell,
            ),
          );
          strips.push(() => loadStrip(job, stripCell));
        }
        return runLimited(strips, 6);
      })
      .catch((e) => {
        count.textContent = "";
        notice("Could not load the jobs: " + e.message);
      });
  }
  async function loadStrip(job, cell) {
    const now = Date.now();
    const since = now - DAY;
    try {
      const { rows, total } = await fetchLogsSince(job.id, since, 3);
      cell.replaceChildren(statusStrip(rows, total, since, now));
    } catch (e) {
      cell.replaceChildren(h("span", { class: "muted" }, "Unavailable: " + e.message));
    }
  }
  function countsText(counts) {
    const parts = STATUSES.filter((s) => counts[s]).map((s) => counts[s] + " " + s);
    return parts.length ? parts.join(", ") : "no runs";
  }
  function worstStatus(c) {
    let best = null;
    for (const s of ["failure", "error", "timeout"]) if (c[s] && (!best || c[s] > c[best])) best = s;
    return best || (c.success ? "success" : null);
  }
  function statusStrip(rows, total, since, now) {
    const HOURS = 24;
    const W = 9;
    const GAP = 2;
    const H = 22;
    const cells = Array.from({ length: HOURS }, () => ({ success: 0, failure: 0, error: 0, timeout: 0 }));
    const counts = { success: 0, failure: 0, error: 0, timeout: 0 };
    let oldest = now;
    for (const r of rows) {
      const t = Date.parse(r.executed_at);
      if (!(t >= since) || !STATUSES.includes(r.status)) continue;
      const cell = cells[Math.min(HOURS - 1, Math.floor((t - since) / HOUR))];
      cell[r.status]++;
      counts[r.status]++;
      if (t < oldest) oldest = t;
    }
    const truncated = total > rows.length;
    const width = HOURS * (W + GAP) - GAP;
    const label =
      "Last 24 hours: " + countsText(counts) + (truncated ? " (latest " + rows.length + " of " + total + " runs)" : "");
    const el = svg("svg", { class: "strip", width, height: H, viewBox: "0 0 " + width + " " + H, role: "img", "aria-label": label });
    cells.forEach((c, i) => {
      const start = since + i * HOUR;
      const missing = truncated && start + HOUR <= oldest;
      const status = worstStatus(c);
      const title =
        shortFmt.format(new Date(start)) + "–" + clockFmt.format(new Date(start + HOUR)) + ": " +
        (missing ? "not loaded" : countsText(c));
      const x = i * (W + GAP);
      const n = STATUSES.reduce((sum, st) => sum + c[st], 0);
      const cell = svg("g", { class: "cell", "data-status": missing ? "missing" : status || "none" }, svg("title", null, title));
      if (missing || !n) {
        cell.append(svg("rect", {
          x, y: 0, width: W, height: H, rx: 2,
          fill: missing ? "#f3f4f6" : COLORS.none,
          stroke: missing ? "#c7ccd4" : null,
          "stroke-dasharray": missing ? "2 2" : null,
        }));
      } else {
        // Stacked by status, success at the bottom: a mostly-green hour with one failure looks like one.
        // A status that occurred keeps at least 3 px so a single failure among many runs stays visible.
        const bad = ["failure", "error", "timeout"].filter((st) => c[st]);
        const heights = {};
        for (const st of bad) heights[st] = Math.max(3, (c[st] / n) * H);
        let badTotal = bad.reduce((sum, st) => sum + heights[st], 0);
        if (badTotal > H) {
          for (const st of bad) heights[st] = (heights[st] * H) / badTotal;
          badTotal = H;
        }
        heights.success = c.success ? H - badTotal : 0;
        let y = H;
        for (const st of STATUSES) {
          if (!heights[st]) continue;
          y -= heights[st];
          cell.append(svg("rect", { x, y: y.toFixed(2), width: W, height: heights[st].toFixed(2), fill: COLORS[st] }));
        }
      }
      el.append(cell);
    });
    const runs = STATUSES.reduce((n, s) => n + counts[s], 0);
    const failed = runs - counts.success;
    const note = runs ? plural(runs, "run", "runs") + (failed ? " · " + failed + " not ok" : " · all ok") : "no runs";
    return h("div", null, el, h("span", { class: "strip-note", "aria-hidden": "true" }, note));
  }

  // ---------- one job ----------
  function jobView(id, params) {
    document.title = "Job · edgecron dashboard";
    const header = h("div", { class: "panel" }, h("p", { class: "loading" }, "Loading job…"));
    const timeline = h(
      "section",
      { class: "panel", "aria-labelledby": "timeline-title", id: "timeline" },
      h("h2", { id: "timeline-title" }, "Recent executions"),
      h("p", { class: "loading" }, "Loading…"),
    );
    const charts = h(
      "section",
      { class: "panel", "aria-labelledby": "charts-title", id: "charts" },
      h("h2", { id: "charts-title" }, "Last 30 days"),
      h("p", { class: "loading" }, "Loading…"),
    );
    const logs = logsSection(id);
    const root = h("div", null, h("a", { href: "#/", class: "back" }, "← All jobs"), header, timeline, charts, logs.el);
    els.view.replaceChildren(root);
    logs.show(params);
    api("/details/" + enc(id))
      .then((body) => {
        header.replaceChildren(jobHeader(body.data));
        document.title = body.data.name + " · edgecron dashboard";
      })
      .catch((e) => {
        header.replaceChildren(
          h("p", { class: "form-error" }, e.status === 404 ? "This job does not exist in this account." : "Could not load the job: " + e.message),
        );
      });
    loadInsights(id, timeline, charts);
    return { id, root, showLogs: logs.show };
  }
  function jobHeader(job) {
    const facts = [
      ["Endpoint", [h("code", null, job.method), " ", h("span", { class: "mono" }, job.endpoint_url)]],
      ["Schedule", [describeSchedule(job), " (" + job.timezone + ") ", h("code", null, job.schedule)]],
      [
        "Next runs",
        job.is_active && job.next_runs && job.next_runs.length
          ? job.next_runs.map((r, i) => [i ? " · " : "", timeEl(r, shortFmt)])
          : "— (paused or ended)",
      ],
      ["Last run", job.last_run_at ? [timeEl(job.last_run_at), " ", statusBadge(job.last_run_status)] : "never"],
      [
        "All-time",
        plural(job.total_executions, "execution", "executions") + " · " + numFmt.format(job.successful_executions) +
          " succeeded · " + numFmt.format(job.failed_executions) + " did not",
      ],
      [
        "Retries",
        job.max_retries + " × " + job.retry_delay_seconds + " s apart · timeout " + job.timeout_seconds + " s",
      ],
    ];
    return h(
      "div",
      null,
      h(
        "div",
        { class: "head" },
        h(
          "div",
          null,
          h("h1", { id: "job-title" }, job.name),
          job.description ? h("p", { class: "muted" }, job.description) : null,
        ),
        h("span", { class: "badge " + (job.is_active ? "active" : "paused") }, job.is_active ? "Active" : "Paused"),
      ),
      h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
    );
  }

  // Timeline (latest 100 runs) and daily charts (stats API if present, else computed from logs).
  async function loadInsights(id, timelineEl, chartsEl) {
    const timelineTitle = timelineEl.firstChild;
    try {
      const body = await api("/logs/" + enc(id), { limit: 100 });
      timelineEl.replaceChildren(timelineTitle, timelineChart(body.data, body.pagination.total_items));
    } catch (e) {
      timelineEl.replaceChildren(timelineTitle, h("p", { class: "form-error" }, "Could not load executions: " + e.message));
    }
    const chartsTitle = chartsEl.firstChild;
    try {
      let stats = await serverStats(id);
      if (stats.failed !== undefined) {
        const reason = stats.failed;
        stats = await browserStats(id);
        stats.note = reason + stats.note;
      }
      chartsEl.replaceChildren(chartsTitle, statsSummary(stats), chartsGrid(stats), h("p", { class: "hint" }, stats.note));
    } catch (e) {
      chartsEl.replaceChildren(chartsTitle, h("p", { class: "form-error" }, "Could not load statistics: " + e.message));
    }
  }
  // GET /stats/{id}?bucket=day (src/routes/stats.ts): success_rate is a 0–1 ratio, percentiles are over
  // successful runs. Without that route (or when it fails) the charts are computed from the logs instead.
  async function serverStats(id) {
    const since = Math.floor(Date.now() / DAY) * DAY - (STATS_DAYS - 1) * DAY;
    let body;
    try {
      body = await api("/stats/" + enc(id), { bucket: "day", start_date: isoSeconds(since).slice(0, 10) });
    } catch (e) {
      if (e.status === 0 || e.status === 401 || e.status === 403) throw e;
      return { failed: e.status === 404 || e.status === 405 ? "" : "The stats API failed: " + e.message + " " };
    }
    const d = body && body.data;
    if (!d || !Array.isArray(d.series)) return { failed: "The stats API answered an unexpected shape. " };
    const pct = (v) => (num(v) === null ? null : v * 100);
    const p95 = (o) => (o && typeof o === "object" ? num(o.p95) : null);
    const series = d.series
      .map((b) => ({ start: Date.parse(b.start || b.bucket_start), total: num(b.total), rate: pct(b.success_rate), p95: p95(b.response_time_ms) }))
      .filter((b) => !Number.isNaN(b.start))
      .sort((a, b) => a.start - b.start);
    if (!series.length) return { failed: "The stats API returned no buckets. " };
    return {
      series,
      from: series[0].start,
      to: series[series.length - 1].start + DAY,
      rate: pct(d.success_rate),
      p95: p95(d.response_time_ms),
      total: num(d.total),
      note: "Daily buckets (UTC) from the stats API.",
    };
  }
  async function browserStats(id) {
    const now = Date.now();
    const since = Math.floor(now / DAY) * DAY - (STATS_DAYS - 1) * DAY;
    const { rows, total } = await fetchLogsSince(id, since, 10);
    const firstDay = Math.floor(since / DAY);
    const days = Math.floor(now / DAY) - firstDay + 1;
    const buckets = Array.from({ length: days }, (_, i) => ({ start: (firstDay + i) * DAY, total: 0, ok: 0, times: [] }));
    const times = [];
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
      // Like the stats API: response times of successful runs only.
      if (typeof r.response_time_ms === "number") (b.times.push(r.response_time_ms), times.push(r.response_time_ms));
    }
    const partial = total > rows.length;
    const series = buckets.map((b) => {
      const unknown = b.total === 0 || (partial && b.start + DAY <= oldest);
      return { start: b.start, total: b.total, rate: unknown ? null : (b.ok / b.total) * 100, p95: unknown ? null : percentile(b.times, 95) };
    });
    return {
      series,
      from: firstDay * DAY,
      to: (firstDay + days) * DAY,
      rate: rows.length ? (ok / rows.length) * 100 : null,
      p95: percentile(times, 95),
      total: rows.length,
      note:
        "Daily buckets (UTC) computed in the browser from " +
        (partial ? "the latest " + numFmt.format(rows.length) + " of " + numFmt.format(total) : "all " + numFmt.format(total)) +
        " executions of the last " + STATS_DAYS + " days.",
    };
  }
  function statsSummary(stats) {
    const item = (label, value) => h("div", null, h("dt", null, label), h("dd", null, value));
    return h(
      "dl",
      { class: "stats", id: "stats-summary" },
      item("Success rate", stats.rate === null ? "—" : stats.rate.toFixed(1) + " %"),
      item("p95 response time (successful runs)", stats.p95 === null ? "—" : numFmt.format(Math.round(stats.p95)) + " ms"),
      item("Executions", stats.total === null ? "—" : numFmt.format(stats.total)),
    );
  }
  function chartsGrid(stats) {
    const points = (key) => stats.series.map((b) => ({ x: b.start + DAY / 2, y: b[key], b }));
    const rates = points("rate");
    const p95s = points("p95");
    const maxP95 = niceMax(Math.max(0, ...p95s.map((p) => p.y || 0)));
    const known = (ps) => ps.filter((p) => p.y !== null);
    const summary = (ps, fmt) => {
      const k = known(ps);
      if (!k.length) return "no data";
      const ys = k.map((p) => p.y);
      return "lowest " + fmt(Math.min(...ys)) + ", highest " + fmt(Math.max(...ys)) + ", latest " + fmt(ys[ys.length - 1]);
    };
    const pctFmt = (v) => v.toFixed(1) + " %";
    const msFmt = (v) => numFmt.format(Math.round(v)) + " ms";
    return h(
      "div",
      { class: "charts" },
      chartFigure("Success rate per day", "chart-success", lineChart({
        points: rates, x0: stats.from, x1: stats.to, yMax: 100, yTicks: [0, 50, 100], fmtY: (v) => v + "%",
        color: COLORS.success, label: "Success rate per day: " + summary(rates, pctFmt),
        pointTitle: (p) => dayFmt.format(new Date(p.b.start)) + ": " + pctFmt(p.y) + (p.b.total ? " of " + plural(p.b.total, "run", "runs") : ""),
        pointColor: (p) => (p.y >= 99 ? COLORS.success : p.y >= 90 ? COLORS.error : COLORS.failure),
      })),
      chartFigure("p95 response time per day (successful runs)", "chart-p95", lineChart({
        points: p95s, x0: stats.from, x1: stats.to, yMax: maxP95, yTicks: [0, maxP95 / 2, maxP95],
        fmtY: (v) => numFmt.format(v) + " ms", color: "#1d4ed8", label: "p95 response time per day: " + summary(p95s, msFmt),
        pointTitle: (p) => dayFmt.format(new Date(p.b.start)) + ": p95 " + msFmt(p.y),
        pointColor: () => "#1d4ed8",
      })),
    );
  }
  function chartFigure(caption, id, chart) {
    return h("figure", { id, class: "chart-box" }, h("figcaption", { class: "muted" }, caption), chart);
  }
  function lineChart(o) {
    const W = 560;
    const H = 200;
    const L = 56;
    const R = 14;
    const T = 10;
    const B = 26;
    const pw = W - L - R;
    const ph = H - T - B;
    const sx = (x) => L + (o.x1 > o.x0 ? ((x - o.x0) / (o.x1 - o.x0)) * pw : pw / 2);
    const sy = (y) => T + ph - (Math.min(y, o.yMax) / o.yMax) * ph;
    const el = svg("svg", { class: "chart", viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": o.label });
    for (const v of o.yTicks) {
      el.append(
        svg("line", { class: "grid", x1: L, x2: W - R, y1: sy(v), y2: sy(v) }),
        svg("text", { x: L - 6, y: sy(v) + 4, "text-anchor": "end" }, o.fmtY(v)),
      );
    }
    const ticks = [o.x0, o.x0 + (o.x1 - o.x0) / 2, o.x1 - 1];
    ticks.forEach((x, i) => {
      el.append(svg("text", { x: sx(x), y: H - 6, "text-anchor": i === 0 ? "start" : i === 2 ? "end" : "middle" }, dayFmt.format(new Date(x))));
    });
    let seg = [];
    const flush = () => {
      if (seg.length > 1) {
        el.append(svg("polyline", { points: seg.join(" "), fill: "none", stroke: o.color, "stroke-width": 2, "stroke-linejoin": "round" }));
      }
      seg = [];
    };
    for (const p of o.points) {
      if (p.y === null) flush();
      else seg.push(sx(p.x).toFixed(1) + "," + sy(p.y).toFixed(1));
    }
    flush();
    for (const p of o.points) {
      if (p.y === null) continue;
      el.append(svg("circle", { cx: sx(p.x).toFixed(1), cy: sy(p.y).toFixed(1), r: 3.5, fill: o.pointColor(p) }, svg("title", null, o.pointTitle(p))));
    }
    if (!o.points.some((p) => p.y !== null)) {
      el.append(svg("text", { x: L + pw / 2, y: T + ph / 2, "text-anchor": "middle" }, "No executions in this period"));
    }
    return el;
  }
  function timelineChart(rows, total) {
    if (!rows.length) return h("p", { class: "empty" }, "No executions yet.");
    const runs = rows.slice().reverse();
    const W = 1000;
    const H = 64;
    const GAP = 2;
    const bw = Math.max(1, (W - GAP * (runs.length - 1)) / Math.max(runs.length, 40));
    const maxT = Math.max(1, ...runs.map((r) => r.response_time_ms || 0));
    const counts = { success: 0, failure: 0, error: 0, timeout: 0 };
    for (const r of runs) if (STATUSES.includes(r.status)) counts[r.status]++;
    const label =
      "The latest " + plural(runs.length, "execution", "executions") + ", oldest first: " + countsText(counts) +
      ". Bar height grows with the response time.";
    const el = svg("svg", { class: "timeline", viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", role: "img", "aria-label": label });
    runs.forEach((r, i) => {
      const rt = typeof r.response_time_ms === "number" ? r.response_time_ms : maxT;
      const bh = Math.max(H * 0.2, Math.sqrt(rt / maxT) * H);
      const title =
        dateTimeFmt.format(new Date(r.executed_at)) + " · " + r.status +
        (r.response_code === null ? "" : " · HTTP " + r.response_code) +
        (r.response_time_ms === null ? "" : " · " + numFmt.format(r.response_time_ms) + " ms") +
        (r.retry_attempt ? " · retry " + r.retry_attempt : "");
      el.append(
        svg(
          "rect",
          { x: (i * (bw + GAP)).toFixed(1), y: (H - bh).toFixed(1), width: bw.toFixed(1), height: bh.toFixed(1), fill: COLORS[r.status] || COLORS.none, "data-status": r.status },
          svg("title", null, title),
        ),
      );
    });
    const first = runs[0];
    const last = runs[runs.length - 1];
    return h(
      "div",
      null,
      legend(),
      el,
      h(
        "p",
        { class: "hint" },
        "The latest " + plural(runs.length, "execution", "executions") + (total > runs.length ? " of " + numFmt.format(total) : "") +
          ", from ", timeEl(first.executed_at, shortFmt), " to ", timeEl(last.executed_at, shortFmt),
        ". Colour is the status; bar height grows with the response time (full height: no response).",
      ),
    );
  }

  // ---------- the log table ----------
  function logsSection(jobId) {
    const statusSel = h(
      "select",
      { id: "filter-status" },
      h("option", { value: "" }, "All statuses"),
      STATUSES.map((s) => h("option", { value: s }, s)),
    );
    const from = h("input", { type: "date", id: "filter-from" });
    const to = h("input", { type: "date", id: "filter-to" });
    const field = (id, text, input) => h("div", null, h("label", { for: id }, text), input);
    const form = h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter executions", id: "logs-filters" },
      field("filter-status", "Status", statusSel),
      field("filter-from", "From (UTC date)", from),
      field("filter-to", "To (UTC date)", to),
      h("div", null, h("button", { type: "submit", class: "primary" }, "Apply")),
      h("div", null, h("button", { type: "button", onclick: () => navigate({}) }, "Reset")),
    );
    const summary = h("p", { class: "muted", id: "logs-summary", "aria-live": "polite" });
    const tbody = h("tbody");
    const th = (text, cls) => h("th", { scope: "col", class: cls }, text);
    const table = h(
      "table",
      { id: "logs-table" },
      h("caption", { class: "sr-only" }, "Executions, most recent first"),
      h("thead", null, h("tr", null, th("Executed at"), th("Status"), th("HTTP", "num"), th("Time", "num"), th("Attempt", "num"), th("Response"))),
      tbody,
    );
    const prev = h("button", { type: "button", id: "logs-prev" }, "← Newer");
    const next = h("button", { type: "button", id: "logs-next" }, "Older →");
    const pageInfo = h("span", { class: "muted", id: "logs-page" });
    const el = h(
      "section",
      { class: "panel", "aria-labelledby": "logs-title", id: "logs" },
      h("h2", { id: "logs-title" }, "Execution log"),
      form,
      summary,
      table,
      h("nav", { class: "pager", "aria-label": "Execution log pages" }, prev, pageInfo, next),
    );
    let current = { status: "", from: "", to: "", page: 1 };
    let seq = 0;
    function navigate(p) {
      const qs = new URLSearchParams();
      for (const key of ["status", "from", "to", "page"]) if (p[key] && String(p[key]) !== "1") qs.set(key, String(p[key]));
      const s = qs.toString();
      location.hash = "#/jobs/" + enc(jobId) + (s ? "?" + s : "");
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (from.value && to.value && from.value > to.value) {
        summary.textContent = "“From” must not be after “To”.";
        return;
      }
      navigate({ status: statusSel.value, from: from.value, to: to.value });
    });
    prev.addEventListener("click", () => navigate(Object.assign({}, current, { page: current.page - 1 })));
    next.addEventListener("click", () => navigate(Object.assign({}, current, { page: current.page + 1 })));

    async function show(params) {
      const date = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || "") ? v : "");
      const status = STATUSES.includes(params.get("status")) ? params.get("status") : "";
      const page = Math.max(1, Number.parseInt(params.get("page") || "1", 10) || 1);
      current = { status, from: date(params.get("from")), to: date(params.get("to")), page };
      statusSel.value = current.status;
      from.value = current.from;
      to.value = current.to;
      const mine = ++seq;
      table.setAttribute("aria-busy", "true");
      summary.textContent = "Loading…";
      prev.disabled = true;
      next.disabled = true;
      try {
        const body = await api("/logs/" + enc(jobId), {
          page, limit: LOG_PAGE_SIZE, status: current.status, start_date: current.from, end_date: current.to,
        });
        if (mine !== seq) return;
        tbody.replaceChildren(...body.data.map(logRow));
        if (!body.data.length) {
          tbody.append(h("tr", null, h("td", { colspan: "6", class: "empty" }, "No executions match these filters.")));
        }
        const pg = body.pagination;
        summary.textContent =
          plural(pg.total_items, "execution", "executions") + (current.status ? " with status " + current.status : "") +
          (current.from || current.to ? ", " + (current.from || "…") + " to " + (current.to || "now") + " (UTC)" : "") + ".";
        pageInfo.textContent = "Page " + pg.page + " of " + Math.max(1, pg.total_pages);
        prev.disabled = pg.page <= 1;
        next.disabled = pg.page >= pg.total_pages;
      } catch (e) {
        if (mine !== seq) return;
        tbody.replaceChildren();
        summary.textContent = "Could not load the execution log: " + e.message;
        pageInfo.textContent = "";
      } finally {
        if (mine === seq) table.removeAttribute("aria-busy");
      }
    }
    return { el, show };
  }
  function prettyBody(text) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === "object") return JSON.stringify(parsed, null, 2);
    } catch (_) {}
    return text;
  }
  function logRow(r) {
    const response = [];
    if (r.error_message) response.push(h("span", { class: "error-msg" }, r.error_message));
    if (r.response_body) {
      const size = new TextEncoder().encode(r.response_body).length;
      response.push(h("details", null, h("summary", null, "Response body (" + numFmt.format(size) + " B)"), h("pre", null, prettyBody(r.response_body))));
    } else if (!r.error_message) {
      response.push(h("span", { class: "muted" }, "No body"));
    }
    return h(
      "tr",
      { "data-status": r.status },
      h("td", null, timeEl(r.executed_at)),
      h("td", null, statusBadge(r.status)),
      h("td", { class: "num" }, r.response_code === null ? "—" : String(r.response_code)),
      h("td", { class: "num" }, r.response_time_ms === null ? "—" : numFmt.format(r.response_time_ms) + " ms"),
      h("td", { class: "num" }, String(r.retry_attempt)),
      h("td", null, response),
    );
  }

  render();
})();
`;
