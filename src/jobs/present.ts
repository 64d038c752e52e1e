import type { Config } from "../config";
import type { CronJobRow } from "../db/schema";
import { redactJob } from "./secrets";
import { serialiseJob } from "./serialise";

/** The job object a response may carry, whatever the key's scope: secrets as redaction tokens, never values. */
export async function presentJob(cfg: Pick<Config, "secrets">, row: CronJobRow) {
  return serialiseJob(await redactJob(cfg.secrets, row));
}
