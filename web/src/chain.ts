// Read-only access to the chain through the generated query clients, and the app's shared state.
import { CosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import type { AppConfig } from "./config";
import type { Wallet } from "./wallet";
import { DaoClient, DaoQueryClient } from "./contracts/Dao.client";
import { DeviceRegistryClient, DeviceRegistryQueryClient } from "./contracts/DeviceRegistry.client";
import { OracleHubQueryClient } from "./contracts/OracleHub.client";
import { RewardsClient, RewardsQueryClient } from "./contracts/Rewards.client";
import { StakingClient, StakingQueryClient } from "./contracts/Staking.client";

export interface Queries {
  client: CosmWasmClient;
  registry: DeviceRegistryQueryClient;
  staking: StakingQueryClient;
  hub: OracleHubQueryClient;
  rewards: RewardsQueryClient;
  dao: DaoQueryClient | null;
}

export interface Signing {
  registry: DeviceRegistryClient;
  staking: StakingClient;
  rewards: RewardsClient;
  dao: DaoClient | null;
}

export interface App {
  cfg: AppConfig;
  q: Queries;
  wallet: Wallet | null;
  denom: string;
  /** Re-renders the current page (after a transaction or a wallet change). */
  refresh: () => void;
}

export async function queries(cfg: AppConfig): Promise<Queries> {
  const client = await CosmWasmClient.connect(cfg.chainInfo.rpc);
  const c = cfg.contracts;
  return {
    client,
    registry: new DeviceRegistryQueryClient(client, c.registry),
    staking: new StakingQueryClient(client, c.staking),
    hub: new OracleHubQueryClient(client, c.hub),
    rewards: new RewardsQueryClient(client, c.rewards),
    dao: c.dao ? new DaoQueryClient(client, c.dao) : null,
  };
}

export function signing(app: App): Signing {
  const w = app.wallet;
  if (!w) throw new Error("connect a wallet first");
  const c = app.cfg.contracts;
  return {
    registry: new DeviceRegistryClient(w.client, w.address, c.registry),
    staking: new StakingClient(w.client, w.address, c.staking),
    rewards: new RewardsClient(w.client, w.address, c.rewards),
    dao: c.dao ? new DaoClient(w.client, w.address, c.dao) : null,
  };
}

/** The oracle daemon's JSON, or null for 404 (epoch not computed, no leaf). */
export async function oracleGet<T>(cfg: AppConfig, path: string): Promise<T | null> {
  if (!cfg.oracleUrl) throw new Error("no oracle daemon configured (oracleUrl)");
  const r = await fetch(`${cfg.oracleUrl.replace(/\/$/, "")}${path}`);
  if (r.status === 404) return null;
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`oracle ${path}: ${body?.message ?? r.status}`);
  return body as T;
}
