/**
 * DOM via createElement / textContent / setAttribute only: job fields and bodies are attacker-controlled, so no
 * HTML is parsed (test/dashboard/dashboard.test.ts fails on any HTML sink).
 */
export type Child = Node | string | number | null | undefined | false | Child[];
type Listener = (ev: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;

const SVG_NS = "http://www.w3.org/2000/svg";

function add(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) add(parent, c);
    return;
  }
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

function setAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) {
      if (typeof value === "function") el.addEventListener(key.slice(2), value);
      continue;
    }
    if (typeof value === "function") continue;
    el.setAttribute(key, value === true ? "" : String(value));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  add(el, children);
  return el;
}

export function svg(tag: string, attrs?: Attrs | null, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  add(el, children);
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

/** A labelled form field: label, control, and a slot for the field's error (filled from a problem's `errors`). */
export function field(id: string, label: string, control: HTMLElement, hint?: Child): HTMLDivElement {
  return h(
    "div",
    { class: "field", "data-field-for": id },
    h("label", { for: id }, label),
    control,
    hint ? h("span", { class: "sub" }, hint) : null,
    h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
  );
}

/**
 * A table that stacks into cards on narrow screens (`attrs` carries its class): an off-screen caption, then a
 * column header per entry of `columns` (null or false: no such column, as for a read-only key).
 */
export function cardsTable(attrs: Attrs, caption: string, columns: Child[], body: HTMLElement): HTMLTableElement {
  const headers = columns.filter((c) => c !== null && c !== undefined && c !== false);
  return h(
    "table",
    attrs,
    h("caption", { class: "sr-only" }, caption),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        headers.map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    body,
  );
}
