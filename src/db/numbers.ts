import { type SQL, sql } from "drizzle-orm";
import { accounts, cronJobs } from "./schema";

/** The job's shard-local number (cron_jobs.num) for its id, as a scalar subquery. */
export const jobNumber = (cronJobId: string): SQL =>
  sql`(SELECT ${cronJobs.num} FROM ${cronJobs} WHERE ${cronJobs.id} = ${cronJobId})`;

/** The account's shard-local number (accounts.num) for its id, as a scalar subquery. */
export const accountNumber = (accountId: string): SQL =>
  sql`(SELECT ${accounts.num} FROM ${accounts} WHERE ${accounts.id} = ${accountId})`;
