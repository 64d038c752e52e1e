import { defineConfig } from "drizzle-kit";

// Only generates SQL; `wrangler d1 migrations apply` applies it (migrations_dir = "drizzle").
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
