// A test wallet that implements Keplr's injected API (`window.keplr`) over a real key. The key never enters the
// page: the page-side object forwards each request to Node (page.exposeFunction), where CosmJS's
// DirectSecp256k1HdWallet (SIGN_MODE_DIRECT) and Secp256k1HdWallet (amino JSON, what a Ledger signs) sign with the
// localnet test mnemonic. Like Keplr it refuses chains that were not suggested/enabled and signers other than its key.
import { Secp256k1HdWallet, type StdSignDoc } from "@cosmjs/amino";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, makeSignDoc } from "@cosmjs/proto-signing";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

export interface SignRecord {
  mode: "direct" | "amino";
  chainId: string;
  /** Amino message types (`wasm/MsgExecuteContract`), or the direct body's size. */
  msgTypes: string[];
}

export interface TestWallet {
  address: string;
  suggested: string[];
  enabled: string[];
  signs: SignRecord[];
}

export async function installWallet(page: Page, mnemonic: string, prefix: string, opts: { ledger: boolean; name: string }): Promise<TestWallet> {
  const direct = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
  const amino = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
  const [account] = await direct.getAccounts();
  const state: TestWallet = { address: account.address, suggested: [], enabled: [], signs: [] };
  const known = (chainId: string) => {
    if (!state.enabled.includes(chainId)) throw new Error(`chain ${chainId} is not enabled in the test wallet`);
  };
  const mine = (signer: string) => {
    if (signer !== account.address) throw new Error(`unknown signer ${signer}`);
  };

  await page.exposeFunction("__testWalletSuggest", (chainInfo: { chainId: string; bech32Config: { bech32PrefixAccAddr: string } }) => {
    if (chainInfo.bech32Config?.bech32PrefixAccAddr !== prefix) throw new Error("suggested chain has another bech32 prefix");
    if (!state.suggested.includes(chainInfo.chainId)) state.suggested.push(chainInfo.chainId);
  });
  await page.exposeFunction("__testWalletEnable", (chainIds: string[]) => {
    for (const id of chainIds) {
      if (!state.suggested.includes(id)) throw new Error(`There is no chain info for ${id}`);
      if (!state.enabled.includes(id)) state.enabled.push(id);
    }
  });
  await page.exposeFunction("__testWalletKey", (chainId: string) => {
    known(chainId);
    return {
      name: opts.name,
      algo: "secp256k1",
      pubKey: toBase64(account.pubkey),
      bech32Address: account.address,
      isNanoLedger: opts.ledger,
      isKeystone: false,
    };
  });
  await page.exposeFunction(
    "__testWalletSignDirect",
    async (chainId: string, signer: string, doc: { bodyBytes: string; authInfoBytes: string; chainId: string; accountNumber: string }) => {
      known(chainId);
      mine(signer);
      // A Ledger cannot sign SIGN_MODE_DIRECT; Keplr refuses it for Ledger keys.
      if (opts.ledger) throw new Error("Ledger keys sign amino JSON only");
      if (doc.chainId !== chainId) throw new Error("sign doc for another chain");
      const signDoc = makeSignDoc(fromBase64(doc.bodyBytes), fromBase64(doc.authInfoBytes), doc.chainId, Number(doc.accountNumber));
      const r = await direct.signDirect(signer, signDoc);
      state.signs.push({ mode: "direct", chainId, msgTypes: [`body:${doc.bodyBytes.length}`] });
      return {
        signed: { bodyBytes: toBase64(r.signed.bodyBytes), authInfoBytes: toBase64(r.signed.authInfoBytes), chainId: r.signed.chainId, accountNumber: r.signed.accountNumber.toString() },
        signature: r.signature,
      };
    },
  );
  await page.exposeFunction("__testWalletSignAmino", async (chainId: string, signer: string, doc: StdSignDoc) => {
    known(chainId);
    mine(signer);
    if (doc.chain_id !== chainId) throw new Error("sign doc for another chain");
    const r = await amino.signAmino(signer, doc);
    state.signs.push({ mode: "amino", chainId, msgTypes: doc.msgs.map((m) => m.type) });
    return r;
  });

  // Plain JS file, not a function: tsx's transform would add helpers (__name) that do not exist in the page.
  await page.addInitScript({ path: fileURLToPath(new URL("./keplr-injected.js", import.meta.url)) });
  return state;
}
