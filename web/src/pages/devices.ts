// My devices: status and mining eligibility, points and rewards per epoch (from the oracle daemon's published
// computation), pending and claimed rewards (from the rewards contract), and claiming with daemon-served proofs.
import { oracleGet, signing, type App } from "../chain";
import { barChart } from "../charts";
import type { EpochResponse } from "../contracts/OracleHub.types";
import type { ClaimItem } from "../contracts/Rewards.types";
import { emc, html, mount, when } from "../ui";
import { send } from "./proposals";

/** How many past epochs the page reads (each costs one hub query, one oracle request and a few claim queries). */
const EPOCHS_SHOWN = 12;

interface OracleInput {
  device_id: number;
  owner: string;
  uptime_secs: number;
  tasks_completed: number;
  interactions: number;
  multiplier: string;
  points: string;
  amount: string;
}
interface OracleEpoch {
  epoch: number;
  root: string;
  inputs: OracleInput[];
  total_points: string;
}
interface OracleProof {
  epoch: number;
  device_id: number;
  owner: string;
  amount: string;
  proof: string[];
  root: string;
}

interface EpochRow {
  hub: EpochResponse;
  oracle: OracleEpoch | null;
  oracleError: string | null;
}

interface Reward {
  epoch: number;
  deviceId: number;
  amount: bigint;
  points: string;
  status: EpochResponse["status"];
  claimed: boolean;
}

async function epochRows(app: App): Promise<EpochRow[]> {
  const cur = await app.q.hub.currentEpoch();
  const first = Math.max(0, cur.epoch - EPOCHS_SHOWN);
  const epochs = Array.from({ length: cur.epoch - first }, (_, i) => first + i);
  return Promise.all(
    epochs.map(async (n) => {
      const hub = await app.q.hub.epoch({ epoch: n });
      try {
        return { hub, oracle: await oracleGet<OracleEpoch>(app.cfg, `/v1/epochs/${n}`), oracleError: null };
      } catch (e) {
        return { hub, oracle: null, oracleError: String(e instanceof Error ? e.message : e) };
      }
    }),
  );
}

