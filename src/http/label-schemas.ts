/**
 * The name, tag and zone rules every feature's resources share (jobs, monitors, calendars), so one change
 * reaches all of them. A feature that wants its own example calls `.openapi({ example })` on them.
 */
import { z } from "@hono/zod-openapi";
import { isValidTimeZone } from "../lib/schedule/timezone";
import { refuseHiddenCharacters } from "./well-formed";

export const MAX_TAGS = 20;

/** A job's, monitor's or calendar's name. */
export const NameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200)
  .superRefine(refuseHiddenCharacters)
  .openapi({ example: "Daily Report Generator" });

/** A job's or a monitor's tags, and a maintenance window's tag scope. */
export const TagsSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(50)
      .regex(/^[^,\s][^,]*$/, "must not be empty, start with a space, or contain commas")
      .superRefine(refuseHiddenCharacters),
  )
  .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .refine((tags) => new Set(tags).size === tags.length, "tags must be unique")
  .openapi({ example: ["reports", "daily"] });

export const Timezone = z
  .string()
  .max(64)
  .refine(isValidTimeZone, "must be an IANA time zone such as America/New_York")
  .openapi({ example: "America/New_York" });
