/** Provisions the demo account, jobs and history in the local D1 (idempotent). */

import { execute } from "./lib/d1";
import { DEMO, demoSeedSql } from "./lib/demo";
import { operatorKeyring } from "./lib/master-key";
import { migrateAll, provisionAccount, shardDatabase } from "./lib/shards";

export async function seed() {
  const target = { remote: false };
  migrateAll(target);
  // Sealed with the local key of .dev.vars, which the local Worker reads too.
  const { account, sql, logs } = await demoSeedSql(Date.now(), operatorKeyring(target));
  // The account's shard rows and directory entry first (the directory keeps an existing placement), then its history.
  const shard = provisionAccount(target, account);
  execute(target, sql, shardDatabase(shard));
  return { ...DEMO, shard, logs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await seed();
  console.log(
    `Seeded the demo account ${r.account_id} on SHARD_${r.shard} (${r.logs} history rows, existing ones kept).`,
  );
}
