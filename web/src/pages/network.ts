// The network at a glance: epochs (status and rewards per epoch), oracle operators, devices, stake, the mining pool,
// the emission schedule and the DAO treasury.
import type { App } from "../chain";
import { barChart, lineChart } from "../charts";
import { emc, html, mount, shortAddr, when } from "../ui";

const EPOCHS_SHOWN = 16;
const STATUS_KIND: Record<string, string> = {
  final: "bar-ok",
  accepted: "bar-warn",
  reported: "bar-warn",
  open: "bar-none",
  vetoed: "bar-bad",
  abandoned: "bar-bad",
};

export async function renderNetwork(app: App, el: HTMLElement): Promise<void> {
  const q = app.q;
  const [hubCfg, cur, ops, counts, staked, locked, pool, height] = await Promise.all([
    q.hub.config(),
    q.hub.currentEpoch(),
    q.hub.operators({ limit: 50 }),
    q.registry.statusCounts(),
    q.staking.totalStaked(),
    q.staking.totalLocked(),
    q.rewards.pool(),
    q.client.getHeight(),
  ]);
  const first = Math.max(0, cur.epoch - EPOCHS_SHOWN);
  const epochs = await Promise.all(Array.from({ length: cur.epoch - first }, (_, i) => q.hub.epoch({ epoch: first + i })));
  const schedule = await q.rewards.schedule({ startEpoch: cur.epoch, count: 100 });
  const treasury = q.dao ? await q.dao.treasury().catch(() => null) : null;
  const bars = epochs.map((e) => ({
    label: String(e.epoch),
    value: Number(BigInt(e.total_amount) / 1_000_000n),
    kind: STATUS_KIND[e.status] ?? "bar-none",
    title: `epoch ${e.epoch}: ${e.status}, ${emc(e.total_amount)} to ${e.device_count} devices`,
  }));
  const epochRows = epochs
    .slice()
    .reverse()
    .map(
      (e) => html`<tr data-testid="epoch-row" data-epoch="${e.epoch}"><td>${e.epoch}</td><td><span class="badge ep-${e.status}">${e.status}</span></td>
        <td class="num">${emc(e.total_amount)}</td><td class="num">${e.device_count}</td><td class="num">${e.reporters.length}</td><td>${when(e.final_at ?? e.accepted_at)}</td></tr>`,
    );
  const opRows = ops.operators.map(
    (o) => html`<tr data-testid="operator"><td title="${o.address}">${shortAddr(o.address)}</td><td class="num">${emc(o.bonded)}</td>
      <td>${o.active ? html`<span class="badge ok">active</span>` : o.listed ? html`<span class="badge warn">under-bonded</span>` : html`<span class="badge">removed</span>`}</td><td>${when(o.added_at)}</td></tr>`,
  );
  const totalDevices = counts.registered + counts.active + counts.suspended + counts.banned;
  mount(
    el,
    html`<section class="card"><h2>Network</h2>
      <p class="muted">${app.cfg.chainInfo.chainName} (${app.cfg.chainInfo.chainId}), height <span data-testid="height">${height}</span>.</p>
      <div class="stats">
        <div><span>Devices</span><b data-testid="devices-total">${totalDevices}</b><small>${counts.active} active, ${counts.registered} not activated, ${counts.suspended} suspended, ${counts.banned} banned</small></div>
        <div><span>Staked on devices</span><b>${emc(staked.staked)}</b><small>${emc(staked.unbonding)} unbonding</small></div>
        <div><span>Locked</span><b>${emc(locked.amount)}</b><small>weight ${emc(locked.weight)}</small></div>
        <div><span>Mining pool</span><b data-testid="pool">${emc(pool.pool_total)}</b><small>${emc(pool.reserved)} reserved, ${emc(pool.free)} free</small></div>
        ${treasury ? html`<div><span>DAO treasury</span><b>${emc(treasury.balance.amount)}</b><small>${emc(treasury.spendable)} spendable</small></div>` : ""}
      </div>
    </section>
    <section class="card"><h3>Epochs</h3>
      <p class="muted">Epoch ${cur.epoch} runs until ${when(cur.end)}. Epochs last ${hubCfg.epoch_length} s; a root needs ${(Number(hubCfg.quorum) * 100).toFixed(1)}% of the operators and becomes final ${hubCfg.challenge_window} s after acceptance.</p>
      <h4>Rewards per epoch (EMC; green final, amber in challenge window, red vetoed or abandoned)</h4>
      ${barChart(bars, { testId: "epochs-chart", unit: " EMC" })}
      <table class="list"><thead><tr><th>Epoch</th><th>Status</th><th>Rewards</th><th>Devices</th><th>Reporters</th><th>Accepted / final</th></tr></thead><tbody>${epochRows}</tbody></table>
    </section>
    <section class="card"><h3>Oracle operators (${hubCfg.active_operators} active of ${hubCfg.listed_operators} listed)</h3>
      <table class="list"><thead><tr><th>Operator</th><th>Bond</th><th></th><th>Added</th></tr></thead><tbody>${opRows}</tbody></table>
    </section>
    <section class="card"><h3>Emission schedule (next 100 epochs)</h3>
      ${lineChart(schedule.entries.map((s) => ({ x: s.epoch, y: Number(BigInt(s.emission) / 1_000_000n) })), { testId: "emission-chart", xLabel: "epoch" })}
      <p class="muted">${emc(schedule.schedule.epoch_emission)} per epoch, decaying ${(Number(schedule.schedule.decay) * 100).toFixed(1)}% every ${schedule.schedule.decay_period_epochs} epochs.</p>
    </section>`,
  );
}
