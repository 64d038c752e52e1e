import { canWrite } from "../access";
import { ApiError, api } from "../api";
import { field, h } from "../dom";
import { timeEl } from "../format";
import { credentials } from "../session";
import { dayBound, zoneName } from "../time";
import type { ApiKey } from "../types";
import { errorText, flash, mount, showFieldErrors } from "../ui";

const FIELD_IDS = { name: "k-name", scope: "k-scope", expires_at: "k-expires" };

/** `#/keys`: the account's API keys, a create form (the secret is shown once) and revoke. */
export function keysView(): void {
  const tbody = h("tbody");
  const name = h("input", { id: "k-name", type: "text", placeholder: "CI pipeline" });
  const scope = h(
    "select",
    { id: "k-scope" },
    h("option", { value: "full" }, "Full: read and change"),
    h("option", { value: "read_only" }, "Read-only: 403 on every change"),
  );
  const expires = h("input", { id: "k-expires", type: "date" });
  const formError = h("p", { class: "form-error", role: "alert" });
  const created = h("div", { id: "key-created", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "key-form", class: "grid", novalidate: true },
    field("k-name", "Name", name),
    field("k-scope", "Scope", scope),
    field("k-expires", `Expires (start of that day, ${zoneName()}; empty: never)`, expires),
    h("div", { class: "field" }, h("button", { type: "submit", class: "primary", id: "key-create" }, "Create key")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.textContent = "";
    showFieldErrors(form, [], FIELD_IDS);
    try {
      const { data } = await api<{ data: ApiKey & { api_secret: string } }>("/keys", {
        method: "POST",
        body: { name: name.value, scope: scope.value, expires_at: expires.value ? dayBound(expires.value) : null },
      });
      created.replaceChildren(
        h(
          "div",
          { class: "secret-box" },
          h("strong", null, `Key “${data.name}” created. Copy the secret now: it is shown only once.`),
          h(
            "dl",
            { class: "facts" },
            h("dt", null, "X-API-Key"),
            h("dd", null, h("code", { id: "new-key-id" }, data.id)),
            h("dt", null, "X-API-Secret"),
            h("dd", null, h("code", { id: "new-key-secret" }, data.api_secret)),
          ),
        ),
      );
      form.reset();
      void load();
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) showFieldErrors(form, e.errors, FIELD_IDS);
      else formError.textContent = errorText(e);
    }
  });

  async function revoke(key: ApiKey, button: HTMLButtonElement) {
    const self = credentials()?.apiKey === key.id;
    const warning = self ? " This is the key you are signed in with: you will be signed out." : "";
    if (!window.confirm(`Revoke the key “${key.name || key.id}”? Requests with it will be refused.${warning}`)) return;
    button.disabled = true;
    try {
      await api(`/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
      flash(`Revoked “${key.name || key.id}”.`);
      void load();
    } catch (e) {
      flash(`Revoke failed: ${errorText(e)}`);
      button.disabled = false;
    }
  }

  async function load() {
    // A read-only key may list keys but not create or revoke one (403, src/http/scope.ts).
    const writable = await canWrite();
    newKey.hidden = !writable;
    try {
      const { data } = await api<{ data: ApiKey[] }>("/keys");
      const signedIn = credentials()?.apiKey;
      tbody.replaceChildren(
        ...data.map((k) => {
          const button = h("button", { type: "button", class: "danger", "data-revoke": k.id }, "Revoke");
          button.addEventListener("click", () => revoke(k, button));
          return h(
            "tr",
            { "data-key-id": k.id },
            h(
              "td",
              { "data-label": "Name" },
              k.name || h("span", { class: "muted" }, "(no name)"),
              h("span", { class: "sub mono" }, k.id, k.id === signedIn ? " · this session" : ""),
            ),
            h("td", { "data-label": "Scope" }, k.scope === "full" ? "Full" : "Read-only"),
            h("td", { "data-label": "Status" }, h("span", { class: `badge key-${k.status}` }, k.status)),
            h("td", { "data-label": "Created" }, timeEl(k.created_at)),
            h("td", { "data-label": "Last used" }, timeEl(k.last_used_at)),
            h("td", { "data-label": "Expires" }, k.expires_at ? timeEl(k.expires_at) : "never"),
            h("td", { "data-label": "" }, writable && k.status === "active" ? button : null),
          );
        }),
      );
    } catch (e) {
      tbody.replaceChildren(
        h("tr", null, h("td", { colspan: "7", class: "form-error" }, `Could not load the keys: ${errorText(e)}`)),
      );
    }
  }

  const zone = zoneName();
  // Shown once canWrite() answers (load).
  const newKey = h(
    "section",
    { class: "panel", "aria-labelledby": "keys-new", hidden: true },
    h("h2", { id: "keys-new" }, "New key"),
    h(
      "p",
      { class: "muted" },
      "Read-only keys suit dashboards and monitoring; they cannot create, change, run or delete anything.",
    ),
    form,
    formError,
    created,
  );
  mount(
    "API keys",
    h(
      "div",
      null,
      h("h1", null, "API keys"),
      newKey,
      h(
        "section",
        { class: "panel", "aria-labelledby": "keys-title" },
        h("h2", { id: "keys-title" }, "Keys"),
        h(
          "table",
          { id: "keys-table", class: "cards" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Name / key id", "Scope", "Status", `Created (${zone})`, "Last used", "Expires", ""].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          tbody,
        ),
        h(
          "p",
          { class: "hint" },
          "A revoked key stops working within 10 seconds everywhere. Secrets are never shown again: only their SHA-256 is stored.",
        ),
      ),
    ),
    load,
  );
  void load();
}
