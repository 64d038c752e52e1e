/** Form controls shared by the dashboard's forms: each labelled, each with a slot for its field error (ui.ts). */
import { type Child, h } from "./dom";

export function input(
  id: string,
  type: string,
  value: string | number | null | undefined,
  extra: Record<string, string> = {},
): HTMLInputElement {
  const el = h("input", { id, type, ...extra });
  el.value = value === null || value === undefined ? "" : String(value);
  return el;
}

export function select(
  id: string,
  options: ReadonlyArray<readonly [string, string]>,
  value: string,
): HTMLSelectElement {
  const el = h(
    "select",
    { id },
    options.map(([v, label]) => h("option", { value: v }, label)),
  );
  el.value = value;
  return el;
}

export function textarea(id: string, value: string, extra: Record<string, string | number> = {}): HTMLTextAreaElement {
  const el = h("textarea", { id, ...extra });
  el.value = value;
  return el;
}

/** A checkbox with its label beside it and its error slot: `box` is the input. */
export function checkbox(id: string, label: Child, checked: boolean): { box: HTMLInputElement; el: HTMLDivElement } {
  const box = h("input", { id, type: "checkbox" });
  box.checked = checked;
  const el = h(
    "div",
    { class: "field inline-field", "data-field-for": id },
    h("label", { class: "inline" }, box, label),
    h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
  );
  return { box, el };
}

export function fieldset(legend: string, attrs: Record<string, string> | null, ...children: Child[]) {
  return h("fieldset", attrs, h("legend", null, legend), children);
}

export function grid(...children: Child[]): HTMLDivElement {
  return h("div", { class: "grid" }, children);
}
