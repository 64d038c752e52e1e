/** The tick's JSON log line; free of Workers types so the Node-typed benchmarks share its shape. */
export interface TickReport {
  event: "dispatch_tick";
  /** Which shard's tick: each shard logs its own line for the same minute. */
  shard?: number;
  scheduled_time: string;
  due: number;
  claimed: number;
  enqueued: number;
  /** Slots recorded missed (src/engine/catchup.ts). */
  missed: number;
  /** Pages of due jobs selected (2 D1 queries each). */
  pages: number;
  /** False when the page budget ran out with jobs possibly still due: the shard's tick continues (src/ticks.ts). */
  complete: boolean;
  duration_ms: number;
}
