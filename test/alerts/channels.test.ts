/**
 * The alert channel types are listed once for storage (alertChannelTypes, src/db/schema.ts) and once for the API
 * (AlertChannelSchema); a channel added to one must join the other, and channelPayload's switch must cover it.
 */
import { describe, expect, it } from "vitest";
import { AlertChannelSchema } from "../../src/alerts/schemas";
import { alertChannelTypes } from "../../src/db/schema";

describe("alert channel types", () => {
  it("are the same in the API schema and the database", () => {
    const apiTypes = AlertChannelSchema.options.map((o) => o.shape.type.value);
    expect([...apiTypes].sort()).toEqual([...alertChannelTypes].sort());
  });
});
