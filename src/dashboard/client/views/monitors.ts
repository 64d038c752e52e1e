import { canWrite } from "../access";
import { ApiError, api } from "../api";
import { channelEditor } from "../channel-editor";
import { cursorTable } from "../cursor-pager";
import { cardsTable, field, h, svg } from "../dom";
import { checkbox, fieldset, grid, input } from "../form";
import { COLORS, plural, timeEl } from "../format";
import { monitorRequest, monitorToForm } from "../monitor-form-state";
import { zoneName } from "../time";
import type { Monitor, MonitorList } from "../types";
import { errorText, flash, mount, showFieldErrors } from "../ui";

type Ping = NonNullable<Monitor["recent_pings"]>[number];

const PAGE_SIZE = 25;
/** Pings drawn in each row's strip (newest on the right). */
const STRIP_PINGS = 20;
const STATE_CLASS: Record<Monitor["state"], string> = {
  new: "none",
  up: "success",
  late: "timeout",
  down: "failure",
  paused: "paused",
};
const PING_COLOR: Record<Ping["kind"], string> = {
  success: COLORS.success as string,
  fail: COLORS.failure as string,
  start: "#2563eb",
  log: COLORS.none as string,
};

/** The last pings as one small square each, oldest left; a title on each names its kind and time. */
function strip(pings: Ping[]): SVGElement {
  const shown = pings.slice(0, STRIP_PINGS).reverse();
  return svg(
    "svg",
    {
      class: "ping-strip",
      width: STRIP_PINGS * 7,
      height: 12,
      role: "img",
      "aria-label": shown.length ? `Last ${shown.length} pings` : "No pings yet",
    },
    shown.map((p, i) =>
      svg(
        "rect",
        { x: i * 7, y: 1, width: 5, height: 10, rx: 1, fill: PING_COLOR[p.kind] },
        svg("title", null, `${p.kind} at ${p.received_at}`),
      ),
    ),
  );
}

function copyButton(text: string, label: string): HTMLButtonElement {
  const b = h("button", { type: "button", class: "copy", "aria-label": label }, "Copy");
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = "Copied";
    } catch {
      b.textContent = "Select and copy";
    }
  });
  return b;
}

const schedule = (m: Monitor) => (m.cron ? `${m.cron} (${m.timezone})` : `every ${m.period_seconds} s`);

/** The create / edit form: name, slug, period or cron + timezone, grace, tags, and the alerts' channels. */
function monitorForm(existing: Monitor | null, done: () => void): HTMLFormElement {
  const ids = {
    name: "monitor-name",
    slug: "monitor-slug",
    period_seconds: "monitor-period",
    cron: "monitor-cron",
    timezone: "monitor-timezone",
    grace_seconds: "monitor-grace",
    tags: "monitor-tags",
  };
  const s = monitorToForm(existing);
  const name = input(ids.name, "text", s.name, { required: "true", maxlength: "255" });
  const slug = input(ids.slug, "text", s.slug, {
    pattern: "[a-z0-9_-]{1,100}",
    placeholder: "from the name",
  });
  const period = input(ids.period_seconds, "number", s.period_seconds, { min: "60", placeholder: "86400" });
  const cron = input(ids.cron, "text", s.cron, { placeholder: "0 3 * * *" });
  const tz = input(ids.timezone, "text", s.timezone, { placeholder: "UTC" });
  const grace = input(ids.grace_seconds, "number", s.grace_seconds, { min: "60", placeholder: "3600" });
  const tags = input(ids.tags, "text", s.tags, { placeholder: "backups, nightly" });
  // The job form's channel editor: the monitors API takes the same `alerts.channels`.
  const channels = channelEditor("monitor-channel", s.channels);
  const recovery = checkbox("monitor-recovery", "Alert when a success ends a down spell", s.on_recovery);
  const placed = {
    ...ids,
    alerts: channels.id,
    "alerts.channels": channels.id,
    "alerts.on_recovery": "monitor-recovery",
  };
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "monitor-form", class: "panel", novalidate: true },
    h("h2", null, existing ? `Edit ${existing.name}` : "New monitor"),
    grid(
      field(ids.name, "Name", name),
      field(ids.slug, "Slug", slug, "a-z, 0-9, - and _; the ping URL's last part"),
      field(ids.period_seconds, "Period (seconds)", period, "or a cron expression"),
      field(ids.cron, "Cron", cron),
      field(ids.timezone, "Time zone", tz, "with cron"),
      field(ids.grace_seconds, "Grace (seconds)", grace),
      field(ids.tags, "Tags", tags, "comma-separated"),
    ),
    fieldset("Alerts", { id: "monitor-alerts" }, channels.el, recovery.el),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary", id: "monitor-save" }, existing ? "Save" : "Create monitor"),
      h("button", { type: "button", id: "monitor-cancel", onclick: done }, "Cancel"),
    ),
    status,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const request = monitorRequest({
      name: name.value,
      slug: slug.value,
      period_seconds: period.value,
      cron: cron.value,
      timezone: tz.value,
      grace_seconds: grace.value,
      tags: tags.value,
      channels: channels.read(),
      on_recovery: recovery.box.checked,
    });
    const fieldIds = { ...placed, ...channels.fieldIds(request.channelRows) };
    if ("errors" in request) {
      showFieldErrors(form, request.errors, fieldIds);
      status.textContent = "Fix the marked fields.";
      return;
    }
    status.textContent = "Saving…";
    try {
      const res = await api<{ data: Monitor }>(
        existing ? `/monitors/${encodeURIComponent(existing.id)}` : "/monitors",
        {
          method: existing ? "PATCH" : "POST",
          body: request.body,
        },
      );
      flash(`${existing ? "Saved" : "Created"} monitor ${res.data.name}.`);
      done();
    } catch (e) {
      const rest = e instanceof ApiError ? showFieldErrors(form, e.errors, fieldIds) : [];
      status.textContent = `Could not save: ${errorText(e)}${rest.length ? ` (${rest.join("; ")})` : ""}`;
    }
  });
  return form;
}

