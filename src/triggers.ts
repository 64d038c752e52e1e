/** The Cron Trigger expressions of wrangler.toml, by role (a test keeps the two in step). */
export const DISPATCH_CRON = "* * * * *";
export const SWEEP_CRON = "17 3 * * *";
