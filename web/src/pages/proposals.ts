// DAO proposals: list, detail (tally, quorum and threshold progress, the voter's power at the start height, vote,
// execute, close) and create.
import { signing, type App } from "../chain";
import { progress, tallyBar } from "../charts";
import type { ConfigResponse, CosmosMsgForEmpty, ProposalResponse, Status, Threshold, Vote } from "../contracts/Dao.types";
import { $, emc, errorText, html, mount, notify, pct, shortAddr, when, type Safe } from "../ui";

const STATUS_TEXT: Record<Status, string> = {
  open: "Open",
  rejected: "Rejected",
  veto_timelock: "Passed — in veto timelock",
  passed: "Passed",
  executed: "Executed",
  execution_failed: "Execution failed",
  closed: "Closed",
  vetoed: "Vetoed",
};

const VOTES: { key: Vote; label: string; kind: string }[] = [
  { key: "yes", label: "Yes", kind: "yes" },
  { key: "no", label: "No", kind: "no" },
  { key: "abstain", label: "Abstain", kind: "abstain" },
  { key: "no_with_veto", label: "No with veto", kind: "veto" },
];

function noDao(): Safe {
  return html`<section class="card"><h2>Proposals</h2><p>No DAO contract is configured for this network yet.</p></section>`;
}

const badge = (s: Status) => html`<span class="badge st-${s}" data-testid="status">${STATUS_TEXT[s] ?? s}</span>`;

function cast(p: ProposalResponse): bigint {
  const v = p.votes;
  return BigInt(v.yes) + BigInt(v.no) + BigInt(v.abstain) + BigInt(v.no_with_veto);
}

/** What the threshold asks for, as fractions of total power (quorum) and of the votes (threshold). */
function thresholdParts(t: Threshold, total: bigint): { quorum: number | null; threshold: number | null; text: string } {
  if ("threshold_quorum" in t) {
    const q = Number(t.threshold_quorum.quorum);
    const th = Number(t.threshold_quorum.threshold);
    return { quorum: q, threshold: th, text: `quorum ${(q * 100).toFixed(1)}% of voting power, then more than ${(th * 100).toFixed(1)}% yes of non-abstain votes` };
  }
  if ("absolute_percentage" in t) {
    const p = Number(t.absolute_percentage.percentage);
    return { quorum: null, threshold: p, text: `${(p * 100).toFixed(1)}% of all voting power must vote yes` };
  }
  const w = BigInt(t.absolute_count.weight);
  const frac = total > 0n ? Number((w * 10000n) / total) / 10000 : 1;
  return { quorum: null, threshold: frac, text: `${emc(w)} of voting power must vote yes` };
}

export async function renderProposals(app: App, el: HTMLElement): Promise<void> {
  const dao = app.q.dao;
  if (!dao) return mount(el, noDao());
  const [list, config] = await Promise.all([dao.reverseProposals({ limit: 30 }), dao.config()]);
  const rows = list.proposals.map((p) => {
    const total = BigInt(p.total_power);
    const turnout = total > 0n ? Number((cast(p) * 10000n) / total) / 10000 : 0;
    return html`<tr data-testid="proposal-row" data-id="${p.id}">
      <td>#${p.id}</td>
      <td><a href="#/proposals/${p.id}">${p.title}</a></td>
      <td>${badge(p.status)}</td>
      <td class="num">${pct(cast(p), total)} turnout${progress(turnout, `turnout-${p.id}`)}</td>
      <td>${when(p.expires_at)}</td></tr>`;
  });
  mount(
    el,
    html`<section class="card">
      <div class="row"><h2>Proposals</h2><a class="button" href="#/proposals/new" data-testid="new-proposal">New proposal</a></div>
      <p class="muted">Voting power is your stake plus lock-weighted locks in the staking contract at each proposal's start height.
        ${config.deposit ? html`Deposit: ${emc(config.deposit.amount)} (refund: ${config.deposit.refund_policy.replace("_", " ")}).` : "No deposit."}
        Voting period ${Math.round(config.voting_period / 60)} min.</p>
      ${rows.length
        ? html`<table class="list"><thead><tr><th></th><th>Title</th><th>Status</th><th>Turnout</th><th>Voting ends</th></tr></thead><tbody>${rows}</tbody></table>`
        : html`<p>No proposals yet.</p>`}
    </section>`,
  );
}

