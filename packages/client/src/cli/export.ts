/**
 * `edgecron export`: streams the export endpoint's body to a file (`-o`) or standard output chunk by chunk,
 * honouring backpressure, so an export of any size runs in constant memory.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { ExportFormat } from "../types.js";
import { CliError, EXIT } from "./exit-codes.js";
import type { Ctx } from "./main.js";
import { exportSelector, type LogsArgs } from "./selector.js";

/**
 * Resolves at the sink's next 'drain' or 'error' (onError keeps the error), leaving no listener behind: a race of
 * two `once` calls would leave one per wait, and a long export would warn of a listener leak.
 */
export function drained(sink: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off("drain", done);
      sink.off("error", done);
      resolve();
    };
    sink.on("drain", done);
    sink.on("error", done);
  });
}

export async function exportLogs(ctx: Ctx, a: LogsArgs & { format: ExportFormat }, output: string | undefined) {
  const exp = await ctx.client().exportLogs({ ...exportSelector(a), format: a.format });
  const toFile = output !== undefined && output !== "-";
  const sink: NodeJS.WritableStream = toFile ? createWriteStream(output, { flags: "w" }) : ctx.io.stdout;
  let bytes = 0;
  let lines = 0;
  // Records end at a LF outside quotes: NDJSON escapes every LF inside a value, RFC 4180 CSV quotes the field.
  let quoted = false;
  let broken: Error | null = null;
  const onError = (e: Error) => {
    broken = e;
  };
  sink.on("error", onError);
  const reader = exp.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (broken) break;
      bytes += value.byteLength;
      for (const b of value) {
        if (b === 0x22 && a.format === "csv") quoted = !quoted;
        else if (b === 0x0a && !quoted) lines++;
      }
      if (!sink.write(value)) await drained(sink);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (toFile) {
    sink.end();
    if (!broken) await once(sink, "finish").catch(() => {});
  }
  sink.off("error", onError);
  if (broken) {
    const code = (broken as NodeJS.ErrnoException).code;
    if (code === "EPIPE" && !toFile) return; // `edgecron export | head`: the reader left, not a failure
    throw new CliError(
      `cannot write ${toFile ? output : "standard output"}: ${code ?? (broken as Error).message}`,
      EXIT.failure,
    );
  }
  if (toFile) {
    const records = a.format === "ndjson" ? lines : Math.max(0, lines - 1);
    ctx.print(
      { file: output, format: a.format, bytes, records, filename: exp.filename },
      `Wrote ${records} logs (${bytes} bytes, ${a.format}) to ${output}`,
    );
  }
}
