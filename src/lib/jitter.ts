import type { RunRow } from "../db/schema";

/**
 * Deterministic jitter: a slot of a job with `jitter_seconds` N starts `offset` whole seconds after the slot, with
 * the offset in [0, N] derived from (job id, slot) alone — 32-bit FNV-1a over `<job id>|<slot ms>`, modulo N + 1.
 * A redelivered, relayed or replayed slot therefore plans the same start, while the slot's identity (execution
 * ids, the Idempotency-Key header, scheduled_at) stays the unjittered slot. Whole seconds, because the tick honours
 * the offset as the queue message's `delaySeconds` (Cloudflare Queues' unit).
 */
export function jitterOffsetSeconds(jobId: string, slot: number, jitterSeconds: number): number {
  if (!(jitterSeconds > 0)) return 0;
  return fnv1a(`${jobId}|${slot}`) % (Math.floor(jitterSeconds) + 1);
}

/** When the slot's first attempt is planned (epoch ms): the slot plus its jitter offset. */
export function jitteredStart(jobId: string, slot: number, jitterSeconds: number): number {
  return slot + jitterOffsetSeconds(jobId, slot, jitterSeconds) * 1000;
}

/** 32-bit FNV-1a (not a security boundary: it only spreads starts over the window). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Seconds a delivery of a jittered slot's first attempt arrived before its planned start (0 when it is due, or the
 * run is not a jittered first attempt). The tick already delays the message by the offset; this holds back an
 * early copy, e.g. one the relay re-sent, so the offset is honoured whoever delivers.
 */
export function earlyBySeconds(
  run: Pick<RunRow, "state" | "origin" | "attempt" | "slot" | "plannedAt">,
  now: number,
): number {
  const jittered = run.state === "queued" && run.origin === "schedule" && run.attempt === 0 && run.plannedAt > run.slot;
  return jittered && run.plannedAt > now ? Math.ceil((run.plannedAt - now) / 1000) : 0;
}
