import { h } from "./dom";
import { errorText } from "./ui";

/**
 * Newer / Older buttons over a cursor-paged list (the API's `pagination.next_cursor`): it keeps the cursors of the
 * pages walked, so Newer goes back one. `onChange` loads the page at `cursor()`, calling `busy()` first and
 * `settle(next_cursor)` once it has the answer (both buttons stay disabled after a failed load).
 */
export function cursorPager(opts: {
  /** Button ids are `<id>-prev` and `<id>-next`. */
  id: string;
  label: string;
  newer?: string;
  older?: string;
  onChange: () => void;
}) {
  const cursors: Array<string | undefined> = [undefined];
  let nextCursor: string | null = null;
  const prev = h("button", { type: "button", id: `${opts.id}-prev` }, opts.newer ?? "← Newer");
  const next = h("button", { type: "button", id: `${opts.id}-next` }, opts.older ?? "Older →");
  prev.addEventListener("click", () => {
    if (cursors.length > 1) cursors.pop();
    opts.onChange();
  });
  next.addEventListener("click", () => {
    if (nextCursor === null) return;
    cursors.push(nextCursor);
    opts.onChange();
  });
  return {
    nav: h("nav", { class: "pager", "aria-label": opts.label }, prev, next),
    /** The cursor of the page to show (undefined: the first). */
    cursor: () => cursors.at(-1),
    busy() {
      prev.disabled = true;
      next.disabled = true;
    },
    settle(cursor: string | null) {
      nextCursor = cursor;
      prev.disabled = cursors.length <= 1;
      next.disabled = cursor === null;
    },
    /** Back to the first page (a filter changed). */
    reset: () => void cursors.splice(1),
  };
}

/** The part of a cursor-paged answer the table reads. */
export interface PageOf<T> {
  data: T[];
  pagination: { next_cursor: string | null };
}

/**
 * A table body filled a cursor page at a time, with its pager: `load()` fetches the page at the pager's cursor
 * (a later call wins over one still in flight), shows its rows or an empty row, and a summary line; a failed load
 * empties the table and says why in the summary.
 */
export function cursorTable<T, P extends PageOf<T> = PageOf<T>>(opts: {
  pager: Omit<Parameters<typeof cursorPager>[0], "onChange">;
  table: HTMLElement;
  tbody: HTMLElement;
  summary: HTMLElement;
  getPage: (cursor: string | undefined) => Promise<P>;
  row: (item: T) => Node;
  /** The empty row: the columns it spans and its text. */
  empty: { columns: number; text: string };
  /** What "Could not load the …" names. */
  what: string;
  /** The summary after a load (default: none). */
  summarize?: (items: T[]) => string;
  /** The current page's answer, before its rows are made. */
  received?: (page: P) => void;
  /** After the current page is shown. */
  shown?: () => void;
}) {
  const pager = cursorPager({ ...opts.pager, onChange: () => void load() });
  let seq = 0;
  async function load(): Promise<void> {
    const mine = ++seq;
    opts.table.setAttribute("aria-busy", "true");
    pager.busy();
    try {
      const page = await opts.getPage(pager.cursor());
      if (mine !== seq) return;
      opts.received?.(page);
      opts.tbody.replaceChildren(...page.data.map(opts.row));
      if (!page.data.length) {
        const td = h("td", { colspan: String(opts.empty.columns), class: "empty" }, opts.empty.text);
        opts.tbody.append(h("tr", null, td));
      }
      opts.summary.textContent = opts.summarize?.(page.data) ?? "";
      pager.settle(page.pagination.next_cursor);
      opts.shown?.();
    } catch (e) {
      if (mine !== seq) return;
      opts.tbody.replaceChildren();
      opts.summary.textContent = `Could not load the ${opts.what}: ${errorText(e)}`;
    } finally {
      if (mine === seq) opts.table.removeAttribute("aria-busy");
    }
  }
  return { nav: pager.nav, load, reset: pager.reset };
}
