import { canWrite } from "../access";
import { ApiError, api } from "../api";
import { field, h } from "../dom";
import { timeEl } from "../format";
import { zoneName } from "../time";
import { errorText, mount, showFieldErrors } from "../ui";

interface Status {
  active_secrets: number;
  previous_secrets: Array<{ retired_at: string; expires_at: string }>;
}

/** `#/signing-secret`: how many secrets sign callbacks now, and rotation with a grace period. */
export function signingSecretView(): void {
  const status = h("div", { id: "secret-status" }, h("p", { class: "loading" }, "Loading…"));
  const grace = h("input", { id: "s-grace", type: "number", min: "0", max: "720", step: "any" });
  grace.value = "24";
  const result = h("div", { id: "secret-result", "aria-live": "polite" });
  const formError = h("p", { class: "form-error", role: "alert" });
  const form = h(
    "form",
    { id: "secret-form", class: "grid", novalidate: true },
    field("s-grace", "Grace period (hours; 0 = the old secret stops at once)", grace),
    h(
      "div",
      { class: "field" },
      h("button", { type: "submit", class: "primary", id: "secret-rotate" }, "Rotate secret"),
    ),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.textContent = "";
    const hours = Number(grace.value);
    if (!window.confirm("Rotate the signing secret? Receivers must be given the new one before the grace period ends."))
      return;
    try {
      const { data } = await api<{ data: { signing_secret: string; previous_secret_expires_at: string } }>(
        "/signing-secret/rotate",
        { method: "POST", body: { grace_seconds: Math.round(hours * 3600) } },
      );
      result.replaceChildren(
        h(
          "div",
          { class: "secret-box" },
          h("strong", null, "New signing secret. Copy it now: it is shown only once."),
          h("p", null, h("code", { id: "new-signing-secret" }, data.signing_secret)),
          h(
            "p",
            { class: "muted" },
            "The previous secret keeps signing callbacks (a second v1= in X-Edgecron-Signature) until ",
            timeEl(data.previous_secret_expires_at),
            ".",
          ),
        ),
      );
      void load();
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) showFieldErrors(form, e.errors, { grace_seconds: "s-grace" });
      else formError.textContent = errorText(e);
    }
  });

  async function load() {
    // Rotating is a write: a read-only key is refused it (403, src/http/scope.ts), so it sees the status only.
    void canWrite().then((writable) => {
      rotate.hidden = !writable;
    });
    try {
      const { data } = await api<{ data: Status }>("/signing-secret");
      status.replaceChildren(
        h(
          "p",
          { id: "secret-count" },
          `${data.active_secrets} ${data.active_secrets === 1 ? "secret signs" : "secrets sign"} callbacks now.`,
        ),
        data.previous_secrets.length
          ? h(
              "ul",
              null,
              data.previous_secrets.map((p) =>
                h("li", null, "A secret replaced ", timeEl(p.retired_at), " signs until ", timeEl(p.expires_at), "."),
              ),
            )
          : "",
      );
    } catch (e) {
      status.replaceChildren(h("p", { class: "form-error" }, `Could not load the status: ${errorText(e)}`));
    }
  }

  const rotate = h(
    "section",
    { class: "panel", "aria-labelledby": "rotate-title", hidden: true },
    h("h2", { id: "rotate-title" }, "Rotate"),
    h(
      "p",
      { class: "muted" },
      "During the grace period every callback carries one v1= signature per active secret, so receivers verify with either; then only the new one.",
    ),
    form,
    formError,
    result,
  );
  mount(
    "Signing secret",
    h(
      "div",
      null,
      h("h1", null, "Callback signing secret"),
      h(
        "section",
        { class: "panel", "aria-labelledby": "secret-title" },
        h("h2", { id: "secret-title" }, `Status (times in ${zoneName()})`),
        status,
      ),
      rotate,
    ),
    load,
  );
  void load();
}
