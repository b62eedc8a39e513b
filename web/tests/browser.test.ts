// Browser tests of the dApp against a real localnet (see harness.ts): connect, vote on a DAO proposal (amino JSON,
// the Ledger path), create a proposal (direct), claim epoch rewards with oracle-served proofs (direct). Every test
// checks its result with a query to the chain and saves a screenshot in web/test-results/.
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { CosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { decodeTxRaw } from "@cosmjs/proto-signing";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, log, screenshotPath, startFixture, startServer, tmpDir, type Fixture, type Running } from "./harness";
import { installWallet, type TestWallet } from "./wallet";

let fixture: Running<Fixture> | null = null;
let server: Running<string> | null = null;
let browser: Browser | null = null;
let chain: CosmWasmClient;
let fx: Fixture;
let url: string;
const tmp = tmpDir();
const timings: Record<string, number> = {};

async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    timings[name] = (Date.now() - t0) / 1000;
    log(`${name}: ${timings[name].toFixed(1)} s`);
  }
}

async function openApp(opts: { ledger: boolean }): Promise<{ page: Page; wallet: TestWallet }> {
  const context = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => log(`page error: ${e.message}`));
  const wallet = await installWallet(page, fx.user.mnemonic, fx.chain_info.bech32Config.bech32PrefixAccAddr, { ledger: opts.ledger, name: opts.ledger ? "test-ledger" : "test" });
  await page.goto(`${url}/#/network`);
  // 404s are expected: the oracle has not computed epochs before the first one it saw.
  page.on("console", (m) => m.type() === "error" && !m.text().includes("404") && log(`console: ${m.text()}`));
  await page.getByTestId("connect").click();
  await page.locator("[data-testid=address], [data-testid=connect-error]").first().waitFor();
  const failed = page.getByTestId("connect-error");
  if (await failed.count()) throw new Error(`connect failed in the dApp: ${await failed.textContent()}`);
  return { page, wallet };
}

/** Waits for the page to be rendered after navigation or a transaction. */
async function settled(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).first().waitFor({ timeout: 30_000 });
}

async function txResult(page: Page): Promise<string> {
  const notice = page.locator("[data-testid=tx-ok], [data-testid=tx-error]");
  await notice.waitFor({ timeout: 60_000 });
  const text = (await notice.textContent()) ?? "";
  assert.equal(await notice.getAttribute("data-testid"), "tx-ok", `transaction failed in the dApp: ${text}`);
  const hash = text.match(/tx ([0-9A-F]{64})/)?.[1];
  assert.ok(hash, `no tx hash in "${text}"`);
  return hash;
}

async function feePaid(hash: string): Promise<bigint> {
  const tx = await chain.getTx(hash);
  assert.ok(tx, `tx ${hash} not found on chain`);
  assert.equal(tx.code, 0, `tx ${hash} failed on chain: ${tx.rawLog}`);
  return decodeTxRaw(tx.tx).authInfo.fee!.amount.reduce((a, c) => a + BigInt(c.amount), 0n);
}

