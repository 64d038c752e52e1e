import { insertWhere } from "../db/insert-where";
import { outbox } from "../db/schema";
import { type DeliveryRow, findDelivery, inFlight, redelivered, redeliverStatement } from "../deliveries/store";
import type { EngineMessage, OutboxEntry } from "../lib/messages";
import type { EngineDeps } from "./deps";
import { sendFollowUps } from "./follow-ups";

export type Redelivery = { kind: "not-found" } | { kind: "in-flight" } | { kind: "queued"; row: DeliveryRow };

/** The queue message of a redelivery: attempt `row.attempts`, the first of a new round of retries. */
function redeliveryMessage(row: DeliveryRow): EngineMessage {
  const common = { accountId: row.accountId, deliveryId: row.id, attempt: row.attempts, retry: 0 };
  if (row.kind === "alert") return { type: "alert", ...common };
  const cronJobId = row.source === "job" ? { cronJobId: row.sourceId } : {};
  return { type: "callback", ...common, url: row.target, body: row.payload, ...cronJobId };
}

/**
 * Sends one of the account's deliveries again now (POST …/deliveries/{id}/redeliver), whatever its state: the row
 * goes back to pending and its message through the outbox in one batch, then to the queue; the attempt updates the
 * row like any other. `in-flight` while an attempt holds it.
 */
export async function redeliver(deps: EngineDeps, accountId: string, id: string): Promise<Redelivery> {
  const now = deps.now();
  const row = await findDelivery(deps.db, accountId, id);
  if (!row) return { kind: "not-found" };
  if (inFlight(row, now)) return { kind: "in-flight" };
  const entry: OutboxEntry = { id: `${row.id}:redeliver:${row.attempts}`, accountId, message: redeliveryMessage(row) };
  const [updated] = await deps.db.batch([
    redeliverStatement(deps.db, row, now),
    insertWhere(
      deps.db,
      outbox,
      { id: entry.id, accountId, message: JSON.stringify(entry.message), createdAt: now },
      redelivered(row, now),
    ),
  ]);
  const [current] = updated;
  // Another attempt took or settled the row between the read and the batch.
  if (!current) return { kind: "in-flight" };
  await sendFollowUps(deps, [], [entry]);
  return { kind: "queued", row: current };
}
