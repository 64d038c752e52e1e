import { describe, expect, it } from "vitest";
import { nextRunAt } from "../../../src/lib/schedule/next-run";
import type { ConfigInput } from "./helpers";
import { iso, schedule } from "./helpers";
import { refCron, refCronMatches, refTransitionsBetween, refWall } from "./reference";

/**
 * Every IANA zone the runtime knows and every offset change it has in 2026–2028: around each change, schedules
 * placed on its edges are compared, run by run, with a brute-force reference over every minute of the window
 * around it. The schedules (fixed-time and interval cron, lists and ranges, daily and hourly presets) are chosen
 * from the change's own local times, so each lands in its gap or overlap or right next to it. Many zones share a
 * change (same instant, same offsets): the first zone of each such group gets the full set, the others a
 * rotating sample of it (one fixed-time cron, one daily and one hourly preset), which keeps the run in seconds.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2029, 0, 1);
/** Runs are compared in T ± INNER; the reference sees T ± OUTER so a wall time is placed from its whole context. */
const INNER = 2.5 * HOUR;
const OUTER = 4 * HOUR;

interface Transition {
  tz: string;
  at: number;
  before: number;
  after: number;
}

function transitions(): Transition[] {
  const out: Transition[] = [];
  for (const tz of Intl.supportedValuesOf("timeZone")) {
    for (const at of refTransitionsBetween(tz, FROM, TO)) {
      out.push({ tz, at, before: refWall(tz, at - MIN) + MIN - at, after: refWall(tz, at) - at });
    }
  }
  return out;
}

type Case = { label: string; config: ConfigInput; anchor: number; expected: (t: Window) => number[] };

/** The window's minutes with their wall times (the two offsets either side of the change, checked against Intl). */
interface Window {
  minutes: Array<{ u: number; wall: number }>;
  /** Wall time → its first instant in the window. */
  firstAt: Map<number, number>;
  firstWall: number;
  lastWall: number;
}

function windowOf(t: Transition): Window {
  const minutes: Window["minutes"] = [];
  for (let u = t.at - OUTER; u < t.at + OUTER; u += MIN) {
    minutes.push({ u, wall: u + (u < t.at ? t.before : t.after) });
  }
  const firstAt = new Map<number, number>();
  for (const m of minutes) if (!firstAt.has(m.wall)) firstAt.set(m.wall, m.u);
  const walls = minutes.map((m) => m.wall);
  return { minutes, firstAt, firstWall: Math.min(...walls), lastWall: Math.max(...walls) };
}

/** Interval rule: every real minute whose local wall time matches. */
const intervalRuns = (w: Window, matches: (wall: number) => boolean) =>
  w.minutes.filter((m) => matches(m.wall)).map((m) => m.u);

/** Fixed-time rule: each matching wall time once, at its first occurrence, or at the first minute after its gap. */
function fixedRuns(w: Window, matches: (wall: number) => boolean): number[] {
  const runs = new Set<number>();
  for (let wall = w.firstWall; wall <= w.lastWall; wall += MIN) {
    if (!matches(wall)) continue;
    const at = w.firstAt.get(wall) ?? w.minutes.find((m) => m.wall > wall)?.u;
    if (at !== undefined) runs.add(at);
  }
  return [...runs].sort((a, b) => a - b);
}

const pad = (n: number) => String(n).padStart(2, "0");
const hhmm = (wall: number) => ({ h: new Date(wall).getUTCHours(), m: new Date(wall).getUTCMinutes() });

