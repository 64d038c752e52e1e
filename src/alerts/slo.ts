import type { Slo } from "./schemas";

/**
 * Service level objectives (docs/API-NOTES.md "SLO alerts"). Two objectives a job may set: the fraction of runs
 * that succeed, and the fraction of successful runs at or under latency_ms. Every logged attempt counts, as in
 * the stats. Burn alerts follow the SRE workbook, "Alerting on SLOs", recipe 6 (multiwindow, multi-burn-rate).
 */
export type Objective =
  | { kind: "success_rate"; target: number }
  | { kind: "latency"; target: number; thresholdMs: number };

export function objectives(slo: Slo): Objective[] {
  const out: Objective[] = [];
  if (slo.success_rate !== null) out.push({ kind: "success_rate", target: slo.success_rate });
  if (slo.latency_ms !== null && slo.latency_target !== null)
    out.push({ kind: "latency", target: slo.latency_target, thresholdMs: slo.latency_ms });
  return out;
}

/**
 * The workbook's two rules for a 30-day SLO: 2 % of the budget spent in 1 h (14.4×, checked over 5 min too) and
 * 5 % in 6 h (6×, and 30 min). The short window makes an alert stop soon after the burning does.
 */
export const BURN_RULES = [
  { name: "1h", longHours: 1, shortMinutes: 5, factor: 14.4 },
  { name: "6h", longHours: 6, shortMinutes: 30, factor: 6 },
] as const;
export type BurnRuleName = (typeof BURN_RULES)[number]["name"];
const WORKBOOK_DAYS = 30;
const MIN = 60_000;
/** log_hours keys UTC hours: floor(executed_at / HOUR). */
const HOUR = 3_600_000;
/** The longest short window: how far back the recent logs are read. */
export const RECENT_MS = 30 * MIN;
/** At most this many recent logs per evaluation; beyond it the short windows are the newest this many logs. */
export const RECENT_LIMIT = 1000;

/**
 * A rule's threshold for a window of `days`: the same share of the budget in the same time, i.e. the factor
 * scaled by days / 30, but never below 1, since a burn rate up to 1 does not spend the budget within the window.
 */
export function burnThreshold(factor: number, days: number): number {
  return Math.max(1, (factor * days) / WORKBOOK_DAYS);
}

/** Good and total events of an objective over some window (fractional where an hour is pro-rated). */
export interface Tally {
  good: number;
  total: number;
}

/** Error rate over the objective's error budget (1 − target); 0 without events. */
export function burnRate(t: Tally, target: number): number {
  if (t.total <= 0) return 0;
  return (t.total - t.good) / t.total / (1 - target);
}

/** A log as the objectives count it: status number (0 success) and response time. */
export interface SloEvent {
  status: number;
  ms: number | null;
}

/** Adds one log to an objective's tally: a latency objective counts only successful runs with a response time. */
export function tallyEvent(o: Objective, t: Tally, e: SloEvent, weight = 1): void {
  if (o.kind === "success_rate") {
    t.total += weight;
    if (e.status === 0) t.good += weight;
  } else if (e.status === 0 && e.ms !== null) {
    t.total += weight;
    if (e.ms <= o.thresholdMs) t.good += weight;
  }
}

/**
 * What an evaluation reads (src/logs/slo.ts readBurnInput): each objective's good and total runs per UTC hour of
 * the last 7, from the rollups, and the logs of the last 30 minutes.
 */
export interface BurnInput {
  /** The evaluation's instant: the recorded attempt's executed_at. */
  now: number;
  /** Per objective, in objectives(slo) order: UTC hour → its tally. */
  hours: Array<Map<number, Tally>>;
  /** Logs with now − 30 min < executed_at ≤ now: the newest RECENT_LIMIT of them, in any order. */
  recent: Array<SloEvent & { at: number }>;
}

/** Reads a job's BurnInput at `now` (injected by the engine: the read is the log store's). */
export type BurnReader = (jobId: string, slo: Slo, now: number) => Promise<BurnInput>;

export type BurnRates = Record<"1h" | "5m" | "6h" | "30m", number>;

export interface ObjectiveBurn {
  objective: Objective;
  rates: BurnRates;
  /** The rules whose long and short windows both burn over the threshold. */
  firing: BurnRuleName[];
}

export interface BurnEvaluation {
  burning: boolean;
  thresholds: Record<BurnRuleName, number>;
  objectives: ObjectiveBurn[];
}

