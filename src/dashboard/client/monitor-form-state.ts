/**
 * The monitor form without the DOM: API monitor → form state → request body, so test/dashboard/monitor-form.test.ts
 * runs it outside a browser.
 */
import { type ChannelField, channelFields, channelsOf, type FormFieldError } from "./channel-fields";
import type { Monitor } from "./types";

export interface MonitorFormState {
  name: string;
  slug: string;
  period_seconds: string;
  cron: string;
  timezone: string;
  grace_seconds: string;
  /** Comma-separated. */
  tags: string;
  channels: ChannelField[];
  on_recovery: boolean;
}

const text = (v: string | number | null | undefined) => (v === null || v === undefined ? "" : String(v));

export function monitorToForm(m: Monitor | null): MonitorFormState {
  return {
    name: m?.name ?? "",
    slug: m?.slug ?? "",
    period_seconds: text(m?.period_seconds),
    cron: m?.cron ?? "",
    timezone: m?.cron ? m.timezone : "",
    grace_seconds: text(m?.grace_seconds),
    tags: m?.tags.join(", ") ?? "",
    channels: channelFields(m?.alerts.channels),
    on_recovery: m?.alerts.on_recovery ?? true,
  };
}

/**
 * The create or update body: empty fields are left to the API's defaults (or the stored values); `alerts` is always
 * sent whole. `channelRows` maps each channel sent to its row, for the API's `alerts.channels.<i>` errors.
 */
export function monitorRequest(
  s: MonitorFormState,
): { body: Record<string, unknown>; channelRows: number[] } | { errors: FormFieldError[]; channelRows: number[] } {
  const errors: FormFieldError[] = [];
  const { channels, channelRows } = channelsOf(s.channels, errors);
  if (errors.length) return { errors, channelRows };
  const body: Record<string, unknown> = { name: s.name.trim() };
  if (s.slug.trim()) body.slug = s.slug.trim();
  if (s.period_seconds.trim()) body.period_seconds = Number(s.period_seconds);
  if (s.cron.trim()) body.cron = s.cron.trim();
  if (s.timezone.trim() && s.cron.trim()) body.timezone = s.timezone.trim();
  if (s.grace_seconds.trim()) body.grace_seconds = Number(s.grace_seconds);
  body.tags = s.tags
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  body.alerts = { channels, on_recovery: s.on_recovery };
  return { body, channelRows };
}
