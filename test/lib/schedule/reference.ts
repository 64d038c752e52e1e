import type { ScheduleConfig } from "../../../src/lib/schedule/schema";

/**
 * A deliberately slow, independent model of the schedule rules for property tests: its own Intl formatter and
 * string parsing, an exhaustive offset scan instead of offset arithmetic, and a day-by-day (or minute-by-minute)
 * walk instead of period jumps. Shares no code with src/schedule.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local wall time of an instant, to the minute, read from an sv-SE string ("2025-03-09 03:00"). */
export function refWall(tz: string, instant: number): number {
  let f = formatters.get(tz);
  if (!f) {
    const opts = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" } as const;
    f = new Intl.DateTimeFormat("sv-SE", { timeZone: tz, hourCycle: "h23", ...opts });
    formatters.set(tz, f);
  }
  const m = /(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(f.format(instant));
  if (!m) throw new Error(`unexpected format ${f.format(instant)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}

/** Wall → instant by trying every 15-minute offset in ±16 h; first occurrence, or the first minute after a gap. */
export function refToUtc(tz: string, wall: number): number {
  const hits: number[] = [];
  for (let o = -16 * HOUR; o <= 16 * HOUR; o += 15 * MIN) {
    if (refWall(tz, wall - o) === wall) hits.push(wall - o);
  }
  if (hits.length > 0) return Math.min(...hits);
  let u = wall - 16 * HOUR;
  while (refWall(tz, u) <= wall) u += 15 * MIN;
  while (refWall(tz, u - MIN) > wall) u -= MIN;
  return u;
}

const floorMod = (a: number, n: number) => ((a % n) + n) % n;
const parts = (day: number) => {
  const d = new Date(day * DAY);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth(), dom: d.getUTCDate(), dow: d.getUTCDay() };
};

/** Does the local calendar day `day` carry a run? */
function dayMatches(c: ScheduleConfig, anchorDay: number, day: number): boolean {
  const n = c.repeat_every;
  const p = parts(day);
  const a = parts(anchorDay);
  switch (c.repeat_type) {
    case "days":
      return floorMod(day - anchorDay, n) === 0;
    case "weeks": {
      const weeks = (day - p.dow - (anchorDay - a.dow)) / 7;
      return floorMod(weeks, n) === 0 && (c.days_of_week ?? []).some((d) => Number(d) === p.dow);
    }
    case "months": {
      const lastDay = new Date(Date.UTC(p.y, p.m + 1, 0)).getUTCDate();
      const months = (p.y - a.y) * 12 + (p.m - a.m);
      return floorMod(months, n) === 0 && p.dom === Math.min(c.day_of_month ?? 1, lastDay);
    }
    case "years":
      return floorMod(p.y - a.y, n) === 0 && p.m === 0 && p.dom === (c.day_of_month ?? 1);
    default:
      throw new Error("not a calendar schedule");
  }
}

/** First run strictly after `after` by brute force, within `horizonDays`; undefined if none in the window. */
export function refNextRun(
  c: ScheduleConfig,
  tz: string,
  anchorAt: number,
  after: number,
  horizonDays: number,
): number | undefined {
  const [hh, mm] = (c.time ?? "00:00").split(":").map(Number) as [number, number];
  if (c.repeat_type === "hourly") {
    const anchorWall = refWall(tz, anchorAt);
    const hourStart = anchorAt - (anchorWall % HOUR) - (anchorAt % MIN);
    for (let u = Math.floor(after / MIN) * MIN + MIN; u < after + horizonDays * DAY; u += MIN) {
      const hoursIn = Math.floor((u - hourStart) / HOUR);
      if (refWall(tz, u) % HOUR === mm * MIN && floorMod(hoursIn, c.repeat_every) === 0) return u;
    }
    return undefined;
  }
  const anchorDay = Math.floor(refWall(tz, anchorAt) / DAY);
  const startDay = Math.floor(refWall(tz, after) / DAY) - 3;
  for (let day = startDay; day < startDay + horizonDays; day++) {
    if (!dayMatches(c, anchorDay, day)) continue;
    const run = refToUtc(tz, day * DAY + hh * HOUR + mm * MIN);
    if (run > after) return run;
  }
  return undefined;
}

const transitionCache = new Map<string, number[]>();

/** Instants (to the minute) where the zone's UTC offset changes, 2020–2029, found by scanning and bisection. */
export function refTransitions(tz: string): number[] {
  let found = transitionCache.get(tz);
  if (!found) {
    found = refTransitionsBetween(tz, Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1), 6 * HOUR);
    transitionCache.set(tz, found);
  }
  return found;
}

/**
 * A raw cron expression as Vixie cron reads it, for the reference: numbers, `*`, ranges, lists and steps (no
 * names or croner extensions). `domStar`/`dowStar` are Vixie's DOM_STAR/DOW_STAR: the field starts with `*`.
 */
export interface RefCron {
  minutes: Set<number>;
  hours: Set<number>;
  doms: Set<number>;
  months: Set<number>;
  dows: Set<number>;
  domStar: boolean;
  dowStar: boolean;
  /** Neither minute nor hour has `*` or a step: Vixie's (and the README's) fixed-time job. */
  fixed: boolean;
}

function refField(text: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(",")) {
    const [range, stepText] = item.split("/") as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === "*") [lo, hi] = [min, max];
    else if (range.includes("-")) [lo, hi] = range.split("-").map(Number) as [number, number];
    else [lo, hi] = [Number(range), stepText === undefined ? Number(range) : max];
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function refCron(expr: string): RefCron {
  const [mi, h, dom, mo, dow] = expr.split(" ") as [string, string, string, string, string];
  const dows = refField(dow, 0, 7);
  if (dows.has(7)) dows.add(0);
  return {
    minutes: refField(mi, 0, 59),
    hours: refField(h, 0, 23),
    doms: refField(dom, 1, 31),
    months: refField(mo, 1, 12),
    dows,
    domStar: dom.startsWith("*"),
    dowStar: dow.startsWith("*"),
    fixed: !/[*/]/.test(mi) && !/[*/]/.test(h),
  };
}

/** Does the local calendar day (wall ms of any minute in it) match, by Vixie's day-of-month/day-of-week rule? */
export function refCronDay(c: RefCron, wall: number): boolean {
  const d = new Date(wall);
  if (!c.months.has(d.getUTCMonth() + 1)) return false;
  const dom = c.doms.has(d.getUTCDate());
  const dow = c.dows.has(d.getUTCDay());
  return c.domStar || c.dowStar ? dom && dow : dom || dow;
}

export function refCronMatches(c: RefCron, wall: number): boolean {
  const d = new Date(wall);
  return refCronDay(c, wall) && c.minutes.has(d.getUTCMinutes()) && c.hours.has(d.getUTCHours());
}

/**
 * First run of a cron expression strictly after `after`, by brute force within `horizonDays`. Interval jobs walk
 * every minute of real time (so a repeated time matches twice and a skipped one never); fixed-time jobs walk local
 * days and place each matching wall time with refToUtc (first occurrence, or the first minute after a gap).
 */
export function refCronNext(expr: string, tz: string, after: number, horizonDays: number): number | undefined {
  const c = refCron(expr);
  if (!c.fixed) {
    for (let u = Math.floor(after / MIN) * MIN + MIN; u < after + horizonDays * DAY; ) {
      const wall = refWall(tz, u);
      // A day that does not match is skipped to the first instant whose wall time reaches the next midnight.
      if (!refCronDay(c, wall)) {
        u = refFirstReaching(tz, u, (Math.floor(wall / DAY) + 1) * DAY);
        continue;
      }
      if (refCronMatches(c, wall)) return u;
      u += MIN;
    }
    return undefined;
  }
  const times = [...c.hours].flatMap((h) => [...c.minutes].map((m) => h * HOUR + m * MIN)).sort((a, b) => a - b);
  const startDay = Math.floor(refWall(tz, after) / DAY) - 2;
  for (let day = startDay; day < startDay + horizonDays; day++) {
    if (!refCronDay(c, day * DAY)) continue;
    for (const t of times) {
      const run = refToUtc(tz, day * DAY + t);
      if (run > after) return run;
    }
  }
  return undefined;
}

/** First whole minute after `from` whose wall time is ≥ `wall`: a jump to three hours short, then 15- and 1-minute steps. */
function refFirstReaching(tz: string, from: number, wall: number): number {
  let u = Math.max(from + MIN, from + (wall - refWall(tz, from)) - 3 * HOUR);
  while (refWall(tz, u + 15 * MIN) < wall) u += 15 * MIN;
  while (refWall(tz, u) < wall) u += MIN;
  return u;
}

/**
 * Offset changes (instant of the new offset, to the minute) in [from, to): samples `step` apart (a day by
 * default), then bisection between two samples that differ. Two changes closer than `step` would be missed
 * (none exist in the 2020s).
 */
export function refTransitionsBetween(tz: string, from: number, to: number, step = DAY): number[] {
  const offset = (u: number) => refWall(tz, u) - u;
  const found: number[] = [];
  let current = offset(from);
  for (let u = from; u < to; u += step) {
    const next = offset(u + step);
    if (next === current) continue;
    current = next;
    let lo = u;
    let hi = u + step;
    while (hi - lo > MIN) {
      const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}
