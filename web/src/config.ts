import type { ChainInfo } from "@keplr-wallet/types";

export interface AppConfig {
  chainInfo: ChainInfo;
  contracts: { registry: string; staking: string; hub: string; rewards: string; dao: string | null };
  /** The oracle daemon's HTTP API (proofs and per-epoch computations); `/oracle` when served through the proxy. */
  oracleUrl: string | null;
}

export async function loadConfig(): Promise<AppConfig> {
  const r = await fetch("/edgemint-config.json", { cache: "no-store" });
  const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok || body.error) throw new Error(`cannot load /edgemint-config.json: ${body.error ?? r.status}`);
  for (const k of ["registry", "staking", "hub", "rewards"] as const)
    if (!body.contracts?.[k]) throw new Error(`/edgemint-config.json has no ${k} contract`);
  if (!body.chainInfo?.chainId || !body.chainInfo?.rpc) throw new Error("/edgemint-config.json has no chainInfo");
  return body as AppConfig;
}
