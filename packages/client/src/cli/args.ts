import { UsageError } from "./exit-codes.js";
import type { Ctx } from "./main.js";

/** `--name` as an integer in [min, max], or undefined when absent. */
export function int(ctx: Ctx, name: string, min: number, max: number): number | undefined {
  const v = ctx.str(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer ${min}–${max}`);
  return n;
}

/** `--name` when it is one of `allowed`; a usage error naming them otherwise. */
export function oneOf<T extends string>(ctx: Ctx, name: string, allowed: readonly T[]): T | undefined {
  const v = ctx.str(name);
  if (v !== undefined && !(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}`);
  }
  return v as T | undefined;
}

/** The first `limit` values of `items` (an SDK iterator, fetched page by page as needed). */
export async function take<T>(items: AsyncIterable<T>, limit: number): Promise<T[]> {
  const out: T[] = [];
  if (limit <= 0) return out;
  for await (const item of items) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

/** The `--limit` option of a list command. */
export const LIMIT_OPTION = { limit: { type: "string" } } as const;

/** The first `--limit` (1–10,000; default `fallback`) items of a list the SDK pages through, ≤ 100 a page. */
export function upToLimit<T>(ctx: Ctx, fallback: number, list: (pageSize: number) => AsyncIterable<T>): Promise<T[]> {
  const limit = int(ctx, "limit", 1, 10_000) ?? fallback;
  return take(list(Math.min(limit, 100)), limit);
}
