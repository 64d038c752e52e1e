import DASHBOARD_CLIENT_JS from "./generated/client.js";
import { DASHBOARD_CSS } from "./styles";

/**
 * The dashboard shell, holding no data or credentials: the inline script signs in and fetches from the API.
 * Sign-in inputs have no `name` and the CSP forbids form submission, so a secret never reaches a URL.
 */
export function DashboardPage(props: { nonce: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>edgecron dashboard</title>
        <link rel="icon" href="data:," />
        <style nonce={props.nonce} dangerouslySetInnerHTML={{ __html: DASHBOARD_CSS }} />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="#/">
            edgecron <span>dashboard</span>
          </a>
          <nav class="nav" id="nav" aria-label="Sections" hidden>
            <a href="#/">Jobs</a>
            <a href="#/monitors">Monitors</a>
            <a href="#/calendars">Calendars</a>
            <a href="#/logs">Logs</a>
            <a href="#/dead-letters">Dead letters</a>
            <a href="#/deliveries">Deliveries</a>
            <a href="#/keys">API keys</a>
            <a href="#/signing-secret">Signing secret</a>
            <a href="#/alert-recipients">Alert recipients</a>
          </nav>
          <div class="session" id="session" hidden>
            <label class="zone">
              <span>Times in</span>
              <select id="zone-select">
                <option value="utc">UTC</option>
                <option value="local">Browser zone</option>
              </select>
            </label>
            <button type="button" id="refresh">
              Refresh
            </button>
            <label class="auto">
              <input type="checkbox" id="auto-refresh" /> Auto-refresh every 30 s <span id="auto-refresh-note" />
            </label>
            <span class="account">
              Account <code id="session-account" />
            </span>
            <button type="button" id="signout">
              Sign out
            </button>
          </div>
        </header>
        <main id="main">
          <p class="notice" id="notice" role="alert" />
          <p class="flash" id="flash" role="status" />
          <noscript>
            <p class="panel">The dashboard needs JavaScript. The API reference is at /docs.</p>
          </noscript>
          <section class="panel signin" id="signin" aria-labelledby="signin-title" hidden>
            <h1 id="signin-title">Sign in</h1>
            <p class="muted">Use an API key of your account.</p>
            <form id="signin-form" method="post" autocomplete="on">
              <div class="field">
                <label for="account-id">Account ID</label>
                <input id="account-id" type="text" autocomplete="username" spellcheck={false} required />
              </div>
              <div class="field">
                <label for="api-key">API key</label>
                <input id="api-key" type="text" autocomplete="off" spellcheck={false} required />
              </div>
              <div class="field">
                <label for="api-secret">API secret</label>
                <input id="api-secret" type="password" autocomplete="current-password" required />
              </div>
              <p class="form-error" id="signin-error" aria-live="assertive" />
              <button type="submit" class="primary" id="signin-submit">
                Sign in
              </button>
            </form>
            <p class="hint">
              The credentials stay in this browser tab (sessionStorage) and are sent only as the X-API-Key and
              X-API-Secret headers. Closing the tab or signing out forgets them.
            </p>
          </section>
          <div id="view" />
        </main>
        <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: DASHBOARD_CLIENT_JS }} />
      </body>
    </html>
  );
}
