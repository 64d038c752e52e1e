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

/**
 * A field whose control is a group of inputs (a list editor): labelled by its heading, not by `<label for>`, with
 * the error slot of the whole list (`<id>-error`).
 */
export function groupField(id: string, label: string, group: HTMLElement, hint?: Child): HTMLDivElement {
  group.setAttribute("role", "group");
  group.setAttribute("aria-labelledby", `${id}-label`);
  return h(
    "div",
    { class: "field", "data-field-for": id },
    h("span", { class: "field-label", id: `${id}-label` }, label),
    group,
    hint ? h("span", { class: "sub" }, hint) : null,
    h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
  );
}

/** A list of like inputs (several cron expressions, several times), as the form's controls and request see it. */
export interface ListEditor {
  /** The group (id `opts.id`): one row per value, then the Add button. */
  el: HTMLDivElement;
  values(): string[];
  /** Each row's input id, in order: a problem's `<field>.<index>` error is shown under that row. */
  rowIds(): string[];
}

/**
 * Rows of inputs, each with Remove, and Add while under `max`. Every row is sent, an empty one too, so the API's
 * `<field>.<index>` names the row the user sees. Rows below `min` have no Remove.
 */
export function listEditor(opts: {
  id: string;
  type: string;
  values: string[];
  min: number;
  max: number;
  /** Each row's accessible name is this and its position ("Cron expression 2"). */
  itemLabel: string;
  addLabel: string;
  attrs?: Record<string, string>;
  onChange: () => void;
}): ListEditor {
  let seq = 0;
  const rows: Array<{ el: HTMLElement; input: HTMLInputElement; remove: HTMLButtonElement }> = [];
  const list = h("div", { class: "list-rows" });
  const add = h("button", { type: "button", class: "small", id: `${opts.id}-add` }, opts.addLabel);
  /** Names follow positions, so a removal renumbers the rows after it. */
  const relabel = () => {
    rows.forEach((r, i) => {
      r.input.setAttribute("aria-label", `${opts.itemLabel} ${i + 1}`);
      r.remove.setAttribute("aria-label", `Remove ${opts.itemLabel.toLowerCase()} ${i + 1}`);
      r.remove.hidden = rows.length <= opts.min;
    });
    add.hidden = rows.length >= opts.max;
  };
  const addRow = (value: string) => {
    const id = `${opts.id}-${seq++}`;
    const el = input(id, opts.type, value, opts.attrs);
    const remove = h("button", { type: "button", class: "small" }, "Remove");
    const row = {
      el: h(
        "div",
        { class: "list-row", id: `${id}-row` },
        h("div", { class: "list-row-head" }, el, remove),
        h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
      ),
      input: el,
      remove,
    };
    remove.addEventListener("click", () => {
      const i = rows.indexOf(row);
      rows.splice(i, 1);
      row.el.remove();
      relabel();
      (rows[i] ?? rows[i - 1])?.input.focus();
      if (!rows.length) add.focus();
      opts.onChange();
    });
    for (const type of ["input", "change"]) el.addEventListener(type, opts.onChange);
    rows.push(row);
    list.append(row.el);
    return row;
  };
  for (const v of opts.values) addRow(v);
  while (rows.length < opts.min) addRow("");
  add.addEventListener("click", () => {
    const row = addRow("");
    relabel();
    row.input.focus();
    opts.onChange();
  });
  relabel();
  return {
    el: h("div", { id: opts.id, class: "list-editor" }, list, add),
    values: () => rows.map((r) => r.input.value),
    rowIds: () => rows.map((r) => r.input.id),
  };
}
