import { h } from "./dom";
import { fmt } from "./time";
import { type JobState, STATUSES } from "./types";

export { cronInWords, describeSchedule, scheduleStrings } from "./schedule-text";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const COLORS: Record<string, string> = {
  success: "#15803d",
  failure: "#b91c1c",
  error: "#c2410c",
  timeout: "#6d28d9",
  none: "#d9dde3",
};

const numFmt = new Intl.NumberFormat();
export const num = (n: number) => numFmt.format(n);
export const plural = (n: number, one: string, many: string) => `${numFmt.format(n)} ${n === 1 ? one : many}`;
export const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export function timeEl(iso: string | null | undefined, format: (ms: number) => string = fmt.dateTime) {
  if (!iso) return h("span", { class: "muted" }, "—");
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return h("span", null, iso);
  return h("time", { datetime: iso, title: iso }, format(ms));
}

export function relative(ms: number): string {
  const abs = Math.abs(ms);
  let s: string;
  if (abs < MINUTE) s = "under a minute";
  else if (abs < HOUR - MINUTE / 2) s = `${Math.round(abs / MINUTE)} min`;
  else if (abs < 2 * DAY) {
    const total = Math.round(abs / MINUTE);
    const mins = total % 60;
    s = `${Math.floor(total / 60)} h${mins ? ` ${mins} min` : ""}`;
  } else s = `${Math.round(abs / DAY)} days`;
  return ms > 0 ? `in ${s}` : `${s} ago`;
}

export function statusBadge(status: string | null) {
  if (!status) return h("span", { class: "badge none" }, "never run");
  return h("span", { class: (STATUSES as readonly string[]).includes(status) ? `badge ${status}` : "badge" }, status);
}

const STATE_LABELS: Record<JobState, string> = {
  active: "Active",
  paused: "Paused",
  disabled: "Disabled",
  completed: "Completed",
};

/** The job's state as the API has it (docs/API-NOTES.md "Job states"), not just is_active. */
export function stateBadge(state: JobState, title?: string) {
  return h("span", { class: `badge ${state}`, "data-state": state, title }, STATE_LABELS[state] ?? state);
}

export function legend() {
  return h(
    "ul",
    { class: "legend", "aria-label": "Colour key" },
    STATUSES.map((s) => h("li", null, h("span", { class: `swatch ${s}`, "aria-hidden": "true" }), s)),
    h("li", null, h("span", { class: "swatch", "aria-hidden": "true" }), "no runs"),
  );
}

export function countsText(counts: Record<string, number>): string {
  const parts = STATUSES.filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(", ") : "no runs";
}

export function prettyBody(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") return JSON.stringify(parsed, null, 2);
  } catch {}
  return text;
}
