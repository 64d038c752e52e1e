import { z } from "@hono/zod-openapi";

/** An absolute http(s) URL of at most 2048 characters: endpoint, callback and alert channel URLs. */
export const HttpUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "http:" || u.protocol === "https:") && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL")
  .openapi({ format: "uri", example: "https://api.example.com/webhook" });
