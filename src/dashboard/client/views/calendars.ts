import { canWrite } from "../access";
import { ApiError, api } from "../api";
import {
  type CalendarFormState,
  calendarSummary,
  calendarToForm,
  entryErrors,
  formToCalendarRequest,
  formToWindowRequest,
  referencingJobs,
  type WindowFormState,
  windowToForm,
} from "../calendar-state";
import { cursorTable } from "../cursor-pager";
import { type Child, cardsTable, field, h } from "../dom";
import { fieldset, grid, input, select, textarea } from "../form";
import { cronInWords, timeEl } from "../format";
import type { FormFieldError } from "../job-form-state";
import { fmt, zoneChoice, zoneName } from "../time";
import type { Calendar, CalendarList, Job, MaintenanceWindow, MaintenanceWindowList } from "../types";
import { errorText, flash, mount, showFieldErrors } from "../ui";
import { loadAllJobs } from "./jobs";

const PAGE_SIZE = 25;

const CALENDAR_FIELDS: Record<string, string> = {
  name: "cal-name",
  timezone: "cal-timezone",
  dates: "cal-dates",
  ranges: "cal-ranges",
  recurring: "cal-recurring",
  ics: "cal-ics",
};
const WINDOW_FIELDS: Record<string, string> = {
  name: "win-name",
  start: "win-start",
  end: "win-end",
  recurrence: "win-cron",
  "recurrence.cron": "win-cron",
  "recurrence.duration_minutes": "win-duration",
  timezone: "win-timezone",
  action: "win-action",
  job_ids: "win-jobs",
  monitor_ids: "win-jobs",
  tags: "win-tags",
};

/** Shows a problem's field errors (list entries named by position) and returns the text for the form's banner. */
function formProblem(form: HTMLElement, e: unknown, ids: Record<string, string>): string {
  if (e instanceof ApiError && e.errors.length) {
    const unplaced = showFieldErrors(form, entryErrors(e.errors), ids);
    return `Fix the marked fields.${unplaced.length ? ` ${unplaced.join("; ")}` : ""}`;
  }
  return errorText(e);
}

function localErrors(form: HTMLElement, errors: FormFieldError[], ids: Record<string, string>): string {
  showFieldErrors(form, errors, ids);
  return "Fix the marked fields.";
}

/** A row's Edit and Delete buttons, named after the row for screen readers. */
function editDelete(label: string, edit: () => void, remove: (button: HTMLButtonElement) => void): HTMLElement {
  const editButton = h("button", { type: "button", class: "small" }, "Edit");
  editButton.setAttribute("aria-label", `Edit ${label}`);
  editButton.addEventListener("click", edit);
  const del = h("button", { type: "button", class: "small danger" }, "Delete");
  del.setAttribute("aria-label", `Delete ${label}`);
  del.addEventListener("click", () => remove(del));
  return h("div", { class: "actions" }, editButton, del);
}

/**
 * `#/calendars`: the account's calendars (days and stretches a job's `schedule_config.exclude_calendars` skips)
 * and maintenance windows (stretches whose slots are skipped or run without alerts, for the jobs in scope), each
 * a cursor page at a time, created, edited and deleted here (docs/API-NOTES.md "Calendars and maintenance
 * windows"). A calendar that jobs still exclude cannot be deleted: the 409 names them.
 */
export async function calendarsView(): Promise<void> {
  const [jobs, writable] = await Promise.all([loadAllJobs().catch((): Job[] => []), canWrite()]);
  const names = new Map(jobs.map((j) => [j.id, j.name]));
  const calendars = calendarsSection(writable);
  const windows = windowsSection(writable, jobs, names);
  const root = h(
    "div",
    null,
    h("h1", null, "Calendars and maintenance windows"),
    h(
      "p",
      { class: "muted" },
      "A job skips its slots inside the calendars its schedule excludes (Edit → Schedule). A maintenance window skips or mutes the slots of the jobs in its scope while it is open.",
    ),
    calendars.el,
    windows.el,
  );
  mount("Calendars", root, () => {
    void calendars.show();
    void windows.show();
  });
  await Promise.all([calendars.show(), windows.show()]);
}

