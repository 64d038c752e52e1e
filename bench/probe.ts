/**
 * Quick look at a few requests' cost through the frozen bundle, each paired with /health (dev tool, not in RESULTS.md).
 *   npx tsx bench/probe.ts [raised|none]
 */
import { benchWranglerConfig, ensureBundle, readMeta } from "./lib/common";
import { withDev } from "./lib/wrangler-dev";
import { measurePaired } from "./logs-load";

const limiter = (process.argv[2] ?? "raised") as "raised" | "none";
const meta = readMeta();
const job = meta.bigJob;
const account = meta.accounts.find((a) => a.account_id === job.accountId);
if (!account) throw new Error("no account");
const headers = { "x-api-key": account.api_key, "x-api-secret": account.api_secret };
const logsPath = (q: string) => `/v1/cron-jobs/${job.accountId}/logs/${job.id}?${q}`;
ensureBundle();
const config = benchWranglerConfig({ limiter });
await withDev({ port: 8788, config: config.path }, (dev) =>
  measurePaired(
    dev,
    [
      { name: "page1", label: "page 1", path: logsPath("limit=50") },
      { name: "timeout", label: "status=timeout", path: logsPath("limit=50&status=timeout") },
      { name: "limit1", label: "page 1 limit=1", path: logsPath("limit=1") },
      { name: "details", label: "details", path: `/v1/cron-jobs/${job.accountId}/details/${job.id}` },
    ],
    headers,
  ),
);
