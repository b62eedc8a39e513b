// Page side of the test wallet (tests/wallet.ts): `window.keplr` with the parts of Keplr's injected API the dApp and
// CosmJS use. Every call goes to Node through functions exposed by the test; bytes cross as base64.
(() => {
  const w = window;
  const b64 = (u) => btoa(String.fromCharCode(...u));
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const getKey = async (chainId) => {
    const k = await w.__testWalletKey(chainId);
    return { ...k, pubKey: unb64(k.pubKey), address: new Uint8Array(20), ethereumHexAddress: "" };
  };
  const signDirect = async (chainId, signer, doc) => {
    const r = await w.__testWalletSignDirect(chainId, signer, {
      bodyBytes: b64(doc.bodyBytes),
      authInfoBytes: b64(doc.authInfoBytes),
      chainId: doc.chainId,
      accountNumber: doc.accountNumber.toString(),
    });
    return {
      signed: {
        bodyBytes: unb64(r.signed.bodyBytes),
        authInfoBytes: unb64(r.signed.authInfoBytes),
        chainId: r.signed.chainId,
        accountNumber: BigInt(r.signed.accountNumber),
      },
      signature: r.signature,
    };
  };
  const signAmino = (chainId, signer, doc) => w.__testWalletSignAmino(chainId, signer, doc);
  const accounts = async (chainId) => {
    const k = await getKey(chainId);
    return [{ address: k.bech32Address, algo: "secp256k1", pubkey: k.pubKey }];
  };
  const keplr = {
    version: "0.12.0-test",
    mode: "extension",
    defaultOptions: {},
    experimentalSuggestChain: (chainInfo) => w.__testWalletSuggest(chainInfo),
    enable: (ids) => w.__testWalletEnable(Array.isArray(ids) ? ids : [ids]),
    getKey,
    signDirect,
    signAmino,
    getOfflineSigner: (chainId) => ({
      getAccounts: () => accounts(chainId),
      signDirect: (signer, doc) => signDirect(chainId, signer, doc),
      signAmino: (signer, doc) => signAmino(chainId, signer, doc),
    }),
    getOfflineSignerOnlyAmino: (chainId) => ({
      getAccounts: () => accounts(chainId),
      signAmino: (signer, doc) => signAmino(chainId, signer, doc),
    }),
    getOfflineSignerAuto: async (chainId) => {
      const k = await getKey(chainId);
      return k.isNanoLedger ? keplr.getOfflineSignerOnlyAmino(chainId) : keplr.getOfflineSigner(chainId);
    },
  };
  w.keplr = keplr;
})();