/**
 * `#/monitors`: heartbeat monitors with state, last ping, next expected, a strip of the last pings, the ping URL and
 * a curl line. A full key can create, edit, pause, resume and delete; a read-only one sees no such button.
 */
export async function monitorsView(): Promise<void> {
  const writable = await canWrite();
  const summary = h("p", { class: "muted", id: "monitors-summary", "aria-live": "polite" }, "Loading…");
  const tbody = h("tbody");
  const formSlot = h("div");
  const table = cardsTable(
    { id: "monitors-table", class: "cards" },
    "Monitors, newest first",
    ["Monitor", "State", `Last ping (${zoneName()})`, "Next expected", "Last pings", "Ping URL", writable && ""],
    tbody,
  );
  const closeForm = () => {
    formSlot.replaceChildren();
    void show();
  };
  const openForm = (m: Monitor | null) => {
    formSlot.replaceChildren(monitorForm(m, closeForm));
    formSlot.querySelector("input")?.focus();
  };
  const create = h("button", { type: "button", class: "primary", id: "monitor-new" }, "New monitor");
  create.addEventListener("click", () => openForm(null));

  async function act(m: Monitor, what: "pause" | "resume" | "delete") {
    if (what === "delete" && !confirm(`Delete the monitor ${m.name}? Its ping URLs stop working at once.`)) return;
    try {
      const path = `/monitors/${encodeURIComponent(m.id)}`;
      if (what === "delete") await api(path, { method: "DELETE" });
      else await api(`${path}/${what}`, { method: "POST" });
      flash(`${what === "delete" ? "Deleted" : what === "pause" ? "Paused" : "Resumed"} monitor ${m.name}.`);
    } catch (e) {
      flash(`Could not ${what} ${m.name}: ${errorText(e)}`);
    }
    await show();
  }

  function row(m: Monitor) {
    const cell = (label: string, ...c: Array<Node | string | null>) => h("td", { "data-label": label }, c);
    const curl = `curl -fsS -m 10 --retry 5 ${m.ping_url}`;
    const tr = h(
      "tr",
      { "data-monitor-id": m.id, "data-slug": m.slug, "data-state": m.state },
      cell(
        "Monitor",
        h("strong", null, m.name),
        h("br"),
        h("code", null, m.slug),
        h("span", { class: "sub" }, ` ${schedule(m)}, grace ${m.grace_seconds} s`),
      ),
      cell("State", h("span", { class: `badge ${STATE_CLASS[m.state]}` }, m.state)),
      cell("Last ping", m.last_ping_at ? timeEl(m.last_ping_at) : h("span", { class: "muted" }, "never")),
      cell("Next expected", m.next_expected_at ? timeEl(m.next_expected_at) : h("span", { class: "muted" }, "—")),
      cell("Last pings", strip(m.recent_pings ?? [])),
      cell(
        "Ping URL",
        h("code", { class: "ping-url" }, m.ping_url),
        " ",
        copyButton(m.ping_url, `Copy the ping URL of ${m.name}`),
        h("br"),
        h("code", { class: "curl" }, curl),
        " ",
        copyButton(curl, `Copy the curl line of ${m.name}`),
      ),
      writable
        ? cell(
            "",
            h("button", { type: "button", class: "edit", onclick: () => openForm(m) }, "Edit"),
            m.state === "paused"
              ? h("button", { type: "button", class: "resume", onclick: () => void act(m, "resume") }, "Resume")
              : h("button", { type: "button", class: "pause", onclick: () => void act(m, "pause") }, "Pause"),
            h("button", { type: "button", class: "danger delete", onclick: () => void act(m, "delete") }, "Delete"),
          )
        : null,
    );
    return tr;
  }

  const pages = cursorTable({
    pager: { id: "monitors", label: "Monitor pages" },
    table,
    tbody,
    summary,
    getPage: (cursor) =>
      api<MonitorList>("/monitors", {
        // Each row's strip comes with the page (one query for all of it), not a pings request per row.
        params: { limit: PAGE_SIZE, cursor, pings: STRIP_PINGS },
      }),
    row,
    empty: { columns: 7, text: "No monitors yet: create one, then ping its URL." },
    summarize: (items) => (items.length ? `${plural(items.length, "monitor", "monitors")} on this page.` : ""),
    what: "monitors",
  });
  const show = pages.load;

  const root = h(
    "div",
    null,
    h("h1", null, "Monitors"),
    formSlot,
    h(
      "section",
      { class: "panel", "aria-labelledby": "monitors-title", id: "monitors" },
      h(
        "div",
        { class: "head" },
        h(
          "div",
          null,
          h("h2", { id: "monitors-title" }, "Heartbeat monitors"),
          h(
            "p",
            { class: "muted" },
            "Jobs that run elsewhere ping their URL (GET or POST; add /start, /fail or /<exit status>). A monitor goes down when a ping is later than its grace.",
          ),
        ),
        writable ? h("div", { class: "actions" }, create) : null,
      ),
      summary,
      table,
      pages.nav,
    ),
  );
  mount("Monitors", root, () => void show());
  await show();
}
