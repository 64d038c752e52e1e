import { createServer, type RequestListener } from "node:http";
import { afterAll, beforeAll } from "vitest";
import { EdgecronClient, type EdgecronClientOptions } from "../../src/index.js";

/**
 * A stand-in API for one test file: listens on a free loopback port before its tests and closes after them.
 * `client()` and `env()` (the CLI's) point at it with the account and a fixed key and secret.
 */
export function standInApi(accountId: string, handler: RequestListener) {
  const server = createServer(handler);
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: () => base,
    client: (options: Partial<EdgecronClientOptions> = {}) =>
      new EdgecronClient({ baseUrl: base, accountId, apiKey: "k", apiSecret: "s", ...options }),
    env: () => ({
      EDGECRON_URL: base,
      EDGECRON_ACCOUNT_ID: accountId,
      EDGECRON_API_KEY: "k",
      EDGECRON_API_SECRET: "s",
    }),
  };
}
