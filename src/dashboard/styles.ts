/** Inlined under the CSP nonce. Status colours are 700 shades so white text meets WCAG AA contrast. */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light;
  --bg: #f6f7f9; --panel: #fff; --text: #111827; --muted: #5b6472; --line: #e3e6eb; --accent: #1d4ed8;
  --success: #15803d; --failure: #b91c1c; --error: #c2410c; --timeout: #6d28d9; --none: #d9dde3;
  --radius: 8px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif;
  font-size: 15px; line-height: 1.45; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
[hidden] { display: none !important; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid #93c5fd; outline-offset: 2px;
}
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.top { display: flex; align-items: center; gap: 16px; padding: 10px 24px; background: #0f172a; color: #e2e8f0; }
.brand { color: #fff; font-weight: 700; font-size: 1.1rem; text-decoration: none; letter-spacing: 0.01em; }
.brand span { color: #93c5fd; font-weight: 500; }
.session { margin-left: auto; display: flex; align-items: center; gap: 12px; font-size: 0.9rem; }
.session code { color: #cbd5e1; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
.notice { margin: 0 0 16px; padding: 10px 14px; border-radius: var(--radius); background: #fef2f2; color: #7f1d1d; border: 1px solid #fecaca; }
.notice:empty { display: none; }

h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 0 0 12px; }
.muted { color: var(--muted); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 18px 20px; margin-bottom: 20px; }
.head { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; margin-bottom: 16px; flex-wrap: wrap; }
.head p { margin: 0; }

button, .button {
  font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid #c7ccd4; background: #fff; color: var(--text);
  padding: 6px 14px; text-decoration: none; display: inline-block;
}
button:hover { background: #f1f3f6; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover { background: #1e40af; }
button:disabled { opacity: 0.55; cursor: default; }
.top button { background: transparent; color: #e2e8f0; border-color: #475569; padding: 4px 12px; }
.top button:hover { background: #1e293b; }

.signin { max-width: 440px; margin: 40px auto; }
.field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 14px; }
.field label, .filters label { font-weight: 600; font-size: 0.9rem; }
input, select { font: inherit; padding: 7px 10px; border: 1px solid #c7ccd4; border-radius: 6px; background: #fff; color: var(--text); }
.signin input { width: 100%; }
.form-error { color: var(--failure); font-weight: 600; min-height: 1.2em; margin: 0 0 10px; }
.hint { font-size: 0.85rem; color: var(--muted); margin-top: 14px; }

table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 9px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
tbody tr:hover { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
#logs-table td:first-child { white-space: nowrap; }
.job-name { font-weight: 600; }
.sub { display: block; font-size: 0.82rem; color: var(--muted); }

.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 0.8rem; font-weight: 600; color: #fff; background: #6b7280; white-space: nowrap; }
.badge.success { background: var(--success); }
.badge.failure { background: var(--failure); }
.badge.error { background: var(--error); }
.badge.timeout { background: var(--timeout); }
.badge.active { background: #e7f6ec; color: #14532d; }
.badge.paused { background: #eceef1; color: #374151; }
.ping-strip { display: block; }
code.ping-url, code.curl { word-break: break-all; }
.badge.none { background: #eceef1; color: #374151; }
.badge.disabled { background: #fef2f2; color: #7f1d1d; border: 1px solid #fecaca; }
.badge.completed { background: #e0ecff; color: #1e3a8a; }
.badge.delivered, .badge.confirmed { background: #e7f6ec; color: #14532d; }
.badge.pending, .badge.unconfirmed { background: #fef3c7; color: #78350f; }
.badge.failed, .badge.refused { background: var(--failure); }
.badge.recorded { background: #e0ecff; color: #1e3a8a; }
.badge.dead { background: #7f1d1d; }
.badge.skipped { background: #eceef1; color: #374151; border: 1px dashed #9ca3af; }
.badge.queued, .badge.running, .badge.awaiting { background: #fef3c7; color: #78350f; }
.badge.done { background: #e7f6ec; color: #14532d; }
.reason { font-size: 0.85rem; }
.replay-result { font-size: 0.85rem; }
.state-note { margin: 0 0 16px; padding: 10px 14px; border-radius: 6px; background: #fef2f2; border: 1px solid #fecaca; }
.state-note p { margin: 0 0 8px; }

.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 0.85rem; color: var(--muted); margin: 0; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { width: 12px; height: 12px; border-radius: 3px; display: inline-block; background: var(--none); }
.swatch.success { background: var(--success); } .swatch.failure { background: var(--failure); }
.swatch.error { background: var(--error); } .swatch.timeout { background: var(--timeout); }

svg { display: block; overflow: visible; }
.strip-note { font-size: 0.75rem; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 20px; }
.chart { width: 100%; height: auto; }
.chart text { font-size: 11px; fill: var(--muted); }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.timeline { width: 100%; height: 64px; }

dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
dl.facts dt { color: var(--muted); font-weight: 600; font-size: 0.9rem; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.stats { display: flex; flex-wrap: wrap; gap: 12px 40px; margin: 0 0 16px; }
dl.stats dt { color: var(--muted); font-size: 0.85rem; font-weight: 600; }
dl.stats dd { margin: 0; font-size: 1.45rem; font-weight: 650; font-variant-numeric: tabular-nums; }
figure { margin: 0; }
figcaption { margin-bottom: 6px; font-weight: 600; font-size: 0.9rem; }
.back { display: inline-block; margin-bottom: 10px; }

.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin-bottom: 14px; }
.filters div { display: flex; flex-direction: column; gap: 4px; }
.filters input[type="number"] { width: 7em; }
details summary { cursor: pointer; color: var(--accent); }
details pre {
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 260px; overflow: auto; margin: 6px 0 0; padding: 8px 10px;
  background: #f3f4f6; border-radius: 6px; border: 1px solid var(--line);
}
.error-msg { display: block; font-size: 0.85rem; color: var(--muted); }
dl.headers { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 0; font-size: 0.85rem; }
dl.headers dt { color: var(--muted); }
dl.headers dd { margin: 0; overflow-wrap: anywhere; }
.decided-by { display: block; font-size: 0.8rem; }
.pager { display: flex; align-items: center; gap: 12px; justify-content: flex-end; margin-top: 12px; }
.empty { padding: 18px 0; color: var(--muted); }
.loading { color: var(--muted); }

/* Console: navigation, forms, actions. */
.top { flex-wrap: wrap; }
.nav { display: flex; gap: 4px; flex-wrap: wrap; }
.nav a { color: #cbd5e1; text-decoration: none; padding: 4px 10px; border-radius: 6px; }
.nav a[aria-current="page"] { background: #1e293b; color: #fff; }
.session { flex-wrap: wrap; }
.session select { padding: 2px 6px; font-size: 0.85rem; }
.session label { display: flex; align-items: center; gap: 6px; }
.flash { margin: 0 0 16px; padding: 8px 14px; border-radius: var(--radius); background: #ecfdf5; color: #14532d; border: 1px solid #bbf7d0; }
.flash:empty { display: none; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
a.button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { border-color: #fca5a5; color: var(--failure); }
button.danger:hover { background: #fef2f2; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 0 16px; align-items: start; }
fieldset { border: 1px solid var(--line); border-radius: var(--radius); margin: 0 0 16px; padding: 12px 16px 4px; min-width: 0; }
legend { font-weight: 650; padding: 0 6px; }
textarea { font: inherit; padding: 7px 10px; border: 1px solid #c7ccd4; border-radius: 6px; width: 100%; resize: vertical; }
.field input, .field select { width: 100%; min-width: 0; }
.field input[type="checkbox"] { width: auto; }
.pair { display: flex; gap: 8px; }
.pair input { max-width: 90px; }
.days { display: flex; flex-wrap: wrap; gap: 4px 12px; }
label.inline { display: inline-flex; align-items: center; gap: 6px; font-weight: 500; }
.field-error { color: var(--failure); font-size: 0.85rem; font-weight: 600; }
.field-error:empty { display: none; }
[aria-invalid="true"] { border-color: var(--failure); outline: 1px solid var(--failure); }
.preview { background: #f8fafc; border: 1px dashed #c7ccd4; border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
.preview ol { margin: 6px 0 0; padding-left: 22px; }
.secret-box { margin-top: 12px; padding: 12px 14px; border-radius: 6px; background: #fffbeb; border: 1px solid #fcd34d; }
.secret-box code { overflow-wrap: anywhere; }
.badge.key-active { background: #e7f6ec; color: #14532d; }
.badge.key-revoked, .badge.key-expired { background: #eceef1; color: #374151; }
.badge.secret { background: #fef3c7; color: #78350f; }
.field-label { font-weight: 600; font-size: 0.9rem; }
.secret-row { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 4px 0; min-width: 0; }
.secret-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; }
.channel-row input { flex: 1 1 16rem; min-width: 0; }
.secret-label { overflow-wrap: anywhere; min-width: 0; }
.secret-editor { display: flex; flex-direction: column; gap: 4px; margin-top: 6px; }
.secret-editor label { font-weight: 600; font-size: 0.85rem; }
.secret-editor input { width: 100%; min-width: 0; }
button.small { padding: 2px 10px; font-size: 0.85rem; }
.list-row { margin: 0 0 6px; }
.list-row-head { display: flex; gap: 8px; align-items: center; }
.field .list-row-head input { flex: 1 1 12rem; width: auto; }
.pause-form { margin-top: 14px; padding: 12px 14px; border: 1px solid var(--line); border-radius: 6px; background: #f8fafc; }
table.slo meter { width: 8rem; vertical-align: middle; margin-right: 8px; }
.budget-spent { color: var(--failure); font-weight: 600; }
ul.plain { margin: 0; padding: 0; list-style: none; }
.strip { width: 100%; max-width: 262px; height: auto; }
.table-note { font-size: 0.85rem; color: var(--muted); }

/* Phones: no horizontal scrolling. Tables become one card per row, each cell labelled by data-label. */
@media (max-width: 720px) {
  main { padding: 12px; }
  .top { padding: 10px 12px; gap: 8px; }
  .session { margin-left: 0; width: 100%; }
  .panel { padding: 14px 12px; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards tr { border-bottom: 1px solid var(--line); padding: 8px 0; }
  table.cards td { border: 0; padding: 3px 0; text-align: left; white-space: normal; }
  table.cards td[data-label]:not([data-label=""])::before {
    content: attr(data-label); display: block; font-size: 0.75rem; text-transform: uppercase; color: var(--muted);
  }
  #logs-table td:first-child { white-space: normal; }
  .charts { grid-template-columns: 1fr; }
  dl.facts { grid-template-columns: 1fr; }
  .filters div { flex: 1 1 140px; }
  .filters input, .filters select { width: 100%; }
}
`;
