import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The client package's tests run in Node (not workerd): unit tests, and test/worker.test.ts, which starts the
 * Worker with `wrangler dev` and drives the SDK and the built CLI against it.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
