/**
 * The jobs' endpoint for the run-ledger load test: a node:http server on 127.0.0.1 that counts its own calls.
 * The http executor sends nothing that names the execution (the job's URL, method, headers and body are fixed),
 * so every job gets its own path and calls are counted — with their arrival times — per job:
 *
 * - `/ok/<job>`: 200 at once;
 * - `/hang/<job>`: never answers (the executor's timeout ends the call; the socket is dropped after 10 minutes);
 * - `/fail/<job>`: 500 at once;
 * - anything else: 404, counted apart.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TargetServer {
  base: string;
  /** Arrival times (epoch ms) of every call, per job path segment. */
  calls: Map<string, number[]>;
  /** Requests to no known path. */
  strays: number;
  /** Calls still open (hanging). */
  open(): number;
  close(): Promise<void>;
}

export async function startTarget(): Promise<TargetServer> {
  const calls = new Map<string, number[]>();
  const hanging = new Set<ServerResponse>();
  const target = { strays: 0 };
  const server = createServer((req, res) => {
    const at = Date.now();
    const m = /^\/(ok|hang|fail)\/([\w-]+)$/.exec(req.url ?? "");
    req.resume();
    if (!m) {
      target.strays++;
      res.writeHead(404).end();
      return;
    }
    const [, kind, job] = m as unknown as [string, string, string];
    const list = calls.get(job) ?? [];
    list.push(at);
    calls.set(job, list);
    if (kind === "ok") res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    else if (kind === "fail") res.writeHead(500, { "content-type": "text/plain" }).end("bench failure");
    else {
      hanging.add(res);
      const drop = setTimeout(() => res.destroy(), 600_000);
      res.on("close", () => {
        clearTimeout(drop);
        hanging.delete(res);
      });
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    calls,
    get strays() {
      return target.strays;
    },
    open: () => hanging.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