function casesFor(t: Transition, index: number, full: boolean): Case[] {
  // The wall-clock interval the change affects: the gap (spring forward) or the repeated span (fall back).
  const a = t.at + Math.min(t.before, t.after);
  const b = t.at + Math.max(t.before, t.after);
  const edges = [a - MIN, a, a + Math.floor((b - a) / 2 / MIN) * MIN, b - MIN, b];
  const cases: Case[] = [];
  const anchor = t.at - (5 + (index % 200)) * DAY - (index % 7) * 17 * MIN;
  for (const [i, wall] of edges.entries()) {
    const { h, m } = hhmm(wall);
    // One cron case, judged by the fixed-time or the interval rule.
    const cronCase = (expr: string, rule: typeof fixedRuns): Case => {
      const c = refCron(expr);
      return {
        label: `cron ${expr}`,
        config: { cron: expr },
        anchor,
        expected: (w) => rule(w, (x) => refCronMatches(c, x)),
      };
    };
    const fixed = (expr: string) => cronCase(expr, fixedRuns);
    const interval = (expr: string) => cronCase(expr, intervalRuns);
    if (!full && i !== index % edges.length) continue;
    cases.push(fixed(`${m} ${h} * * *`));
    if (full && (i === 1 || i === 3)) cases.push(interval(`${m} * * * *`));
    cases.push({
      label: `days ${pad(h)}:${pad(m)}`,
      config: { repeat_type: "days", time: `${pad(h)}:${pad(m)}` },
      anchor,
      expected: (w) => fixedRuns(w, (x) => hhmm(x).h === h && hhmm(x).m === m),
    });
    // Lists and ranges are fixed-time too; rotate which one each edge gets.
    const other = (h + 1 + (index % 3)) % 24;
    if (!full) continue;
    if ((index + i) % 2 === 0) cases.push(fixed(`${m},${(m + 30) % 60} ${h},${other} * * *`));
    else cases.push(fixed(`${m} ${Math.min(h, other)}-${Math.max(h, other)} * * *`));
  }
  // Hourly presets (every N hours from the anchor's local hour) on the edge minutes, and a step interval job.
  const every = 1 + (index % 3);
  for (const wall of full ? [a, b - MIN] : [index % 2 === 0 ? a : b - MIN]) {
    const { m } = hhmm(wall);
    const hourStart = anchor - (refWall(t.tz, anchor) % HOUR) - (anchor % MIN);
    cases.push({
      label: `hourly every ${every} at :${pad(m)}`,
      config: { repeat_type: "hourly", repeat_every: every, time: `00:${pad(m)}` },
      anchor,
      expected: (w) =>
        w.minutes
          .filter((x) => hhmm(x.wall).m === m && Math.floor((x.u - hourStart) / HOUR) % every === 0)
          .map((x) => x.u),
    });
  }
  const step = [5, 7, 15][index % 3] as number;
  if (full)
    cases.push({
      label: `cron */${step} * * * *`,
      config: { cron: `*/${step} * * * *` },
      anchor,
      expected: (w) => intervalRuns(w, (x) => hhmm(x).m % step === 0),
    });
  return cases;
}

function actualRuns(c: Case, t: Transition): number[] {
  const s = schedule(c.config, t.tz, c.anchor);
  const runs: number[] = [];
  for (let after = t.at - INNER - 1; ; ) {
    const run = nextRunAt(s, after);
    if (run === null || run >= t.at + INNER) return runs;
    runs.push(run);
    after = run;
  }
}

describe("every IANA zone, every offset change of 2026–2028", () => {
  const all = transitions();

  it("finds the offset changes (the runtime has DST zones with 30- and 60-minute shifts)", () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all.some((t) => Math.abs(t.after - t.before) === 30 * MIN)).toBe(true);
    const zones = new Set(all.map((t) => t.tz));
    for (const tz of ["Australia/Lord_Howe", "America/Scoresbysund", "America/New_York", "Pacific/Chatham"]) {
      expect(zones.has(tz), tz).toBe(true);
    }
  });

  it("each change is alone in its window, with the offsets Intl reports", () => {
    for (const t of all) {
      for (const u of [t.at - OUTER, t.at - MIN]) expect(refWall(t.tz, u) - u, t.tz).toBe(t.before);
      for (const u of [t.at, t.at + OUTER - MIN]) expect(refWall(t.tz, u) - u, t.tz).toBe(t.after);
    }
  });

  it("matches the brute-force reference run by run", { timeout: 60_000 }, () => {
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const [index, t] of all.entries()) {
      const group = `${t.at} ${t.before} ${t.after}`;
      const full = !seen.has(group);
      seen.add(group);
      const w = windowOf(t);
      for (const c of casesFor(t, index, full)) {
        const expected = c.expected(w).filter((u) => u >= t.at - INNER && u < t.at + INNER);
        const actual = actualRuns(c, t);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          failures.push(
            `${t.tz} change at ${iso(t.at)} (${t.before / MIN}→${t.after / MIN} min), ${c.label}, anchor ${iso(c.anchor)}:` +
              ` expected ${expected.map(iso).join(" ")} got ${actual.map(iso).join(" ")}`,
          );
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(failures).toHaveLength(0);
  });
});