export async function renderDevices(app: App, el: HTMLElement): Promise<void> {
  const addr = app.wallet?.address;
  if (!addr) return mount(el, html`<section class="card"><h2>My devices</h2><p>Connect a wallet to see the devices it owns.</p></section>`);
  const { devices } = await app.q.registry.devicesByOwner({ owner: addr, limit: 30 });
  const details = await Promise.all(
    devices.map(async (d) => ({
      d,
      mining: await app.q.staking.miningStatus({ deviceId: d.device_id }),
      position: await app.q.staking.position({ deviceId: d.device_id, staker: addr }),
    })),
  );
  const rows = await epochRows(app);
  const mine = new Set(devices.map((d) => d.device_id));
  const rewards: Reward[] = [];
  for (const r of rows) {
    for (const input of r.oracle?.inputs ?? []) {
      if (!mine.has(input.device_id) || input.owner !== addr || BigInt(input.amount) === 0n) continue;
      const c = await app.q.rewards.claimed({ epoch: r.hub.epoch, deviceId: input.device_id });
      rewards.push({ epoch: r.hub.epoch, deviceId: input.device_id, amount: BigInt(input.amount), points: input.points, status: r.hub.status, claimed: c.claimed });
    }
  }
  const claimable = rewards.filter((r) => r.status === "final" && !r.claimed);
  const sum = (xs: Reward[]) => xs.reduce((a, r) => a + r.amount, 0n);
  const waiting = rewards.filter((r) => !r.claimed && (r.status === "accepted" || r.status === "reported"));
  const claimed = rewards.filter((r) => r.claimed);
  const oracleDown = rows.find((r) => r.oracleError)?.oracleError;

  const deviceCards = details.map(({ d, mining, position }) => {
    const pts = rows.map((r) => {
      const input = r.oracle?.inputs.find((i) => i.device_id === d.device_id);
      return { label: String(r.hub.epoch), value: Number(input?.points ?? 0), kind: input ? "bar-ok" : "bar-none", title: `epoch ${r.hub.epoch}: ${input?.points ?? 0} points, ${emc(input?.amount ?? 0)}` };
    });
    return html`<div class="card device" data-testid="device" data-id="${d.device_id}">
      <div class="row start"><h3>Device #${d.device_id} <span class="muted">${d.model}</span></h3>
        <span class="badge dev-${d.status}" data-testid="device-status">${d.status}</span>
        <span class="badge ${mining.eligible ? "mining" : "idle"}" data-testid="mining">${mining.eligible ? "mining" : "not mining"}</span></div>
      <p class="muted">Key ${d.key_type}; activated ${when(d.activated_at)}. Staked ${emc(position.amount)} of the ${emc(mining.min_stake)} minimum.</p>
      <h4>Points per epoch</h4>${barChart(pts, { testId: `points-${d.device_id}` })}
    </div>`;
  });
  const rewardRows = rewards
    .slice()
    .reverse()
    .map(
      (r) => html`<tr data-testid="reward-row" data-epoch="${r.epoch}" data-device="${r.deviceId}">
        <td>${r.epoch}</td><td>#${r.deviceId}</td><td class="num">${r.points}</td><td class="num">${emc(r.amount)}</td>
        <td>${r.claimed ? html`<span class="badge ok">claimed</span>` : r.status === "final" ? html`<span class="badge warn">claimable</span>` : html`<span class="badge">${r.status}</span>`}</td></tr>`,
    );
  mount(
    el,
    html`<section class="card"><h2>My devices</h2>
      ${oracleDown ? html`<p class="error">Oracle daemon: ${oracleDown}</p>` : ""}
      <div class="stats">
        <div><span>Claimable now</span><b data-testid="pending">${emc(sum(claimable))}</b></div>
        <div><span>Waiting for finality</span><b data-testid="waiting">${emc(sum(waiting))}</b></div>
        <div><span>Claimed</span><b data-testid="claimed">${emc(sum(claimed))}</b></div>
      </div>
      <button data-testid="claim" ${claimable.length ? "" : "disabled"}>Claim ${claimable.length} reward${claimable.length === 1 ? "" : "s"}</button>
      <p class="muted">Proofs come from the oracle daemon and are checked against the root the oracle hub accepted before you sign.</p>
    </section>
    ${devices.length ? deviceCards : html`<section class="card"><p>This address owns no devices.</p></section>`}
    <section class="card"><h3>Rewards of the last ${EPOCHS_SHOWN} epochs</h3>
      <table class="list"><thead><tr><th>Epoch</th><th>Device</th><th>Points</th><th>Amount</th><th></th></tr></thead><tbody>${rewardRows}</tbody></table>
    </section>`,
  );
  el.querySelector("[data-testid=claim]")?.addEventListener("click", () =>
    send(app, el, `Claiming ${claimable.length} reward(s)`, async () => {
      const items = await Promise.all(claimable.map((r) => proofItem(app, r, rows, addr)));
      const max = (await app.q.rewards.config()).max_batch;
      if (items.length > max) items.length = max;
      return signing(app).rewards.claim({ claims: items });
    }),
  );
}

/** The daemon's proof for one reward, refused unless it matches the hub's accepted root and the connected owner. */
async function proofItem(app: App, r: Reward, rows: EpochRow[], owner: string): Promise<ClaimItem> {
  const p = await oracleGet<OracleProof>(app.cfg, `/v1/epochs/${r.epoch}/proof/${r.deviceId}`);
  if (!p) throw new Error(`the oracle has no proof for device ${r.deviceId} in epoch ${r.epoch}`);
  const hubRoot = rows.find((x) => x.hub.epoch === r.epoch)?.hub.root;
  if (!hubRoot || p.root.toLowerCase() !== hubRoot.toLowerCase())
    throw new Error(`the oracle's root for epoch ${r.epoch} is not the one the hub accepted`);
  if (p.owner !== owner || p.device_id !== r.deviceId || p.epoch !== r.epoch)
    throw new Error(`the oracle's leaf for device ${r.deviceId} does not belong to ${owner}`);
  return { epoch: p.epoch, device_id: p.device_id, owner: p.owner, amount: p.amount, proof: p.proof };
}

