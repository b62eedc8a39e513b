// Keplr's injected API (`window.keplr`): suggest the chain, connect, sign. Two signing paths for every
// MsgExecuteContract: direct (SIGN_MODE_DIRECT, protobuf) and amino JSON (SIGN_MODE_LEGACY_AMINO_JSON), which is what
// a Ledger signs; the amino path needs the wasm amino converters so `/cosmwasm.wasm.v1.MsgExecuteContract` becomes
// `wasm/MsgExecuteContract` with its msg as JSON.
import { AminoTypes, GasPrice, createDefaultAminoConverters } from "@cosmjs/stargate";
import { SigningCosmWasmClient, createWasmAminoConverters } from "@cosmjs/cosmwasm-stargate";
import type { OfflineSigner } from "@cosmjs/proto-signing";
import type { ChainInfo, Keplr } from "@keplr-wallet/types";
import type { AppConfig } from "./config";

declare global {
  interface Window {
    keplr?: Keplr;
  }
}

export type SignMode = "direct" | "amino";

export interface Wallet {
  address: string;
  name: string;
  /** The key lives on a Ledger: only amino JSON can be signed. */
  isLedger: boolean;
  signMode: SignMode;
  client: SigningCosmWasmClient;
}

export const aminoTypes = () => new AminoTypes({ ...createDefaultAminoConverters(), ...createWasmAminoConverters() });

export function gasPrice(chainInfo: ChainInfo): GasPrice {
  const fee = chainInfo.feeCurrencies[0];
  const price = fee.gasPriceStep?.average ?? 0.025;
  return GasPrice.fromString(`${price}${fee.coinMinimalDenom}`);
}

/** Waits briefly for an extension that injects late. */
async function findKeplr(): Promise<Keplr> {
  for (let i = 0; i < 20 && !window.keplr; i++) await new Promise((r) => setTimeout(r, 100));
  if (!window.keplr) throw new Error("No Keplr wallet found: install the Keplr extension (or a wallet with its API) and reload");
  return window.keplr;
}

export async function connect(cfg: AppConfig, preferred: SignMode): Promise<Wallet> {
  const keplr = await findKeplr();
  const chainId = cfg.chainInfo.chainId;
  // Idempotent in Keplr: adds the chain the first time, asks nothing afterwards.
  await keplr.experimentalSuggestChain(cfg.chainInfo);
  await keplr.enable(chainId);
  const key = await keplr.getKey(chainId);
  const signMode: SignMode = key.isNanoLedger ? "amino" : preferred;
  const signer = (signMode === "amino" ? keplr.getOfflineSignerOnlyAmino(chainId) : keplr.getOfflineSigner(chainId)) as unknown as OfflineSigner;
  const accounts = await signer.getAccounts();
  if (accounts[0]?.address !== key.bech32Address) throw new Error("the wallet's signer does not match its key");
  const client = await SigningCosmWasmClient.connectWithSigner(cfg.chainInfo.rpc, signer, {
    aminoTypes: aminoTypes(),
    gasPrice: gasPrice(cfg.chainInfo),
  });
  return { address: key.bech32Address, name: key.name, isLedger: key.isNanoLedger, signMode, client };
}

/** Every balance of `address` (REST, so IBC vouchers show too); falls back to the staking denom over RPC. */
export async function balances(cfg: AppConfig, w: Wallet): Promise<{ denom: string; amount: string }[]> {
  try {
    const r = await fetch(`${cfg.chainInfo.rest.replace(/\/$/, "")}/cosmos/bank/v1beta1/balances/${w.address}`);
    if (!r.ok) throw new Error(String(r.status));
    const body = (await r.json()) as { balances: { denom: string; amount: string }[] };
    return body.balances;
  } catch {
    const denom = cfg.chainInfo.stakeCurrency?.coinMinimalDenom ?? cfg.chainInfo.currencies[0].coinMinimalDenom;
    return [await w.client.getBalance(w.address, denom)];
  }
}