function calendarsSection(writable: boolean) {
  const summary = h("p", { class: "muted", id: "calendars-summary", "aria-live": "polite" }, "Loading…");
  const inUse = h("div", { class: "state-note", id: "calendar-in-use", role: "alert", hidden: true });
  const tbody = h("tbody");
  const table = cardsTable(
    { id: "calendars-table", class: "cards" },
    "Calendars, newest first",
    ["Name", "Timezone", "Excludes", "Updated", writable && ""],
    tbody,
  );
  const formSlot = h("div", { id: "calendar-form-slot" });
  const add = h("button", { type: "button", class: "primary", id: "calendar-new" }, "New calendar");
  add.addEventListener("click", () => openForm(null));

  function openForm(cal: Calendar | null) {
    formSlot.replaceChildren(calendarForm(cal, () => formSlot.replaceChildren(), show));
    formSlot.querySelector("input")?.focus();
  }

  async function remove(cal: Calendar, button: HTMLButtonElement) {
    if (!window.confirm(`Delete the calendar “${cal.name}”?`)) return;
    button.disabled = true;
    inUse.hidden = true;
    try {
      await api(`/calendars/${encodeURIComponent(cal.id)}`, { method: "DELETE" });
      flash(`Deleted the calendar “${cal.name}”.`);
      await show();
    } catch (e) {
      const jobs = e instanceof ApiError && e.status === 409 ? referencingJobs(e.problem) : [];
      if (jobs.length) {
        inUse.replaceChildren(
          h("p", null, h("strong", null, `“${cal.name}” is still excluded by these jobs:`)),
          h(
            "ul",
            { id: "calendar-in-use-jobs" },
            jobs.map((j) => h("li", null, h("a", { href: `#/jobs/${encodeURIComponent(j.id)}/edit` }, j.name))),
          ),
          h(
            "p",
            { class: "muted" },
            "Remove it from their excluded calendars (Edit → Schedule) first, then delete it.",
          ),
        );
        inUse.hidden = false;
        inUse.focus();
      } else flash(`Delete failed: ${errorText(e)}`);
    } finally {
      button.disabled = false;
    }
  }

  function row(cal: Calendar) {
    const cell = (label: string, ...c: Child[]) => h("td", { "data-label": label }, c);
    return h(
      "tr",
      { "data-calendar-id": cal.id },
      cell("Name", h("strong", null, cal.name), h("span", { class: "sub mono" }, cal.id)),
      cell("Timezone", cal.timezone),
      cell(
        "Excludes",
        calendarSummary(cal),
        cal.dates.length
          ? h("span", { class: "sub" }, cal.dates.slice(0, 5).join(", "), cal.dates.length > 5 ? ", …" : "")
          : null,
      ),
      cell("Updated", timeEl(cal.updated_at, fmt.short)),
      writable
        ? cell(
            "",
            editDelete(
              cal.name,
              () => openForm(cal),
              (del) => void remove(cal, del),
            ),
          )
        : null,
    );
  }

  const pages = cursorTable({
    pager: { id: "calendars", label: "Calendar pages" },
    table,
    tbody,
    summary,
    getPage: (cursor) => api<CalendarList>("/calendars", { params: { limit: PAGE_SIZE, cursor } }),
    row,
    empty: { columns: 5, text: "No calendars yet." },
    what: "calendars",
  });
  const show = pages.load;

  inUse.setAttribute("tabindex", "-1");
  const el = h(
    "section",
    { class: "panel", "aria-labelledby": "calendars-title", id: "calendars" },
    h(
      "div",
      { class: "head" },
      h("h2", { id: "calendars-title" }, "Calendars"),
      writable ? h("div", { class: "actions" }, add) : null,
    ),
    formSlot,
    inUse,
    summary,
    table,
    pages.nav,
  );
  return { el, show };
}

