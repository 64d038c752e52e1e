import { defineConfig } from "drizzle-kit";

// The shard schema (every account's jobs, run ledger and logs). Only generates SQL; `npm run db:migrate` applies it
// to every SHARD_n database (migrations_dir = "drizzle/shard"). The control plane has drizzle.control.config.ts.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./drizzle/shard",
});