describe("dApp in Chromium against a real localnet", { timeout: 15 * 60_000 }, () => {
  before(async () => {
    fixture = await timed("fixture (localnet, contracts, final epoch)", () => startFixture(tmp));
    fx = fixture.value;
    chain = await CosmWasmClient.connect(fx.rpc);
    server = await startServer(tmp, fx);
    url = server.value;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    await fixture?.stop();
    fs.writeFileSync(`${tmp}/timings.json`, JSON.stringify(timings, null, 2));
    log(`timings: ${JSON.stringify(timings)}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("connects: suggests the chain, shows the address and its on-chain balance", async () => {
    await timed("connect", async () => {
      const { page, wallet } = await openApp({ ledger: false });
      assert.deepEqual(wallet.suggested, [fx.chain_id], "the dApp suggests the chain before enabling it");
      assert.deepEqual(wallet.enabled, [fx.chain_id]);
      assert.equal(await page.getByTestId("address").textContent(), fx.user.address);
      const onChain = await chain.getBalance(fx.user.address, "uemc");
      assert.equal(await page.getByTestId("balance").getAttribute("data-uemc"), onChain.amount, "balance shown = balance on chain");
      await settled(page, "epochs-chart");
      const finalRow = page.locator(`[data-testid=epoch-row][data-epoch="${fx.final_epoch}"]`);
      assert.match((await finalRow.textContent()) ?? "", /final/);
      await page.screenshot({ path: screenshotPath("connect-network"), fullPage: true });
      await page.goto(`${url}/#/staking`);
      await settled(page, "voting-power");
      const staker = await chain.queryContractSmart(fx.contracts.staking, { staker: { address: fx.user.address } });
      assert.match((await page.getByTestId("voting-power").textContent()) ?? "", new RegExp(`^${(Number(staker.voting_power) / 1e6).toLocaleString("en-US")}`));
      await page.screenshot({ path: screenshotPath("staking"), fullPage: true });
      await page.context().close();
    });
  });

  it("locks EMC in a tier from the staking page (direct); the lock and the new voting power are on chain", async () => {
    await timed("lock (direct)", async () => {
      const { page } = await openApp({ ledger: false });
      await page.goto(`${url}/#/staking`);
      await settled(page, "lock-amount");
      const before = await chain.queryContractSmart(fx.contracts.staking, { locks: { address: fx.user.address } });
      const power0 = BigInt((await chain.queryContractSmart(fx.contracts.staking, { staker: { address: fx.user.address } })).voting_power);
      await page.getByTestId("lock-tier").selectOption("2");
      await page.getByTestId("lock-amount").fill("12.5");
      await page.getByTestId("lock-submit").click();
      await txResult(page);
      const locks = await chain.queryContractSmart(fx.contracts.staking, { locks: { address: fx.user.address } });
      assert.equal(locks.locks.length, before.locks.length + 1);
      const lock = locks.locks.at(-1);
      assert.equal(lock.tier_id, 2);
      assert.equal(lock.amount, "12500000");
      assert.equal(lock.weight, "18750000", "tier 2 weighs ×1.5");
      const power1 = BigInt((await chain.queryContractSmart(fx.contracts.staking, { staker: { address: fx.user.address } })).voting_power);
      assert.equal(power1, power0 + 18_750_000n);
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=lock-row]").length === n, locks.locks.length);
      await page.screenshot({ path: screenshotPath("staking-locked"), fullPage: true });
      await page.context().close();
    });
  });

  it("votes on a DAO proposal with amino JSON signing (Ledger path); the ballot is on chain", async () => {
    assert.ok(fx.contracts.dao && fx.dao_proposal, "the fixture deployed no DAO: build artifacts/dao.wasm (make wasm with contracts/dao)");
    await timed("vote (amino)", async () => {
      const { page, wallet } = await openApp({ ledger: true });
      assert.equal(await page.getByTestId("signing-with").textContent(), "Ledger, amino JSON");
      const id = fx.dao_proposal!;
      await page.goto(`${url}/#/proposals`);
      await settled(page, "proposal-row");
      // Proposal text is attacker-controlled: it must show as text and never run.
      const xssRow = page.locator("[data-testid=proposal-row]", { hasText: "<img src=x" });
      assert.equal(await xssRow.count(), 1, "the HTML title is shown literally");
      await xssRow.locator("a").click();
      await settled(page, "proposal-description");
      assert.match((await page.getByTestId("proposal-description").textContent()) ?? "", /<script>window.__xss=2<\/script>shown as text/);
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, "proposal HTML executed");
      await page.screenshot({ path: screenshotPath("proposals-xss-as-text"), fullPage: true });

      await page.goto(`${url}/#/proposals/${id}`);
      await settled(page, "vote-yes");
      const before = await chain.queryContractSmart(fx.contracts.dao!, { proposal: { proposal_id: id } });
      const power = await chain.queryContractSmart(fx.contracts.dao!, { voting_power: { proposal_id: id, address: fx.user.address } });
      assert.ok(BigInt(power.power) > 0n, "the user has voting power at the proposal's start height");
      await page.getByTestId("vote-yes").click();
      await txResult(page);
      const ballot = await chain.queryContractSmart(fx.contracts.dao!, { ballot: { proposal_id: id, voter: fx.user.address } });
      assert.equal(ballot.ballot?.vote, "yes");
      assert.equal(ballot.ballot?.power, power.power);
      const after = await chain.queryContractSmart(fx.contracts.dao!, { proposal: { proposal_id: id } });
      assert.equal(BigInt(after.votes.yes), BigInt(before.votes.yes) + BigInt(power.power));
      assert.deepEqual(wallet.signs.map((s) => [s.mode, s.msgTypes]), [["amino", ["wasm/MsgExecuteContract"]]], "signed once, amino JSON with the wasm converter");
      await settled(page, "my-ballot");
      assert.equal(await page.getByTestId("my-ballot").textContent(), "yes");
      await page.screenshot({ path: screenshotPath("vote"), fullPage: true });
      await page.context().close();
    });
  });

  it("creates a proposal with direct signing; it is on chain with the deposit held", async () => {
    assert.ok(fx.contracts.dao, "the fixture deployed no DAO: build artifacts/dao.wasm (make wasm with contracts/dao)");
    await timed("create proposal (direct)", async () => {
      const { page, wallet } = await openApp({ ledger: false });
      const count0: number = await chain.queryContractSmart(fx.contracts.dao!, { proposal_count: {} });
      await page.goto(`${url}/#/proposals/new`);
      await settled(page, "submit-proposal");
      const title = `Raise the operator share (web test ${Date.now()})`;
      await page.getByTestId("title").fill(title);
      await page.getByTestId("description").fill("Created from the dApp by the browser test.");
      await page.locator("#template").selectOption("rewards");
      await page.getByTestId("submit-proposal").click();
      await txResult(page);
      const count1: number = await chain.queryContractSmart(fx.contracts.dao!, { proposal_count: {} });
      assert.equal(count1, count0 + 1);
      const p = await chain.queryContractSmart(fx.contracts.dao!, { proposal: { proposal_id: count1 } });
      assert.equal(p.title, title);
      assert.equal(p.proposer, fx.user.address);
      assert.equal(p.status, "open");
      assert.equal(p.msgs[0].wasm.execute.contract_addr, fx.contracts.rewards);
      assert.equal(p.deposit?.amount.amount, "10000000");
      assert.equal(wallet.signs.at(-1)?.mode, "direct");
      await settled(page, "proposal-title");
      await page.screenshot({ path: screenshotPath("proposal-created"), fullPage: true });
      await page.context().close();
    });
  });

  it("claims the final epoch's rewards with proofs from the oracle daemon (direct signing); paid on chain", async () => {
    await timed("claim (direct)", async () => {
      const { page, wallet } = await openApp({ ledger: false });
      await page.goto(`${url}/#/devices`);
      await settled(page, "claim");
      assert.equal(await page.getByTestId("device").count(), fx.devices.mining.length + 1);
      const leaves = await Promise.all(
        fx.devices.mining.map(async (d) => {
          const r = await fetch(`${fx.oracle_url}/v1/epochs/${fx.final_epoch}/proof/${d}`);
          assert.equal(r.status, 200, `oracle has a leaf for device ${d}`);
          return (await r.json()) as { amount: string; device_id: number };
        }),
      );
      const total = leaves.reduce((a, l) => a + BigInt(l.amount), 0n);
      assert.ok(total > 0n);
      for (const d of fx.devices.mining) {
        const c = await chain.queryContractSmart(fx.contracts.rewards, { claimed: { epoch: fx.final_epoch, device_id: d } });
        assert.equal(c.claimed, false, "nothing claimed before the test");
      }
      await page.screenshot({ path: screenshotPath("devices-before-claim"), fullPage: true });
      const balance0 = BigInt((await chain.getBalance(fx.user.address, "uemc")).amount);
      await page.getByTestId("claim").click();
      const hash = await txResult(page);
      const fee = await feePaid(hash);
      for (const l of leaves) {
        const c = await chain.queryContractSmart(fx.contracts.rewards, { claimed: { epoch: fx.final_epoch, device_id: l.device_id } });
        assert.equal(c.claimed, true);
        assert.equal(c.amount, l.amount);
      }
      const balance1 = BigInt((await chain.getBalance(fx.user.address, "uemc")).amount);
      assert.equal(balance1, balance0 + total - fee, "the owner received exactly the leaves' amounts, minus the fee");
      assert.equal(wallet.signs.length, 1);
      assert.equal(wallet.signs[0].mode, "direct");
      await settled(page, "reward-row");
      await page.waitForFunction(() => document.querySelector("[data-testid=claim]")?.hasAttribute("disabled"));
      await page.screenshot({ path: screenshotPath("devices-after-claim"), fullPage: true });
      await page.context().close();
    });
  });
});
