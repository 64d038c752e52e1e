import type { Db } from "../db/client";
import type { KeyringStatus } from "../lib/secrets/keyring";
import { findJobIncludingDeleted } from "./repository";
import { openJob } from "./secrets";

/** A job's secret values by token hash, opened right before a delivery, so messages and rows carry only tokens. */
export async function jobSecretValues(db: Db, ring: KeyringStatus, cronJobId: string): Promise<Map<string, string>> {
  const row = await findJobIncludingDeleted(db, cronJobId);
  return row ? (await openJob(ring, row)).values : new Map();
}
