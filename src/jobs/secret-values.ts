import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs } from "../db/schema";
import type { KeyringStatus } from "../lib/secrets/keyring";
import { openJob } from "./secrets";

/**
 * A job's secret values by token hash, read and opened right before a delivery needs one (callbacks, alert
 * webhooks), so queue messages, the outbox and delivery rows only ever carry tokens. Empty when the job is gone.
 */
export async function jobSecretValues(db: Db, ring: KeyringStatus, cronJobId: string): Promise<Map<string, string>> {
  const [row] = await db.select().from(cronJobs).where(eq(cronJobs.id, cronJobId)).limit(1);
  if (!row) return new Map();
  return (await openJob(ring, row)).values;
}
