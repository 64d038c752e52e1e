import type { Db } from "../db/client";
import type { KeyringStatus } from "../lib/secrets/keyring";
import { findJobIncludingDeleted } from "./repository";
import { openJob } from "./secrets";

/**
 * A job's secret values by token hash, read and opened right before a delivery needs one (callbacks, alert
 * webhooks), so queue messages, the outbox and delivery rows only ever carry tokens. Empty when the job is gone.
 */
export async function jobSecretValues(db: Db, ring: KeyringStatus, cronJobId: string): Promise<Map<string, string>> {
  const row = await findJobIncludingDeleted(db, cronJobId);
  return row ? (await openJob(ring, row)).values : new Map();
}
