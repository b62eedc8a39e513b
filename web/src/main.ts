import { queries, type App } from "./chain";
import { loadConfig } from "./config";
import { renderDevices } from "./pages/devices";
import { renderNetwork } from "./pages/network";
import { renderNewProposal, renderProposal, renderProposals } from "./pages/proposals";
import { renderStaking } from "./pages/staking";
import { $, emc, errorText, html, mount, notify } from "./ui";
import { balances, connect, type SignMode } from "./wallet";

const SIGN_MODE_KEY = "edgemint.signMode";
const CONNECTED_KEY = "edgemint.connected";

let renderSeq = 0;

async function route(app: App): Promise<void> {
  const el = $("#app");
  const seq = ++renderSeq;
  const hash = location.hash.replace(/^#\/?/, "") || "proposals";
  const [page, arg] = hash.split("/");
  document.querySelectorAll<HTMLAnchorElement>("nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === page));
  const target = document.createElement("div");
  try {
    if (page === "proposals" && arg === "new") await renderNewProposal(app, target);
    else if (page === "proposals" && arg) await renderProposal(app, target, Number(arg));
    else if (page === "proposals") await renderProposals(app, target);
    else if (page === "devices") await renderDevices(app, target);
    else if (page === "staking") await renderStaking(app, target);
    else if (page === "network") await renderNetwork(app, target);
    else mount(target, html`<section class="card"><h2>Not found</h2><p><a href="#/proposals">Proposals</a></p></section>`);
  } catch (e) {
    mount(target, html`<section class="card"><h2>Something went wrong</h2><p class="error" data-testid="page-error">${errorText(e)}</p></section>`);
  }
  // A slower render of a page the user already left must not replace the newer one.
  if (seq !== renderSeq) return;
  el.replaceChildren(...target.childNodes);
  el.dataset.page = page;
  el.dataset.ready = String(seq);
}

async function renderWallet(app: App): Promise<void> {
  const el = $("#wallet");
  // The mode in use: a Ledger key forces amino JSON whatever was chosen.
  const mode = app.wallet?.signMode ?? ((localStorage.getItem(SIGN_MODE_KEY) as SignMode) || "direct");
  const modeSelect = html`<select id="sign-mode" data-testid="sign-mode" title="Amino JSON is what a Ledger signs" ${app.wallet?.isLedger ? "disabled" : ""}>
      <option value="direct" ${mode === "direct" ? "selected" : ""}>Direct signing</option>
      <option value="amino" ${mode === "amino" ? "selected" : ""}>Amino JSON (Ledger)</option></select>`;
  if (!app.wallet) {
    mount(el, html`${modeSelect}<button id="connect" data-testid="connect">Connect Keplr</button>`);
    $("#connect").addEventListener("click", () => void doConnect(app));
  } else {
    const w = app.wallet;
    const bals = await balances(app.cfg, w).catch(() => []);
    const main = bals.find((b) => b.denom === app.denom)?.amount ?? "0";
    const others = bals.filter((b) => b.denom !== app.denom);
    mount(
      el,
      html`${modeSelect}<span class="addr" data-testid="address" title="${w.address}">${w.address}</span>
        <span class="bal" data-testid="balance" data-uemc="${main}">${emc(main)}</span>
        ${others.length ? html`<span class="muted" title="${others.map((b) => `${b.amount} ${b.denom}`).join(", ")}">+${others.length} other</span>` : ""}
        <span class="muted" data-testid="signing-with">${w.isLedger ? "Ledger, " : ""}${w.signMode === "amino" ? "amino JSON" : "direct"}</span>
        <button id="disconnect">Disconnect</button>`,
    );
    $("#disconnect").addEventListener("click", () => {
      app.wallet = null;
      localStorage.removeItem(CONNECTED_KEY);
      app.refresh();
    });
  }
  $<HTMLSelectElement>("#sign-mode").addEventListener("change", (e) => {
    localStorage.setItem(SIGN_MODE_KEY, (e.target as HTMLSelectElement).value);
    if (app.wallet) void doConnect(app);
  });
}

async function doConnect(app: App): Promise<void> {
  try {
    const mode = (localStorage.getItem(SIGN_MODE_KEY) as SignMode) || "direct";
    app.wallet = await connect(app.cfg, mode);
    localStorage.setItem(CONNECTED_KEY, "1");
    notify("ok", `Connected ${app.wallet.name || ""} ${app.wallet.address}`, "connected");
  } catch (e) {
    app.wallet = null;
    notify("error", `Could not connect: ${errorText(e)}`, "connect-error");
  }
  app.refresh();
}

async function start(): Promise<void> {
  let app: App;
  try {
    const cfg = await loadConfig();
    const q = await queries(cfg);
    app = {
      cfg,
      q,
      wallet: null,
      denom: cfg.chainInfo.stakeCurrency?.coinMinimalDenom ?? cfg.chainInfo.currencies[0].coinMinimalDenom,
      refresh: () => {
        void renderWallet(app);
        void route(app);
      },
    };
  } catch (e) {
    mount($("#app"), html`<section class="card"><h2>Cannot start</h2><p class="error" data-testid="page-error">${errorText(e)}</p></section>`);
    return;
  }
  window.addEventListener("hashchange", () => void route(app));
  // Keplr fires this when the user switches accounts.
  window.addEventListener("keplr_keystorechange", () => {
    if (app.wallet) void doConnect(app);
  });
  if (localStorage.getItem(CONNECTED_KEY)) await doConnect(app);
  else app.refresh();
}

void start();