/** Create (`cal` null) or edit a calendar; ICS text is imported after the save (an edit adds its events). */
function calendarForm(cal: Calendar | null, close: () => void, saved: () => Promise<void>): HTMLElement {
  const s = calendarToForm(cal, zoneName());
  const name = input("cal-name", "text", s.name, { required: "" });
  const timezone = input("cal-timezone", "text", s.timezone, { autocomplete: "off", spellcheck: "false" });
  const dates = textarea("cal-dates", s.dates, { rows: 4, placeholder: "2026-12-25\n2026-12-26", spellcheck: "false" });
  const ranges = textarea("cal-ranges", s.ranges, {
    rows: 3,
    placeholder: "2026-12-24T18:00:00Z 2026-12-27T06:00:00Z",
    spellcheck: "false",
  });
  const recurring = textarea("cal-recurring", s.recurring, {
    rows: 2,
    placeholder: "0 22 * * 5 120",
    spellcheck: "false",
  });
  const ics = textarea("cal-ics", "", { rows: 3, spellcheck: "false", placeholder: "BEGIN:VCALENDAR…" });
  const icsFile = h("input", { type: "file", id: "cal-ics-file", accept: ".ics,text/calendar" });
  icsFile.addEventListener("change", async () => {
    const file = icsFile.files?.[0];
    if (file) ics.value = await file.text();
  });
  const error = h("p", { class: "form-error", id: "calendar-form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, cal ? "Save calendar" : "Create calendar");
  const cancel = h("button", { type: "button" }, "Cancel");
  cancel.addEventListener("click", close);
  const title = cal ? `Edit “${cal.name}”` : "New calendar";
  const form = h(
    "form",
    { id: "calendar-form", class: "pause-form", "aria-labelledby": "calendar-form-title", novalidate: true },
    h("h3", { id: "calendar-form-title" }, title),
    grid(field("cal-name", "Name", name), field("cal-timezone", "Timezone of its dates and cron (IANA)", timezone)),
    grid(
      field("cal-dates", "Excluded dates (one YYYY-MM-DD per line)", dates, "Whole days in the calendar's zone"),
      field(
        "cal-ranges",
        "Excluded ranges (one “start end” per line)",
        ranges,
        "Two ISO 8601 instants with Z or an offset; the end is not included",
      ),
      field(
        "cal-recurring",
        "Recurring exclusions (one “cron minutes” per line)",
        recurring,
        "0 22 * * 5 120: Fridays from 22:00, for 2 hours",
      ),
    ),
    fieldset(
      "Import holidays (iCalendar)",
      null,
      field("cal-ics", "iCalendar text", ics, "Its events are added as dates and ranges"),
      field("cal-ics-file", "…or an .ics file", icsFile),
    ),
    error,
    h("div", { class: "actions" }, submit, cancel),
  );
  const read = (): CalendarFormState => ({
    name: name.value,
    timezone: timezone.value,
    dates: dates.value,
    ranges: ranges.value,
    recurring: recurring.value,
    ics: ics.value,
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const request = formToCalendarRequest(read());
    if ("errors" in request) {
      error.textContent = localErrors(form, request.errors, CALENDAR_FIELDS);
      return;
    }
    showFieldErrors(form, [], CALENDAR_FIELDS);
    submit.disabled = true;
    try {
      let saved_: Calendar;
      if (cal) {
        saved_ = (
          await api<{ data: Calendar }>(`/calendars/${encodeURIComponent(cal.id)}`, {
            method: "PATCH",
            body: request.body,
          })
        ).data;
        if (request.ics !== null)
          saved_ = (
            await api<{ data: Calendar }>(`/calendars/${encodeURIComponent(cal.id)}/import`, {
              method: "POST",
              body: { ics: request.ics },
            })
          ).data;
      } else {
        const body = request.ics === null ? request.body : { ...request.body, ics: request.ics };
        saved_ = (await api<{ data: Calendar }>("/calendars", { method: "POST", body })).data;
      }
      flash(cal ? `Saved the calendar “${saved_.name}”.` : `Created the calendar “${saved_.name}”.`);
      close();
      await saved();
    } catch (e) {
      error.textContent = formProblem(form, e, CALENDAR_FIELDS);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** "Fridays at 22:00 for 120 min (Europe/Berlin)", or a one-off's start – end. */
function windowWhen(w: MaintenanceWindow): Child {
  if (w.recurrence) {
    const words = cronInWords(w.recurrence.cron) ?? `cron ${w.recurrence.cron}`;
    return [
      `${words}, for ${w.recurrence.duration_minutes} min (${w.timezone}) `,
      h("code", null, w.recurrence.cron),
      w.start ? h("span", { class: "sub" }, "from ", timeEl(w.start, fmt.short)) : null,
      w.end ? h("span", { class: "sub" }, "until ", timeEl(w.end, fmt.short)) : null,
    ];
  }
  return [timeEl(w.start, fmt.short), " – ", timeEl(w.end, fmt.short)];
}

function windowsSection(writable: boolean, jobs: Job[], names: Map<string, string>) {
  const summary = h("p", { class: "muted", id: "windows-summary", "aria-live": "polite" }, "Loading…");
  const tbody = h("tbody");
  const table = cardsTable(
    { id: "windows-table", class: "cards" },
    "Maintenance windows, newest first",
    ["Name", `When (${zoneName()})`, "Action", "Scope", writable && ""],
    tbody,
  );
  const formSlot = h("div", { id: "window-form-slot" });
  const add = h("button", { type: "button", class: "primary", id: "window-new" }, "New maintenance window");
  add.addEventListener("click", () => openForm(null));

  function openForm(w: MaintenanceWindow | null) {
    formSlot.replaceChildren(windowForm(w, jobs, () => formSlot.replaceChildren(), show));
    formSlot.querySelector("input")?.focus();
  }

  function row(w: MaintenanceWindow) {
    const label = w.name ?? "Untitled window";
    const cell = (l: string, ...c: Child[]) => h("td", { "data-label": l }, c);
    const remove = async (del: HTMLButtonElement) => {
      if (!window.confirm(`Delete the maintenance window “${label}”?`)) return;
      del.disabled = true;
      try {
        await api(`/maintenance-windows/${encodeURIComponent(w.id)}`, { method: "DELETE" });
        flash(`Deleted the maintenance window “${label}”.`);
        await show();
      } catch (e) {
        flash(`Delete failed: ${errorText(e)}`);
      } finally {
        del.disabled = false;
      }
    };
    const scope: Child[] = [
      ...w.job_ids.map((id) =>
        h("span", { class: "sub" }, "job ", h("a", { href: `#/jobs/${encodeURIComponent(id)}` }, names.get(id) ?? id)),
      ),
      w.tags.length ? h("span", { class: "sub" }, `tags: ${w.tags.join(", ")}`) : null,
      w.monitor_ids.length ? h("span", { class: "sub" }, `${w.monitor_ids.length} monitor(s)`) : null,
    ];
    return h(
      "tr",
      { "data-window-id": w.id, "data-action": w.action },
      cell("Name", h("strong", null, label)),
      cell("When", windowWhen(w)),
      cell(
        "Action",
        h("span", { class: `badge ${w.action === "skip" ? "skipped" : "paused"}` }, w.action),
        h("span", { class: "sub" }, w.action === "skip" ? "slots are skipped" : "runs send no alerts"),
      ),
      cell("Scope", scope),
      writable
        ? cell(
            "",
            editDelete(
              label,
              () => openForm(w),
              (del) => void remove(del),
            ),
          )
        : null,
    );
  }

  const pages = cursorTable({
    pager: { id: "windows", label: "Maintenance window pages" },
    table,
    tbody,
    summary,
    getPage: (cursor) => api<MaintenanceWindowList>("/maintenance-windows", { params: { limit: PAGE_SIZE, cursor } }),
    row,
    empty: { columns: 5, text: "No maintenance windows yet." },
    what: "maintenance windows",
  });
  const show = pages.load;

  const el = h(
    "section",
    { class: "panel", "aria-labelledby": "windows-title", id: "windows" },
    h(
      "div",
      { class: "head" },
      h("h2", { id: "windows-title" }, "Maintenance windows"),
      writable ? h("div", { class: "actions" }, add) : null,
    ),
    formSlot,
    summary,
    table,
    pages.nav,
  );
  return { el, show };
}

/** Create (`w` null) or edit a window: once (start, end in the dashboard's zone) or recurring (cron, minutes). */
function windowForm(w: MaintenanceWindow | null, jobs: Job[], close: () => void, saved: () => Promise<void>) {
  const zone = zoneChoice();
  const s = windowToForm(w, zone, zoneName());
  const name = input("win-name", "text", s.name, { placeholder: "Database upgrade" });
  const kind = select(
    "win-kind",
    [
      ["once", "Once, from start to end"],
      ["recurring", "Recurring (a cron and a duration)"],
    ],
    s.kind,
  );
  const start = input("win-start", "datetime-local", s.start);
  const end = input("win-end", "datetime-local", s.end);
  const cron = input("win-cron", "text", s.cron, { placeholder: "0 2 * * 0", spellcheck: "false" });
  const duration = input("win-duration", "number", s.duration_minutes, { min: "1", max: "10080" });
  const timezone = input("win-timezone", "text", s.timezone, { autocomplete: "off", spellcheck: "false" });
  const action = select(
    "win-action",
    [
      ["skip", "Skip their slots (skip)"],
      ["mute", "Run them, send no alerts (mute)"],
    ],
    s.action,
  );
  // Jobs the window names that this list lacks (deleted since) stay selected, shown by id.
  const known = new Set(jobs.map((j) => j.id));
  const jobOptions = [
    ...jobs.map((j) => [j.id, j.name] as const),
    ...s.job_ids.filter((id) => !known.has(id)).map((id) => [id, id] as const),
  ];
  const jobSelect = h(
    "select",
    { id: "win-jobs", multiple: true, size: Math.min(6, Math.max(3, jobOptions.length)) },
    jobOptions.map(([id, label]) => {
      const o = h("option", { value: id }, label);
      o.selected = s.job_ids.includes(id);
      return o;
    }),
  );
  const tags = input("win-tags", "text", s.tags, { placeholder: "nightly, billing" });
  const error = h("p", { class: "form-error", id: "window-form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, w ? "Save window" : "Create window");
  const cancel = h("button", { type: "button" }, "Cancel");
  cancel.addEventListener("click", close);
  const bounds = (recurring: boolean) => (recurring ? " (optional: no occurrence outside)" : "");
  const startField = field("win-start", `Start (${zoneName()})`, start);
  const endField = field("win-end", `End (${zoneName()}, not included)`, end);
  const recurringFields = grid(
    field("win-cron", "Opens at (5-field cron, in the timezone below)", cron),
    field("win-duration", "For (minutes, up to 10,080)", duration),
    field("win-timezone", "Timezone of the cron (IANA)", timezone),
  );
  const boundsNote = h("p", { class: "hint", id: "win-bounds-note" });
  const sync = () => {
    const recurring = kind.value === "recurring";
    recurringFields.hidden = !recurring;
    boundsNote.textContent = recurring ? `Start and end${bounds(true)}.` : "";
  };
  kind.addEventListener("change", sync);
  const title = w ? `Edit “${w.name ?? "Untitled window"}”` : "New maintenance window";
  const form = h(
    "form",
    { id: "window-form", class: "pause-form", "aria-labelledby": "window-form-title", novalidate: true },
    h("h3", { id: "window-form-title" }, title),
    grid(field("win-name", "Name (optional)", name), field("win-kind", "Kind", kind)),
    recurringFields,
    grid(startField, endField),
    boundsNote,
    grid(
      field("win-action", "During the window", action),
      field("win-jobs", "Jobs in scope", jobSelect, "Ctrl/⌘-click to pick several"),
      field("win-tags", "Tags in scope (comma-separated)", tags, "Jobs and monitors with any of them"),
    ),
    error,
    h("div", { class: "actions" }, submit, cancel),
  );
  sync();
  const read = (): WindowFormState => ({
    name: name.value,
    kind: kind.value as WindowFormState["kind"],
    start: start.value,
    end: end.value,
    cron: cron.value,
    duration_minutes: duration.value,
    timezone: timezone.value,
    action: action.value as WindowFormState["action"],
    job_ids: [...jobSelect.selectedOptions].map((o) => o.value),
    tags: tags.value,
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const request = formToWindowRequest(read(), zone, w !== null);
    if ("errors" in request) {
      error.textContent = localErrors(form, request.errors, WINDOW_FIELDS);
      return;
    }
    showFieldErrors(form, [], WINDOW_FIELDS);
    submit.disabled = true;
    try {
      const path = w ? `/maintenance-windows/${encodeURIComponent(w.id)}` : "/maintenance-windows";
      const { data } = await api<{ data: MaintenanceWindow }>(path, {
        method: w ? "PATCH" : "POST",
        body: request.body,
      });
      flash(`${w ? "Saved" : "Created"} the maintenance window “${data.name ?? "Untitled window"}”.`);
      close();
      await saved();
    } catch (e) {
      error.textContent = formProblem(form, e, WINDOW_FIELDS);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
