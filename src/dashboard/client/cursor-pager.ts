import { h } from "./dom";

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
