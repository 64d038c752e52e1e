/** The Cron Trigger expressions of wrangler.toml, by role (a test keeps the two in step). */
export const DISPATCH_CRON = "* * * * *";
/** Hourly, so each sweep has an hour of expiries to delete rather than a day's: short runs, no backlog. */
export const SWEEP_CRON = "17 * * * *";
