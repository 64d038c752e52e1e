import { byId, type Child, h } from "./dom";

/** The part of the page views draw into, and what the auto-refresh timer calls for the current view. */
let refreshCurrent: (() => void) | null = null;

export function mount(title: string, root: HTMLElement, refresh: (() => void) | null = null): void {
  document.title = `${title} · edgecron dashboard`;
  byId("view").replaceChildren(root);
  refreshCurrent = refresh;
}

export function currentRefresh(): (() => void) | null {
  return refreshCurrent;
}

/** An error banner above the view (role=alert); empty hides it. */
export function notice(message = ""): void {
  byId("notice").textContent = message;
}

/** Navigations since the flash message was set: it outlives the navigation that follows its action, then clears. */
let flashNavigations = 0;

/** A polite status line for the result of an action (saved, deleted, run started…). */
export function flash(message: string): void {
  const el = byId("flash");
  el.textContent = message;
  flashNavigations = 0;
}

/** Counts a navigation for the flash message's lifetime (main.ts calls it on every hashchange). */
export function flashNavigated(): void {
  flashNavigations++;
}

/** Whether the flash message has outlived the navigation that followed its action. */
export function flashOutlived(): boolean {
  return flashNavigations > 1;
}

export function navigate(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

export function panel(titleId: string, title: string, ...children: Child[]) {
  return h("section", { class: "panel", "aria-labelledby": titleId }, h("h2", { id: titleId }, title), children);
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Shows each `errors` entry of a problem under its field (`data-field-for`), and returns the ones with no field. */
export function showFieldErrors(
  form: HTMLElement,
  errors: Array<{ field: string; message: string }>,
  fieldIds: Record<string, string>,
): string[] {
  for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const unplaced: string[] = [];
  for (const e of errors) {
    const id =
      fieldIds[e.field] ?? fieldIds[e.field.split(".").slice(0, 2).join(".")] ?? fieldIds[e.field.split(".")[0] ?? ""];
    const slot = id ? document.getElementById(`${id}-error`) : null;
    if (!slot || !id) {
      unplaced.push(`${e.field}: ${e.message}`);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent}; ${e.message}` : e.message;
    document.getElementById(id)?.setAttribute("aria-invalid", "true");
  }
  return unplaced;
}
