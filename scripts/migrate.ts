/**
 * `npm run db:migrate [-- --remote]`: applies migrations to the control plane and every shard of wrangler.toml
 * (local by default; --remote for the deployed databases), adopting a pre-sharding database on the way.
 */
import { parseArgs } from "node:util";
import { fail, failOnUncaught } from "./lib/fail";
import { migrateAll } from "./lib/shards";

failOnUncaught();
let remote = false;
try {
  remote = parseArgs({ options: { remote: { type: "boolean", default: false } }, strict: true }).values.remote ?? false;
} catch (e) {
  fail(`${(e as Error).message} (usage: npm run db:migrate [-- --remote])`, 2);
}
const r = migrateAll({ remote });
const adopted =
  r.adopted.accounts > 0 ? `; adopted ${r.adopted.accounts} accounts and ${r.adopted.keys} keys from SHARD_0` : "";
console.log(`Migrated the control plane and ${r.shards} shards (${remote ? "remote" : "local"})${adopted}.`);
