/** One timezone for the whole dashboard, UTC or the browser's, shown in the header and kept per tab. */
const ZONE_KEY = "edgecron.dashboard.zone";
export type ZoneChoice = "utc" | "local";

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

let choice: ZoneChoice = sessionStorage.getItem(ZONE_KEY) === "local" ? "local" : "utc";

export function zoneChoice(): ZoneChoice {
  return choice;
}

export function setZoneChoice(next: ZoneChoice): void {
  choice = next;
  sessionStorage.setItem(ZONE_KEY, next);
  formatters = build();
}

export function browserZoneName(): string {
  return browserZone;
}

/** The IANA name of the chosen zone ("UTC" or e.g. "America/New_York"). */
export function zoneName(): string {
  return choice === "utc" ? "UTC" : browserZone;
}

function build() {
  const timeZone = zoneName();
  return {
    dateTime: new Intl.DateTimeFormat(undefined, {
      timeZone,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "short",
    }),
    short: new Intl.DateTimeFormat(undefined, {
      timeZone,
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short",
    }),
    clock: new Intl.DateTimeFormat(undefined, { timeZone, hour: "2-digit", minute: "2-digit" }),
    /** Daily buckets come from the API in UTC days, so they are always labelled in UTC. */
    utcDay: new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" }),
  };
}

let formatters = build();

export const fmt = {
  dateTime: (ms: number) => formatters.dateTime.format(ms),
  short: (ms: number) => formatters.short.format(ms),
  clock: (ms: number) => formatters.clock.format(ms),
  utcDay: (ms: number) => formatters.utcDay.format(ms),
};

/** A `YYYY-MM-DD` day's first (or, with `end`, last) millisecond in the chosen zone as ISO 8601; UTC as a bare date. */
export function dayBound(date: string, end = false): string {
  if (choice === "utc") return date;
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const ms = end ? new Date(y, m - 1, d + 1).getTime() - 1 : new Date(y, m - 1, d).getTime();
  return new Date(ms).toISOString();
}
