import { z } from "@hono/zod-openapi";

/** Page arithmetic shared by every paged list: `total_pages = ceil(total_items / limit)`. */
export function pagination(page: number, limit: number, totalItems: number) {
  return {
    page,
    limit,
    total_items: totalItems,
    total_pages: Math.ceil(totalItems / limit),
  };
}

/** A cursor as `next_cursor` hands it out, for the docs' examples. */
const CURSOR_EXAMPLE = "v1.WzE3MDYxOTEyMDAwMDAsImV4ZV8wMUpNWjNRNFQ4QTFCMkMzRDRFNUY2RzdIOCJd";

/**
 * An optional opaque `cursor` query parameter: `decode` maps it to the feature's position, or null for one this
 * endpoint did not issue, which is refused as a field error (a 400 problem) rather than read as the first page.
 */
export function cursorQuery<T>(decode: (cursor: string) => T | null, description: string) {
  return z
    .string()
    .transform((value, ctx) => {
      const position = decode(value);
      if (position === null) {
        ctx.addIssue({
          code: "custom",
          message: "is not a valid cursor; pass pagination.next_cursor from a previous response unchanged",
        });
        return z.NEVER;
      }
      return position;
    })
    .optional()
    .openapi({ type: "string", description, example: CURSOR_EXAMPLE });
}

/** `next_cursor` of a page of `items` (newest first). */
export const nextCursorSchema = (items: string) =>
  z
    .string()
    .nullable()
    .openapi({
      description: `Pass as \`cursor\` for the next (older) page; null when no more ${items} match`,
    });

/**
 * The `pagination` object of a list paged by number (with totals) or by cursor, as the OpenAPI components
 * `<prefix>PagePagination` and `<prefix>CursorPagination`.
 */
export function paginationSchemas(prefix: string, items: string) {
  const nextCursor = nextCursorSchema(items);
  const page = z
    .object({
      page: z.number().int(),
      limit: z.number().int(),
      total_items: z.number().int(),
      total_pages: z.number().int(),
      next_cursor: nextCursor,
    })
    .openapi(`${prefix}PagePagination`);
  const cursor = z
    .object({ limit: z.number().int(), next_cursor: nextCursor })
    .openapi(`${prefix}CursorPagination`, { description: "With `cursor`: no totals, so every page costs the same" });
  return { page, cursor };
}
