/**
 * A job full of secrets of every kind (README "Security") and the needles that find any of them in text: each
 * secret's distinctive core is alphanumeric, so JSON, CSV, HTML and percent-encoding leave it as it is.
 */

/** Names of what must never be shown, mapped to the text that would show it. */
export type Needles = Record<string, string>;

export function secretJob(tag: string = crypto.randomUUID().slice(0, 8)) {
  const core = (name: string) => `${name}LEAK${tag}`;
  const values = {
    authorization: core("authz"),
    cookie: core("cookie"),
    authToken: core("authtoken"),
    apiKey: core("apikey"),
    clientSecret: core("clientsecret"),
    password: core("passwd"),
    signature: core("sig"),
    session: core("session"),
    tenant: core("tenant"),
    query: core("query"),
    successQuery: core("cbsuccess"),
    failureQuery: core("cbfailure"),
    body: core("body"),
    slack: core("slack"),
    discord: core("discord"),
    webhook: core("webhook"),
  };
  const urls = {
    slack: `https://hooks.slack.com/services/T0LEAK${tag}/B0LEAK/${values.slack}`,
    discord: `https://discord.com/api/webhooks/4242${tag}/${values.discord}`,
    webhook: `https://alerts.example.com/hooks/${values.webhook}?via=edgecron`,
  };
  const needles: Needles = {
    ...values,
    // An alert-channel URL is a bearer credential as a whole: its path must not be shown either.
    slackPath: new URL(urls.slack).pathname,
    discordPath: new URL(urls.discord).pathname,
    webhookPath: new URL(urls.webhook).pathname,
  };
  const job = (overrides: Record<string, unknown> = {}) => ({
    name: `Leak check ${tag}`,
    endpoint_url: `https://api.example.com/run?api_key=${values.query}&plain=visible`,
    method: "POST",
    headers: {
      Authorization: `Bearer ${values.authorization}`,
      Cookie: `sid=${values.cookie}`,
      "X-Auth-Token": values.authToken,
      "X-Api-Key": values.apiKey,
      "X-Client-Secret": values.clientSecret,
      "X-Password": values.password,
      "X-Signature": values.signature,
      "X-Session-Id": values.session,
      "X-Tenant": values.tenant,
      "Content-Type": "application/json",
      "X-Plain": "visible-header-value",
    },
    secret_headers: ["X-Tenant"],
    secret_query_params: ["api_key", "sig", "token"],
    body: JSON.stringify({ password: values.body }),
    body_is_secret: true,
    timezone: "UTC",
    schedule_config: { repeat_type: "days", time: "09:00" },
    tags: ["leaks"],
    retry_config: { max_retries: 0 },
    callbacks: {
      success_url: `https://cb.example.com/ok?token=${values.successQuery}`,
      failure_url: `https://cb.example.com/fail?sig=${values.failureQuery}&plain=visible`,
    },
    alerts: {
      channels: [
        { type: "slack", url: urls.slack },
        { type: "discord", url: urls.discord },
        { type: "webhook", url: urls.webhook },
        { type: "email", to: `ops-${tag}@example.com` },
      ],
      after_consecutive_failures: 1,
      on_recovery: true,
    },
    ...overrides,
  });
  return { tag, values, urls, needles, job, core };
}

/** The names of the needles found in `text`, except the excused ones. */
export function leaksIn(text: string, needles: Needles, excused: ReadonlySet<string> = new Set()): string[] {
  return Object.entries(needles)
    .filter(([name, needle]) => !excused.has(name) && text.includes(needle))
    .map(([name]) => name);
}

/** Text of a D1 value: blobs (arrays of bytes or ArrayBuffers) are decoded as UTF-8 so nothing hides in one. */
export function cellText(value: unknown): string {
  if (value instanceof ArrayBuffer) return new TextDecoder().decode(value);
  if (ArrayBuffer.isView(value)) return new TextDecoder().decode(value);
  if (Array.isArray(value) && value.every((b) => typeof b === "number")) {
    return new TextDecoder().decode(Uint8Array.from(value as number[]));
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}
