/**
 * The dashboard's browser entry. Job fields and bodies are attacker-controlled, so: DOM only via dom.ts, links
 * only `#/…` routes with encoded ids, credentials in sessionStorage sent only as X-API-Key / X-API-Secret here.
 */
import { api, setUnauthorizedHandler } from "./api";
import { byId } from "./dom";
import { credentials, forget, remember } from "./session";
import { browserZoneName, setZoneChoice, type ZoneChoice, zoneChoice } from "./time";
import { currentRefresh, flash, flashNavigated, flashOutlived, notice } from "./ui";
import { accountLogsView } from "./views/account-logs";
import { alertRecipientsView } from "./views/alert-recipients";
import { calendarsView } from "./views/calendars";
import { deadLettersView } from "./views/dead-letters";
import { deliveriesView } from "./views/deliveries";
import { forgetJobView, jobView } from "./views/job";
import { jobFormView } from "./views/job-form";
import { jobsView } from "./views/jobs";
import { keysView } from "./views/keys";
import { monitorsView } from "./views/monitors";
import { signingSecretView } from "./views/signing-secret";

/** Auto-refresh period: visible in the header, paused while the tab is hidden (so it costs nothing then). */
const REFRESH_SECONDS = 30;

const els = {
  session: byId("session"),
  sessionAccount: byId("session-account"),
  signout: byId<HTMLButtonElement>("signout"),
  nav: byId("nav"),
  signin: byId("signin"),
  form: byId<HTMLFormElement>("signin-form"),
  accountId: byId<HTMLInputElement>("account-id"),
  apiKey: byId<HTMLInputElement>("api-key"),
  apiSecret: byId<HTMLInputElement>("api-secret"),
  signinError: byId("signin-error"),
  signinSubmit: byId<HTMLButtonElement>("signin-submit"),
  view: byId("view"),
  zone: byId<HTMLSelectElement>("zone-select"),
  auto: byId<HTMLInputElement>("auto-refresh"),
  autoNote: byId("auto-refresh-note"),
  refresh: byId<HTMLButtonElement>("refresh"),
};

function showSignIn(message = ""): void {
  els.session.hidden = true;
  els.nav.hidden = true;
  els.sessionAccount.textContent = "";
  els.view.replaceChildren();
  els.signin.hidden = false;
  els.signinError.textContent = message;
  document.title = "Sign in · edgecron dashboard";
  els.accountId.focus();
}

function signOut(message: string): void {
  forget();
  forgetJobView();
  els.form.reset();
  notice("");
  flash("");
  showSignIn(message);
}
setUnauthorizedHandler((detail) => signOut(`Signed out: ${detail}`));

els.form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const candidate = {
    accountId: els.accountId.value.trim(),
    apiKey: els.apiKey.value.trim(),
    apiSecret: els.apiSecret.value.trim(),
  };
  if (!candidate.accountId || !candidate.apiKey || !candidate.apiSecret) {
    els.signinError.textContent = "Enter the account ID, the API key and the API secret.";
    return;
  }
  els.signinSubmit.disabled = true;
  els.signinError.textContent = "Signing in…";
  try {
    await api("/list", { params: { limit: 1 }, creds: candidate });
    remember(candidate);
    els.apiSecret.value = "";
    els.signinError.textContent = "";
    render();
  } catch (e) {
    els.signinError.textContent = `Sign-in failed: ${e instanceof Error ? e.message : e}`;
  } finally {
    els.signinSubmit.disabled = false;
  }
});

els.signout.addEventListener("click", () => {
  signOut("You are signed out.");
  if (location.hash) history.replaceState(null, "", location.pathname);
});

// One timezone for every view; the option names the browser's zone so the choice is explicit.
const localOption = els.zone.querySelector('option[value="local"]');
if (localOption) localOption.textContent = `Browser (${browserZoneName()})`;
els.zone.value = zoneChoice();
els.zone.addEventListener("change", () => {
  setZoneChoice(els.zone.value as ZoneChoice);
  forgetJobView();
  render();
});

/** `#/…` routes → views. */
function render(): void {
  if (!credentials()) {
    showSignIn();
    return;
  }
  els.signin.hidden = true;
  els.signinError.textContent = "";
  els.session.hidden = false;
  els.nav.hidden = false;
  els.sessionAccount.textContent = credentials()?.accountId ?? "";
  notice("");
  const raw = location.hash.replace(/^#/, "");
  const q = raw.indexOf("?");
  const path = q === -1 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q === -1 ? "" : raw.slice(q + 1));
  for (const a of els.nav.querySelectorAll("a")) {
    const target = (a.getAttribute("href") ?? "").slice(1);
    const here = target === "/" ? path === "" || path === "/" || path.startsWith("/jobs") : path.startsWith(target);
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return null;
    }
  };
  const edit = /^\/jobs\/([^/]+)\/edit$/.exec(path);
  const job = /^\/jobs\/([^/]+)\/?$/.exec(path);
  const editId = edit ? decode(edit[1] ?? "") : null;
  const jobId = job ? decode(job[1] ?? "") : null;
  if (path === "/jobs/new") void jobFormView(null);
  else if (editId) void jobFormView(editId);
  else if (jobId) jobView(jobId, params);
  else if (path === "/logs") void accountLogsView(params);
  else if (path === "/dead-letters") void deadLettersView();
  else if (path === "/deliveries") void deliveriesView(params);
  else if (path === "/monitors") void monitorsView();
  else if (path === "/calendars") void calendarsView();
  else if (path === "/keys") keysView();
  else if (path === "/signing-secret") signingSecretView();
  else if (path === "/alert-recipients") alertRecipientsView();
  else jobsView(params);
}
window.addEventListener("hashchange", () => {
  flashNavigated();
  render();
});

// A flash message outlives the navigation that follows its action, then clears. Its age restarts whenever a new
// message is shown: an action after several navigations must not have its confirmation cleared at once.
setInterval(() => {
  if (flashOutlived()) flash("");
}, 8000);

let remaining = REFRESH_SECONDS;
setInterval(() => {
  if (!els.auto.checked || document.hidden || !credentials()) {
    els.autoNote.textContent = "";
    return;
  }
  remaining--;
  if (remaining <= 0) {
    remaining = REFRESH_SECONDS;
    currentRefresh()?.();
  }
  els.autoNote.textContent = `in ${remaining} s`;
}, 1000);
els.auto.addEventListener("change", () => {
  remaining = REFRESH_SECONDS;
});
els.refresh.addEventListener("click", () => {
  remaining = REFRESH_SECONDS;
  currentRefresh()?.();
});

render();
