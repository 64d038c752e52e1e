/**
 * Write-only job secrets (docs/API-NOTES.md "Security"): a token is shown as a "secret · set" badge, never a value,
 * with a "Replace" control; sending the token back keeps the stored value.
 */
import { type Child, h } from "./dom";
import { type SecretChoice, TOKEN_SOURCE } from "./tokens";

export { hasToken, isToken, type SecretChoice } from "./tokens";

/** The host of a URL as text, or "" (a bearer channel URL is shown as `https://host/…[redacted:…]`). */
export function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

export function secretBadge(): HTMLSpanElement {
  return h("span", { class: "badge secret", title: "Stored encrypted; the API never shows the value" }, "secret · set");
}

/** A URL as text with each token shown as a badge (for reading: the form sends the URL itself back). */
export function urlWithSecrets(url: string): Child[] {
  const parts: Child[] = [];
  const re = new RegExp(TOKEN_SOURCE, "g");
  let last = 0;
  for (const m of url.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(url.slice(last, at));
    parts.push(secretBadge());
    last = at + m[0].length;
  }
  if (last < url.length) parts.push(url.slice(last));
  return parts;
}

export interface SecretControl {
  el: HTMLElement;
  /** The input a new value is typed into (hidden until "Replace"). */
  input: HTMLInputElement | HTMLTextAreaElement;
  choice(): SecretChoice;
}

/** A stored secret's label, badge, "Replace"/"Keep" and optional "Remove"; untouched, `choice()` is the token. */
export function secretControl(o: {
  id: string;
  label: Child;
  /** The input's accessible name, e.g. "New value for Authorization". */
  inputLabel: string;
  token: string;
  kind?: "password" | "url" | "textarea";
  removable?: boolean;
}): SecretControl {
  const input =
    o.kind === "textarea"
      ? h("textarea", { id: o.id, rows: 3, autocomplete: "off", spellcheck: "false" })
      : h("input", {
          id: o.id,
          type: o.kind ?? "password",
          autocomplete: o.kind === "url" ? "off" : "new-password",
          spellcheck: "false",
        });
  let state: "keep" | "replace" | "remove" = "keep";
  const status = h("span", { class: "secret-status" }, secretBadge());
  const replace = h("button", { type: "button", class: "small", id: `${o.id}-replace` }, "Replace");
  const keep = h("button", { type: "button", class: "small", id: `${o.id}-keep`, hidden: true }, "Keep stored value");
  const remove = o.removable ? h("button", { type: "button", class: "small", id: `${o.id}-remove` }, "Remove") : null;
  const editor = h("div", { class: "secret-editor", hidden: true }, h("label", { for: o.id }, o.inputLabel), input);
  const sync = () => {
    editor.hidden = state !== "replace";
    replace.hidden = state !== "keep";
    keep.hidden = state === "keep";
    if (remove) remove.hidden = state !== "keep";
    keep.textContent = state === "remove" ? "Undo remove" : "Keep stored value";
    status.replaceChildren(
      state === "remove" ? h("span", { class: "badge paused" }, "removed on save") : secretBadge(),
    );
  };
  replace.addEventListener("click", () => {
    state = "replace";
    input.value = "";
    sync();
    input.focus();
  });
  keep.addEventListener("click", () => {
    state = "keep";
    // The typed value is dropped, not kept hidden in the page.
    input.value = "";
    sync();
  });
  remove?.addEventListener("click", () => {
    state = "remove";
    sync();
  });
  const el = h(
    "div",
    { class: "secret-row", id: `${o.id}-row` },
    h("div", { class: "secret-head" }, h("span", { class: "secret-label" }, o.label), status, replace, remove, keep),
    editor,
    h("span", { class: "field-error", id: `${o.id}-error`, "aria-live": "polite" }),
  );
  return {
    el,
    input,
    choice: () =>
      state === "keep" ? { keep: o.token } : state === "remove" ? { removed: true } : { value: input.value },
  };
}
