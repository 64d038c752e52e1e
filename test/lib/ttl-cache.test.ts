import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/lib/ttl-cache";

describe("TtlCache", () => {
  it("returns a value until its expiry, then drops it", () => {
    const cache = new TtlCache<number>();
    cache.set("a", 1, 1_000);
    expect(cache.get("a", 999)).toBe(1);
    expect(cache.get("a", 1_000)).toBeUndefined();
    cache.set("a", 2, 5_000);
    expect(cache.get("a", 1_000)).toBe(2);
  });

  it("forgets one key and clears all", () => {
    const cache = new TtlCache<string>();
    cache.set("a", "x", 10);
    cache.set("b", "y", 10);
    cache.forget("a");
    expect(cache.get("a", 0)).toBeUndefined();
    expect(cache.get("b", 0)).toBe("y");
    cache.clear();
    expect(cache.get("b", 0)).toBeUndefined();
  });

  it("empties whole at maxEntries, so memory stays bounded", () => {
    const cache = new TtlCache<number>(2);
    cache.set("a", 1, 10);
    cache.set("b", 2, 10);
    cache.set("c", 3, 10);
    expect(cache.get("a", 0)).toBeUndefined();
    expect(cache.get("b", 0)).toBeUndefined();
    expect(cache.get("c", 0)).toBe(3);
  });
});
