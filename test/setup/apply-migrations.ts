import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { shardBinding, shardNumbers } from "../../src/shards/bindings";

// Setup files may run more than once; applyD1Migrations skips what is already applied.
await applyD1Migrations(env.DB, env.CONTROL_MIGRATIONS);
for (const shard of shardNumbers(env)) await applyD1Migrations(shardBinding(env, shard), env.SHARD_MIGRATIONS);
