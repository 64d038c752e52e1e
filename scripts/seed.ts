/** Provisions the demo account, jobs and history in the local D1 (idempotent). */

import { execute, migrate } from "./lib/d1";
import { DEMO, demoSeedSql } from "./lib/demo";

export async function seed() {
  migrate({ remote: false });
  const { sql, logs } = await demoSeedSql(Date.now());
  execute({ remote: false }, sql);
  return { ...DEMO, logs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await seed();
  console.log(`Seeded the demo account ${r.account_id} (${r.logs} history rows, existing ones kept).`);
}
