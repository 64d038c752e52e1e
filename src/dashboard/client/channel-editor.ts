/**
 * The alert-channel editor of the job and monitor forms (both APIs take the same `alerts.channels`): one row per
 * channel, a stored bearer URL as a secret control, an address or URL in clear as an editable row.
 */

import type { ChannelField } from "./channel-fields";
import { h } from "./dom";
import { input, select } from "./form";
import { secretControl, urlHost } from "./secrets";
import type { AlertChannel } from "./types";

const CHANNEL_TYPES = [
  ["webhook", "Webhook"],
  ["slack", "Slack"],
  ["discord", "Discord"],
  ["email", "E-mail"],
] as const;

// No URL here: the page names no other origin (test/dashboard/dashboard.test.ts).
const CHANNEL_PLACEHOLDERS: Record<AlertChannel["type"], string> = {
  webhook: "Your webhook's URL",
  slack: "A Slack incoming-webhook URL",
  discord: "A Discord webhook URL",
  email: "ops@example.com",
};

interface ChannelRow {
  el: HTMLElement;
  /** The control a channel's error is shown on. */
  inputId: string;
  read(): ChannelField;
}

function channelRow(channel: ChannelField, id: string, onRemove: (row: ChannelRow) => void): ChannelRow {
  if (channel.token !== undefined) {
    const control = secretControl({
      id,
      label: `${channel.type} · ${urlHost(channel.token) || "URL"}`,
      inputLabel: `New ${channel.type} URL`,
      token: channel.token,
      kind: "url",
      removable: true,
    });
    return {
      el: control.el,
      inputId: id,
      read: () => ({ type: channel.type, token: channel.token, choice: control.choice() }),
    };
  }
  const type = select(`${id}-type`, CHANNEL_TYPES, channel.type);
  type.setAttribute("aria-label", "Channel type");
  const target = input(id, "text", channel.target, { spellcheck: "false", "aria-label": "Channel URL or address" });
  const placeholder = () => {
    target.placeholder = CHANNEL_PLACEHOLDERS[type.value as AlertChannel["type"]] ?? "";
  };
  placeholder();
  type.addEventListener("change", placeholder);
  const remove = h("button", { type: "button", class: "small", id: `${id}-remove` }, "Remove");
  const row: ChannelRow = {
    el: h(
      "div",
      { class: "secret-row channel-row", id: `${id}-row` },
      h("div", { class: "secret-head" }, type, target, remove),
      h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
    ),
    inputId: id,
    read: () => ({ type: type.value as AlertChannel["type"], target: target.value }),
  };
  remove.addEventListener("click", () => onRemove(row));
  return row;
}

/**
 * The editor for `channels`, ids from `prefix`: the field `<prefix>s`, rows `<prefix>-<n>`, the button
 * `<prefix>-add`. `fieldIds` places the API's `alerts.channels.<i>` errors on the rows sent.
 */
export function channelEditor(prefix: string, channels: readonly ChannelField[]) {
  let seq = 0;
  const rows: ChannelRow[] = [];
  const list = h("div", { class: "channel-list" });
  const add = (channel: ChannelField) => {
    const row = channelRow(channel, `${prefix}-${seq++}`, (gone) => {
      rows.splice(rows.indexOf(gone), 1);
      gone.el.remove();
    });
    rows.push(row);
    list.append(row.el);
    return row;
  };
  for (const channel of channels) add(channel);
  const addButton = h("button", { type: "button", id: `${prefix}-add` }, "Add channel");
  addButton.addEventListener("click", () => {
    const row = add({ type: "webhook", target: "" });
    document.getElementById(`${row.inputId}-type`)?.focus();
  });
  const id = `${prefix}s`;
  const el = h(
    "div",
    { class: "field", id, "data-field-for": id },
    h("span", { class: "field-label" }, "Alert channels (at most 5)"),
    h(
      "span",
      { class: "sub" },
      "A webhook, Slack or Discord URL is a credential: it is stored encrypted and shown as “secret · set”. An e-mail address receives alerts once it has confirmed.",
    ),
    list,
    h("div", null, addButton),
    h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
  );
  return {
    el,
    /** The field's id, where `alerts` and `alerts.channels` errors go. */
    id,
    read: (): ChannelField[] => rows.map((r) => r.read()),
    /** Each channel sent (by its row index, as channelsOf returns them) → its row's control. */
    fieldIds(channelRows: number[]): Record<string, string> {
      const ids: Record<string, string> = {};
      channelRows.forEach((rowIndex, sent) => {
        const inputId = rows[rowIndex]?.inputId;
        if (inputId)
          for (const suffix of ["", ".url", ".to", ".type"]) ids[`alerts.channels.${sent}${suffix}`] = inputId;
      });
      return ids;
    },
  };
}