export async function renderProposal(app: App, el: HTMLElement, id: number): Promise<void> {
  const dao = app.q.dao;
  if (!dao) return mount(el, noDao());
  const p = await dao.proposal({ proposalId: id });
  const addr = app.wallet?.address;
  const [power, ballot] = addr
    ? await Promise.all([dao.votingPower({ proposalId: id, address: addr }), dao.ballot({ proposalId: id, voter: addr })])
    : [null, null];
  const total = BigInt(p.total_power);
  const votes = cast(p);
  const nonAbstain = votes - BigInt(p.votes.abstain);
  const th = thresholdParts(p.threshold, total);
  const turnout = total > 0n ? Number((votes * 10000n) / total) / 10000 : 0;
  const yesShare = nonAbstain > 0n ? Number((BigInt(p.votes.yes) * 10000n) / nonAbstain) / 10000 : 0;
  const canVote = p.status === "open" && !!addr && !!power && BigInt(power.power) > 0n && !power.excluded && (!ballot?.ballot || p.allow_revote);
  const voteButtons = VOTES.map(
    (v) => html`<button class="vote ${v.kind}" data-vote="${v.key}" data-testid="vote-${v.key}" ${canVote ? "" : "disabled"}>${v.label}</button>`,
  );
  const tallyRows = VOTES.map(
    (v) => html`<tr><td><span class="swatch ${v.kind}"></span>${v.label}</td><td class="num" data-testid="tally-${v.key}">${emc(p.votes[v.key])}</td><td class="num">${pct(BigInt(p.votes[v.key]), votes)}</td></tr>`,
  );
  const markers = [];
  if (th.quorum !== null) markers.push({ at: th.quorum, label: "quorum" });
  mount(
    el,
    html`<section class="card" data-testid="proposal" data-id="${p.id}">
      <p><a href="#/proposals">← Proposals</a></p>
      <div class="row"><h2 data-testid="proposal-title">#${p.id} ${p.title}</h2>${badge(p.status)}</div>
      <p class="muted">Proposed by ${shortAddr(p.proposer)} at height ${p.start_height} (${when(p.start_time)}); voting ends ${when(p.expires_at)}.
        ${p.allow_revote ? "Votes may be changed until the end." : "Votes are final."}</p>
      <div class="description" data-testid="proposal-description">${p.description}</div>
      <h3>Tally</h3>
      ${tallyBar(VOTES.map((v) => ({ label: `${v.label}: ${emc(p.votes[v.key])}`, value: BigInt(p.votes[v.key]), kind: v.kind })), total, markers)}
      <table class="tally-table"><tbody>${tallyRows}</tbody></table>
      <div class="grid2">
        <div><h4>Turnout ${th.quorum !== null ? html`vs quorum ${(th.quorum * 100).toFixed(1)}%` : ""}</h4>
          ${progress(th.quorum ? Math.min(1, turnout / th.quorum) : turnout, "quorum-progress")}
          <p class="muted" data-testid="turnout">${pct(votes, total)} of ${emc(total)} voting power cast${p.excluded_power !== "0" ? html` (${emc(p.excluded_power)} excluded)` : ""}</p></div>
        <div><h4>Yes share ${th.threshold !== null ? html`vs threshold ${(th.threshold * 100).toFixed(1)}%` : ""}</h4>
          ${progress(th.threshold ? Math.min(1, yesShare / th.threshold) : yesShare, "threshold-progress")}
          <p class="muted">${(yesShare * 100).toFixed(1)}% yes of non-abstain votes. Rule: ${th.text}.</p></div>
      </div>
      <h3>Your vote</h3>
      ${addr
        ? html`<p data-testid="my-power">Your voting power for this proposal: <b>${emc(power?.power ?? "0")}</b> (at height ${power?.height ?? "—"})${power?.excluded ? " — your address is excluded" : ""}.
            ${ballot?.ballot ? html` You voted <b data-testid="my-ballot">${ballot.ballot.vote.replace(/_/g, " ")}</b>.` : ""}</p>`
        : html`<p>Connect a wallet to vote.</p>`}
      <div class="buttons">${voteButtons}</div>
      <div class="buttons">
        ${p.status === "passed" ? html`<button data-action="execute" data-testid="execute">Execute</button>` : ""}
        ${p.status === "rejected" ? html`<button data-action="close" data-testid="close">Close and settle deposit</button>` : ""}
      </div>
      ${p.execution_error ? html`<p class="error">Execution failed: ${p.execution_error}</p>` : ""}
      <h3>Messages (${p.msgs.length})</h3>
      <pre class="msgs" data-testid="proposal-msgs">${JSON.stringify(readableMsgs(p.msgs), null, 2)}</pre>
      ${p.deposit ? html`<p class="muted">Deposit ${emc(p.deposit.amount.amount)} (${p.deposit.refund_policy.replace("_", " ")}), ${p.deposit.outcome ?? "held"}.</p>` : ""}
    </section>`,
  );
  el.querySelectorAll<HTMLButtonElement>("button[data-vote]").forEach((b) =>
    b.addEventListener("click", () =>
      send(app, el, `Voting ${b.dataset.vote}`, async () => {
        const dao = signing(app).dao!;
        return dao.vote({ proposalId: id, vote: b.dataset.vote as Vote });
      }),
    ),
  );
  el.querySelector("[data-action=execute]")?.addEventListener("click", () =>
    send(app, el, "Executing", () => signing(app).dao!.execute({ proposalId: id })),
  );
  el.querySelector("[data-action=close]")?.addEventListener("click", () =>
    send(app, el, "Closing", () => signing(app).dao!.close({ proposalId: id })),
  );
}

