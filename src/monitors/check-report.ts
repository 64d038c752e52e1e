/** The monitor check's log line (one per tick), read by bench/monitors.ts: a types-only module. */
export interface CheckReport {
  event: "monitor_check";
  due: number;
  flipped: number;
  alerts: number;
  pages: number;
  queries: number;
  complete: boolean;
  /** Wall time of the check, as dispatch_tick reports its own. */
  duration_ms: number;
}
