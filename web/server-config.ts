// Where the served dApp learns its chain, contracts and oracle: `/edgemint-config.json`, built at serve time from
//   EDGEMINT_WEB_CONFIG   a config file as the dApp reads it (tests, or a hand-written production config), or
//   EDGEMINT_LOCALNET_DIR a localnet dir (`make localnet` / `make run`): registry/keplr-chain-info.json (the ChainInfo
//                         chain-config wrote, live endpoints) + deployment.json (contract addresses by label);
//   EDGEMINT_ORACLE_URL   an oracle daemon's HTTP API, proxied at /oracle (the daemon sends no CORS headers).
// A static deployment ships the same JSON next to index.html instead.
import fs from "node:fs";
import path from "node:path";

export interface ServedConfig {
  chainInfo: Record<string, unknown> & { chainId: string; rpc: string; rest: string };
  contracts: { registry: string; staking: string; hub: string; rewards: string; dao: string | null };
  oracleUrl: string | null;
}

const LABELS = { registry: "device-registry", staking: "staking", hub: "oracle-hub", rewards: "rewards", dao: "dao" };

export function configFromLocalnet(dir: string, oracleProxied: boolean): ServedConfig {
  const read = (f: string) => {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) throw new Error(`${p} is missing: start and deploy a localnet first (make run)`);
    return JSON.parse(fs.readFileSync(p, "utf8"));
  };
  const chainInfo = read("registry/keplr-chain-info.json");
  const deployment = read("deployment.json") as { contracts: { label: string; address: string }[] };
  const byLabel = (label: string) => deployment.contracts.find((c) => c.label === label)?.address ?? null;
  const need = (label: string) => {
    const a = byLabel(label);
    if (!a) throw new Error(`${dir}/deployment.json has no contract labelled ${label}`);
    return a;
  };
  return {
    chainInfo,
    contracts: {
      registry: need(LABELS.registry),
      staking: need(LABELS.staking),
      hub: need(LABELS.hub),
      rewards: need(LABELS.rewards),
      dao: byLabel(LABELS.dao),
    },
    oracleUrl: oracleProxied ? "/oracle" : null,
  };
}

export function servedConfig(env: NodeJS.ProcessEnv = process.env): ServedConfig | { error: string } {
  try {
    if (env.EDGEMINT_WEB_CONFIG) return JSON.parse(fs.readFileSync(env.EDGEMINT_WEB_CONFIG, "utf8"));
    if (env.EDGEMINT_LOCALNET_DIR) return configFromLocalnet(env.EDGEMINT_LOCALNET_DIR, !!env.EDGEMINT_ORACLE_URL);
    return { error: "no configuration: set EDGEMINT_LOCALNET_DIR (a running localnet) or EDGEMINT_WEB_CONFIG" };
  } catch (e) {
    return { error: String(e instanceof Error ? e.message : e) };
  }
}