/** Messages for reading: wasm messages carry their JSON as base64; show it decoded next to the original. */
function readableMsgs(msgs: CosmosMsgForEmpty[]): unknown[] {
  return msgs.map((m) => {
    if (!("wasm" in m)) return m;
    const inner = Object.values(m.wasm)[0] as { msg?: string };
    if (!inner?.msg) return m;
    try {
      return { ...m, decoded_msg: JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(inner.msg), (c) => c.charCodeAt(0)))) };
    } catch {
      return m;
    }
  });
}

/** Runs a transaction with buttons disabled, reports its hash or error, and re-renders. */
export async function send(app: App, el: HTMLElement, what: string, tx: () => Promise<{ transactionHash: string }>): Promise<void> {
  if (!app.wallet) return notify("error", "Connect a wallet first");
  el.querySelectorAll<HTMLButtonElement>("button").forEach((b) => (b.disabled = true));
  notify("info", `${what}… confirm in your wallet (${app.wallet.signMode === "amino" ? "amino JSON" : "direct"} signing)`);
  try {
    const r = await tx();
    notify("ok", `${what}: done in tx ${r.transactionHash}`, "tx-ok");
  } catch (e) {
    notify("error", `${what} failed: ${errorText(e)}`, "tx-error");
  }
  app.refresh();
}

const TEMPLATES: Record<string, (app: App) => CosmosMsgForEmpty[]> = {
  text: () => [],
  treasury: (app) => [{ bank: { send: { to_address: app.wallet?.address ?? "emc1…", amount: [{ denom: app.denom, amount: "1000000" }] } } }],
  rewards: (app) => [
    { wasm: { execute: { contract_addr: app.cfg.contracts.rewards, msg: btoa(JSON.stringify({ update_config: { operator_share: "0.05" } })), funds: [] } } },
  ],
};

export async function renderNewProposal(app: App, el: HTMLElement): Promise<void> {
  const dao = app.q.dao;
  if (!dao) return mount(el, noDao());
  const config: ConfigResponse = await dao.config();
  mount(
    el,
    html`<section class="card"><p><a href="#/proposals">← Proposals</a></p><h2>New proposal</h2>
      <form id="propose" class="form">
        <label>Title <input name="title" maxlength="256" required data-testid="title" /></label>
        <label>Description <textarea name="description" rows="5" maxlength="10000" data-testid="description"></textarea></label>
        <label>Messages the DAO executes if it passes (JSON array of CosmosMsg, at most ${config.max_msgs})
          <select id="template"><option value="text">Text only (no messages)</option><option value="treasury">Send 1 EMC from the treasury to me</option><option value="rewards">Change a rewards parameter</option></select>
          <textarea name="msgs" rows="8" class="mono" data-testid="msgs">[]</textarea></label>
        <p class="muted">You need at least ${emc(config.min_proposer_power)} voting power.
          ${config.deposit ? html`The deposit of ${emc(config.deposit.amount)} is attached (refund: ${config.deposit.refund_policy.replace("_", " ")}).` : ""}</p>
        <button type="submit" data-testid="submit-proposal" ${app.wallet ? "" : "disabled"}>Submit proposal</button>
      </form></section>`,
  );
  const form = $<HTMLFormElement>("#propose", el);
  const msgs = form.elements.namedItem("msgs") as HTMLTextAreaElement;
  $<HTMLSelectElement>("#template", el).addEventListener("change", (e) => {
    const t = TEMPLATES[(e.target as HTMLSelectElement).value];
    msgs.value = JSON.stringify(t(app), null, 2);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(form);
    let parsed: CosmosMsgForEmpty[];
    try {
      parsed = JSON.parse(String(data.get("msgs") || "[]"));
      if (!Array.isArray(parsed)) throw new Error("messages must be a JSON array");
    } catch (err) {
      return notify("error", `Messages: ${errorText(err)}`, "tx-error");
    }
    const funds = config.deposit ? [{ denom: config.denom, amount: config.deposit.amount }] : undefined;
    void send(app, el, "Proposing", async () => {
      const r = await signing(app).dao!.propose(
        { title: String(data.get("title")), description: String(data.get("description") ?? ""), msgs: parsed },
        "auto",
        undefined,
        funds,
      );
      const id = r.events.flatMap((ev) => ev.attributes).find((a) => a.key === "proposal_id")?.value;
      if (id) location.hash = `#/proposals/${id}`;
      return r;
    });
  });
}
