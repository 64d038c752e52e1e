/**
 * The job page's SLO panel without the DOM (test/dashboard/slo-status.test.ts): each objective of GET /stats/{id}'s
 * `slo` as the panel's row (docs/API-NOTES.md "SLO alerts").
 */
import type { SloStatus } from "./types";

export interface SloRow {
  key: "success_rate" | "latency";
  objective: string;
  current: string;
  /** The error budget left, 1 untouched, 0 spent, negative when overspent. */
  budget: number;
  budgetText: string;
  /** spent: at or below 0; low: under a quarter left. */
  budgetState: "ok" | "low" | "spent";
}

/** 0.995 → "99.5 %": at most two decimals, and never 100 % for a value under 1 (a target below 1 stays below). */
export function percent(fraction: number): string {
  let s = (fraction * 100).toFixed(2).replace(/\.?0+$/, "");
  if (s === "100" && fraction < 1) s = "99.99";
  return `${s} %`;
}

function budgetOf(remaining: number): Pick<SloRow, "budget" | "budgetText" | "budgetState"> {
  if (remaining < 0)
    return { budget: remaining, budgetText: `spent, overspent by ${percent(-remaining)}`, budgetState: "spent" };
  if (remaining === 0) return { budget: 0, budgetText: "spent (0 % left)", budgetState: "spent" };
  return { budget: remaining, budgetText: `${percent(remaining)} left`, budgetState: remaining < 0.25 ? "low" : "ok" };
}

export function sloRows(slo: SloStatus): SloRow[] {
  const rows: SloRow[] = [];
  if (!slo) return rows;
  if (slo.success_rate) {
    const o = slo.success_rate;
    rows.push({
      key: "success_rate",
      objective: `${percent(o.target)} of runs succeed`,
      current: o.current === null ? "no runs in the window" : `${percent(o.current)} succeeded`,
      ...budgetOf(o.error_budget_remaining),
    });
  }
  if (slo.latency) {
    const o = slo.latency;
    rows.push({
      key: "latency",
      objective: `${percent(o.target)} of successful runs take at most ${o.latency_ms} ms`,
      current:
        o.current === null ? "no successful runs in the window" : `${percent(o.current)} within ${o.latency_ms} ms`,
      ...budgetOf(o.error_budget_remaining),
    });
  }
  return rows;
}

/** What the burn alerts say now. */
export function burnText(slo: NonNullable<SloStatus>): string {
  if (!slo.burn_alerts) return "Burn alerts off";
  return slo.burning_since ? "Burning fast: slo_burn sent" : "Not burning fast";
}
