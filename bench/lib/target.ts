/**
 * The jobs' endpoint for the run-ledger load test: node:http on 127.0.0.1 counting its own calls per job (the http
 * executor sends nothing naming the execution, so each job has its own path): `/ok/<job>` 200 at once,
 * `/fail/<job>` 500, `/hang/<job>` never answers (the executor's timeout ends it); anything else 404, counted apart.
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