/**
 * The burn rates at `now`. A long window of L hours is the rollups of the current UTC hour and the L − 1 before
 * it, whole, plus the hour before those weighted by the share of it inside the window (1 − the elapsed share of
 * the current hour): the sliding-window estimate, exact when runs are spread evenly over that oldest hour. The
 * short windows count the recent logs exactly.
 */
export function evaluateBurn(slo: Slo, input: BurnInput): BurnEvaluation {
  const { now } = input;
  const current = Math.floor(now / HOUR);
  const elapsed = (now - current * HOUR) / HOUR;
  const thresholds = {
    "1h": burnThreshold(BURN_RULES[0].factor, slo.window_days),
    "6h": burnThreshold(BURN_RULES[1].factor, slo.window_days),
  };
  const evaluated = objectives(slo).map((o, i): ObjectiveBurn => {
    const perHour = input.hours[i] ?? new Map<number, Tally>();
    const long = (hours: number): Tally => {
      const t: Tally = { good: 0, total: 0 };
      for (let h = current - hours; h <= current; h++) {
        const w = h === current - hours ? 1 - elapsed : 1;
        const c = perHour.get(h);
        if (!c || w === 0) continue;
        t.good += w * c.good;
        t.total += w * c.total;
      }
      return t;
    };
    const short = (minutes: number): Tally => {
      const t: Tally = { good: 0, total: 0 };
      for (const e of input.recent) if (e.at > now - minutes * MIN && e.at <= now) tallyEvent(o, t, e);
      return t;
    };
    const rates: BurnRates = {
      "1h": burnRate(long(1), o.target),
      "5m": burnRate(short(5), o.target),
      "6h": burnRate(long(6), o.target),
      "30m": burnRate(short(30), o.target),
    };
    const firing = BURN_RULES.filter((r) => {
      const thr = thresholds[r.name];
      return rates[r.name] > thr && rates[r.name === "1h" ? "5m" : "30m"] > thr;
    }).map((r) => r.name);
    return { objective: o, rates, firing };
  });
  return { burning: evaluated.some((e) => e.firing.length > 0), thresholds, objectives: evaluated };
}

/** The input with one more log (the attempt being recorded, not yet in the rollups or the logs). */
export function withAttempt(slo: Slo, input: BurnInput, e: SloEvent & { at: number }): BurnInput {
  const hour = Math.floor(e.at / HOUR);
  const hours = objectives(slo).map((o, i) => {
    const m = new Map(input.hours[i] ?? []);
    const t = { ...(m.get(hour) ?? { good: 0, total: 0 }) };
    tallyEvent(o, t, e);
    return m.set(hour, t);
  });
  return { now: input.now, hours, recent: [e, ...input.recent] };
}

/** The SLO's burn at the attempt's instant, the attempt included: one read. */
export async function evaluateSlo(read: BurnReader, jobId: string, slo: Slo, attempt: SloEvent & { at: number }) {
  return evaluateBurn(slo, withAttempt(slo, await read(jobId, slo, attempt.at), attempt));
}

/** What GET …/stats/{id} shows of an objective: target, value over window_days, and the budget left. */
export interface ObjectiveStatus {
  target: number;
  /** good / total over the window; null without events. */
  current: number | null;
  /** 1 − (bad share / budget), as a fraction: 1 untouched, 0 spent, negative when overspent. */
  errorBudgetRemaining: number;
}

/** Counts over the SLO's window, read from the rollups (src/logs/stats.ts windowCounts). */
export interface SloCounts {
  total: number;
  success: number;
  /** Successful runs with a response time, and those at or under latency_ms. */
  timed: number;
  fast: number;
}

export function objectiveStatus(target: number, t: Tally): ObjectiveStatus {
  if (t.total === 0) return { target, current: null, errorBudgetRemaining: 1 };
  const current = t.good / t.total;
  return { target, current, errorBudgetRemaining: 1 - (1 - current) / (1 - target) };
}

export function sloStatus(slo: Slo, c: SloCounts) {
  return {
    successRate:
      slo.success_rate === null ? null : objectiveStatus(slo.success_rate, { good: c.success, total: c.total }),
    latency:
      slo.latency_ms === null || slo.latency_target === null
        ? null
        : { thresholdMs: slo.latency_ms, ...objectiveStatus(slo.latency_target, { good: c.fast, total: c.timed }) },
  };
}
