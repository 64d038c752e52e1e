/**
 * The tick's JSON log line. Its own module, with no Workers types, so the benchmarks (Node-typed) read the
 * same shape the dispatcher writes.
 */
export interface TickReport {
  event: "dispatch_tick";
  scheduled_time: string;
  due: number;
  claimed: number;
  enqueued: number;
  duration_ms: number;
}
