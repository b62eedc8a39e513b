// Staking and lock-ups: totals and voting power, per-device positions (stake, unstake), unbonding entries (claim),
// locks (lock in a tier, unlock when expired), refresh of a stale boost.
import { signing, type App } from "../chain";
import { emc, errorText, html, mount, notify, toUemc, when } from "../ui";
import { send } from "./proposals";

const days = (secs: number) => (secs >= 86400 ? `${Math.round(secs / 86400)} days` : secs >= 120 ? `${Math.round(secs / 60)} min` : `${secs} s`);
const mult = (d: string) => Number(d).toFixed(3).replace(/\.?0+$/, "");

export async function renderStaking(app: App, el: HTMLElement): Promise<void> {
  const addr = app.wallet?.address;
  const config = await app.q.staking.config();
  const tiers = config.tiers.map((t) => html`<option value="${t.id}">Tier ${t.id}: ${days(t.duration)}, ×${t.multiplier}</option>`);
  const tierTable = config.tiers.map((t) => html`<tr><td>${t.id}</td><td>${days(t.duration)}</td><td class="num">×${t.multiplier}</td></tr>`);
  if (!addr) {
    return mount(
      el,
      html`<section class="card"><h2>Staking</h2><p>Connect a wallet to stake and lock.</p>
        <h3>Lock tiers</h3><table class="list"><thead><tr><th>Tier</th><th>Duration</th><th>Multiplier</th></tr></thead><tbody>${tierTable}</tbody></table></section>`,
    );
  }
  const [staker, positions, unbonding, locks, devices] = await Promise.all([
    app.q.staking.staker({ address: addr }),
    app.q.staking.positionsByStaker({ staker: addr, limit: 30 }),
    app.q.staking.unbonding({ address: addr, limit: 30 }),
    app.q.staking.locks({ address: addr }),
    app.q.registry.devicesByOwner({ owner: addr, limit: 30 }),
  ]);
  const active = devices.devices.filter((d) => d.status === "active");
  const posRows = positions.positions.map(
    (p) => html`<tr data-testid="position" data-device="${p.device_id}"><td>#${p.device_id}</td><td class="num">${emc(p.amount)}</td>
      <td><form class="inline" data-unstake="${p.device_id}"><input name="amount" placeholder="EMC" size="8" /><button>Unstake</button></form></td></tr>`,
  );
  const unbRows = unbonding.entries.map(
    (u) => html`<tr><td>#${u.device_id}</td><td class="num">${emc(u.amount)}</td><td>${when(u.release_at)}</td><td>${u.claimable ? "claimable" : "unbonding"}</td></tr>`,
  );
  const lockRows = locks.locks.map(
    (l) => html`<tr data-testid="lock-row" data-id="${l.lock_id}"><td>${l.lock_id}</td><td>${l.tier_id}</td><td class="num">${emc(l.amount)}</td><td class="num">×${l.multiplier}</td>
      <td class="num">${emc(l.weight)}</td><td>${when(l.expires_at)}</td>
      <td>${l.expired ? html`<button data-unlock="${l.lock_id}">Unlock</button>` : "locked"}</td></tr>`,
  );
  mount(
    el,
    html`<section class="card"><h2>Staking</h2>
      <div class="stats">
        <div><span>Staked on devices</span><b data-testid="staked">${emc(staker.staked)}</b></div>
        <div><span>Locked</span><b data-testid="locked">${emc(staker.locked)}</b></div>
        <div><span>Voting power</span><b data-testid="voting-power">${emc(staker.voting_power)}</b></div>
        <div><span>Reward multiplier</span><b>×${mult(staker.reward_multiplier)}</b></div>
        <div><span>Unbonding</span><b>${emc(staker.unbonding)}</b></div>
      </div>
      ${staker.stale_boost !== "0" ? html`<p>Expired locks still boost this address by ${emc(staker.stale_boost)}. <button data-action="refresh">Refresh power</button></p>` : ""}
    </section>
    <section class="card"><h3>Stake on a device</h3>
      <p class="muted">A device mines while its owner has staked at least ${emc(config.min_stake_per_device)} on it. Unstaked EMC unbonds for ${days(config.unbonding_period)}.</p>
      <form id="stake" class="inline">
        <select name="device">${active.map((d) => html`<option value="${d.device_id}">#${d.device_id} ${d.model}</option>`)}</select>
        <input name="amount" placeholder="EMC" size="10" data-testid="stake-amount" /><button data-testid="stake" ${active.length ? "" : "disabled"}>Stake</button></form>
      <table class="list"><thead><tr><th>Device</th><th>Staked</th><th></th></tr></thead><tbody>${posRows}</tbody></table>
    </section>
    <section class="card"><h3>Unbonding</h3>
      <table class="list"><thead><tr><th>Device</th><th>Amount</th><th>Release</th><th></th></tr></thead><tbody>${unbRows}</tbody></table>
      <button data-action="claim" ${unbonding.claimable !== "0" ? "" : "disabled"}>Claim ${emc(unbonding.claimable)}</button>
    </section>
    <section class="card"><h3>Lock-ups</h3>
      <p class="muted">Locked EMC counts for voting and rewards with its tier's multiplier until it expires; it cannot be unlocked early.</p>
      <form id="lock" class="inline"><select name="tier" data-testid="lock-tier">${tiers}</select>
        <input name="amount" placeholder="EMC" size="10" data-testid="lock-amount" /><button data-testid="lock-submit">Lock</button></form>
      <table class="list"><thead><tr><th>Lock</th><th>Tier</th><th>Amount</th><th>Multiplier</th><th>Weight</th><th>Expires</th><th></th></tr></thead><tbody>${lockRows}</tbody></table>
      <h4>Tiers</h4><table class="list"><thead><tr><th>Tier</th><th>Duration</th><th>Multiplier</th></tr></thead><tbody>${tierTable}</tbody></table>
    </section>`,
  );
  const amountOf = (form: HTMLFormElement): string | null => {
    try {
      return toUemc(String(new FormData(form).get("amount") ?? ""));
    } catch (e) {
      notify("error", `Amount: ${errorText(e)}`, "tx-error");
      return null;
    }
  };
  const coins = (amount: string) => [{ denom: config.denom, amount }];
  el.querySelector<HTMLFormElement>("#stake")?.addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const amount = amountOf(form);
    const deviceId = Number(new FormData(form).get("device"));
    if (amount) void send(app, el, "Staking", () => signing(app).staking.stake({ deviceId }, "auto", undefined, coins(amount)));
  });
  el.querySelector<HTMLFormElement>("#lock")?.addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const amount = amountOf(form);
    const tierId = Number(new FormData(form).get("tier"));
    if (amount) void send(app, el, "Locking", () => signing(app).staking.lock({ tierId }, "auto", undefined, coins(amount)));
  });
  el.querySelectorAll<HTMLFormElement>("form[data-unstake]").forEach((form) =>
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const amount = amountOf(form);
      const deviceId = Number(form.dataset.unstake);
      if (amount) void send(app, el, "Unstaking", () => signing(app).staking.unstake({ deviceId, amount }));
    }),
  );
  el.querySelectorAll<HTMLButtonElement>("button[data-unlock]").forEach((b) =>
    b.addEventListener("click", () => send(app, el, "Unlocking", () => signing(app).staking.unlock({ lockId: Number(b.dataset.unlock) }))),
  );
  el.querySelector("[data-action=claim]")?.addEventListener("click", () => send(app, el, "Claiming unbonded", () => signing(app).staking.claim()));
  el.querySelector("[data-action=refresh]")?.addEventListener("click", () =>
    send(app, el, "Refreshing power", () => signing(app).staking.refreshPower({ address: addr })),
  );
}
