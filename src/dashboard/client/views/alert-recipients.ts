import { canWrite } from "../access";
import { ApiError, api } from "../api";
import { field, h } from "../dom";
import { timeEl } from "../format";
import { zoneName } from "../time";
import type { AlertRecipient } from "../types";
import { errorText, flash, mount, showFieldErrors } from "../ui";

const FIELD_IDS = { email: "r-email" };

/** `#/alert-recipients`: alert e-mail addresses with their double opt-in state; add (sends a link) and remove. */
export function alertRecipientsView(): void {
  const tbody = h("tbody");
  const email = h("input", { id: "r-email", type: "email", autocomplete: "email", placeholder: "ops@example.com" });
  const formError = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary", id: "recipient-add" }, "Add recipient");
  const form = h(
    "form",
    { id: "recipient-form", class: "grid", novalidate: true },
    field("r-email", "E-mail address", email),
    h("div", { class: "field" }, submit),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.textContent = "";
    showFieldErrors(form, [], FIELD_IDS);
    submit.disabled = true;
    try {
      const { data } = await api<{ data: AlertRecipient }>("/alert-recipients", {
        method: "POST",
        body: { email: email.value.trim() },
      });
      flash(
        data.status === "confirmed"
          ? `${data.email} is already confirmed: it receives the alerts it is set up for.`
          : `Confirmation e-mail sent to ${data.email}: alerts go to it once the link in it is followed.`,
      );
      form.reset();
      void load();
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) {
        const unplaced = showFieldErrors(form, e.errors, FIELD_IDS);
        formError.textContent = unplaced.join("; ");
      } else formError.textContent = errorText(e);
    } finally {
      submit.disabled = false;
    }
  });

  async function remove(r: AlertRecipient, button: HTMLButtonElement) {
    if (!window.confirm(`Remove ${r.email}? Alert e-mails to it stop.`)) return;
    button.disabled = true;
    try {
      await api(`/alert-recipients/${encodeURIComponent(r.email)}`, { method: "DELETE" });
      flash(`Removed ${r.email}.`);
      void load();
    } catch (e) {
      flash(`Remove failed: ${errorText(e)}`);
      button.disabled = false;
    }
  }

  async function load() {
    // Adding and removing are writes: a read-only key is refused both (403, src/http/scope.ts).
    const writable = await canWrite();
    addSection.hidden = !writable;
    try {
      const { data } = await api<{ data: AlertRecipient[] }>("/alert-recipients");
      if (!data.length) {
        tbody.replaceChildren(
          h(
            "tr",
            null,
            h(
              "td",
              { colspan: "5", class: "empty" },
              writable ? "No recipients yet: add an address above." : "No recipients yet.",
            ),
          ),
        );
        return;
      }
      tbody.replaceChildren(
        ...data.map((r) => {
          const button = h("button", { type: "button", class: "danger" }, "Remove");
          button.addEventListener("click", () => remove(r, button));
          return h(
            "tr",
            { "data-email": r.email, "data-status": r.status },
            h("td", { "data-label": "E-mail" }, h("span", { class: "mono" }, r.email)),
            h(
              "td",
              { "data-label": "Status" },
              h("span", { class: `badge ${r.status}` }, r.status === "confirmed" ? "confirmed" : "pending"),
              r.status === "pending" ? h("span", { class: "sub" }, "waiting for the link to be followed") : null,
            ),
            h("td", { "data-label": "Added" }, timeEl(r.created_at)),
            h(
              "td",
              { "data-label": "Confirmation" },
              r.confirmed_at
                ? ["confirmed ", timeEl(r.confirmed_at)]
                : r.confirmation_sent_at
                  ? ["link sent ", timeEl(r.confirmation_sent_at)]
                  : h("span", { class: "muted" }, "—"),
            ),
            h("td", { "data-label": "" }, writable ? button : null),
          );
        }),
      );
    } catch (e) {
      tbody.replaceChildren(
        h("tr", null, h("td", { colspan: "5", class: "form-error" }, `Could not load the recipients: ${errorText(e)}`)),
      );
    }
  }

  // Shown once canWrite() answers (load).
  const addSection = h(
    "section",
    { class: "panel", "aria-labelledby": "recipients-new", hidden: true },
    h("h2", { id: "recipients-new" }, "Add an address"),
    h(
      "p",
      { class: "muted" },
      "A job's e-mail alert channel sends only to confirmed addresses: a new one is sent a link to confirm it first (at most one e-mail per address every 10 minutes).",
    ),
    form,
    formError,
  );
  mount(
    "Alert recipients",
    h(
      "div",
      null,
      h("h1", null, "Alert recipients"),
      addSection,
      h(
        "section",
        { class: "panel", "aria-labelledby": "recipients-title" },
        h("h2", { id: "recipients-title" }, "Recipients"),
        h(
          "table",
          { id: "recipients-table", class: "cards" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["E-mail", "Status", `Added (${zoneName()})`, "Confirmation", ""].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          tbody,
        ),
      ),
    ),
    load,
  );
  void load();
}
