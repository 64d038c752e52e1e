import { defineConfig } from "drizzle-kit";

// The control plane's migrations (accounts, API keys, the shard directory); `npm run db:migrate` applies them.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/control-schema.ts",
  out: "./drizzle/control",
});
