/** Provisions the demo account, jobs and history in the local D1 (idempotent), migrating it first. */

import { DEMO } from "./lib/demo-account";
import { prepareLocalD1 } from "./lib/local-seed";

/** The local D1 of `.wrangler/state` (or `persistTo`) as `npm start` prepares it, the demo history topped up. */
export async function seed(opts: { persistTo?: string } = {}) {
  const { shard, logs } = await prepareLocalD1({ ...opts, reseed: true });
  return { ...DEMO, shard, logs: logs ?? 0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await seed();
  console.log(
    `Seeded the demo account ${r.account_id} on SHARD_${r.shard} (${r.logs} history rows, existing ones kept).`,
  );
}
