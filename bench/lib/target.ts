/**
 * The ledger test's endpoint on 127.0.0.1, counting calls per job path: /ok 200, /fail 500, /hang never answers.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export async function startTarget() {
  const calls = new Map<string, number[]>();
  const hanging = new Set<ServerResponse>();
  const counts = { strays: 0 };
  const server = createServer((req, res) => {
    const m = /^\/(ok|hang|fail)\/([\w-]+)$/.exec(req.url ?? "");
    req.resume();
    if (!m) {
      counts.strays++;
      res.writeHead(404).end();
      return;
    }
    calls.set(m[2] as string, [...(calls.get(m[2] as string) ?? []), Date.now()]);
    if (m[1] === "ok") res.writeHead(200).end("ok");
    else if (m[1] === "fail") res.writeHead(500).end("bench failure");
    else {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Arrival times (epoch ms) of every call, per job. */
    calls,
    get strays() {
      return counts.strays;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
