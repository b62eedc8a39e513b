//! A small chain client over CometBFT RPC: ABCI queries (auth, bank, wasm, tx simulation), transactions signed with
//! cosmrs, broadcast sync and followed until committed. Errors carry the chain's own text.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::proto::cosmos::auth::v1beta1::{BaseAccount, QueryAccountRequest, QueryAccountResponse};
use cosmrs::proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{QuerySmartContractStateRequest, QuerySmartContractStateResponse};
use cosmrs::rpc::{Client, HttpClient};
use cosmrs::tendermint::chain::Id as ChainId;
use cosmrs::tx::{self, Fee, Msg, SignDoc, SignerInfo};
use cosmrs::{AccountId, Any, Coin, Denom};
use prost::Message;
use thiserror::Error;

use crate::profile::Profile;

/// Why a transaction did not succeed, with the chain's message.
#[derive(Debug, Error)]
pub enum TxError {
    #[error("rejected by CheckTx (code {code}, codespace {codespace}): {log}")]
    CheckTx { code: u32, codespace: String, log: String },
    #[error("failed in block {height} (code {code}, codespace {codespace}): {log}")]
    DeliverTx {
        height: u64,
        code: u32,
        codespace: String,
        log: String,
    },
    #[error("simulation failed: {0}")]
    Simulate(String),
    #[error("not committed within {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct TxOutcome {
    pub hash: String,
    /// Fee paid, in base units.
    pub fee: u128,
    pub height: u64,
    pub gas_used: i64,
    /// (event type, key, value) of every event attribute.
    pub events: Vec<(String, String, String)>,
}

impl TxOutcome {
    pub fn attribute(&self, event: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .find(|(t, k, _)| t == event && k == key)
            .map(|(_, _, v)| v.as_str())
    }
}

/// How the fee is set: simulated gas with the chain's gas price, or an explicit amount (to test fee checks).
#[derive(Debug, Clone, Copy)]
pub enum FeeMode {
    Simulate,
    Fixed { gas: u64, amount: u128 },
}

pub struct ChainClient {
    rpc: HttpClient,
    chain_id: ChainId,
    denom: Denom,
    gas_price: f64,
    coin_type: u32,
    prefix: String,
}

impl ChainClient {
    pub fn new(rpc_url: &str, profile: &Profile) -> Result<Self> {
        Ok(Self {
            rpc: HttpClient::new(rpc_url)?,
            chain_id: profile.chain.chain_id.parse()?,
            denom: profile.token.base.parse().map_err(|e| anyhow!("{e}"))?,
            gas_price: profile.fees.average.parse()?,
            coin_type: profile.chain.slip44,
            prefix: profile.chain.bech32_prefix.clone(),
        })
    }

    /// A client from explicit settings rather than a chain profile (a daemon configured by its own file).
    pub fn with_settings(
        rpc_url: &str,
        chain_id: &str,
        prefix: &str,
        denom: &str,
        gas_price: f64,
        coin_type: u32,
    ) -> Result<Self> {
        Ok(Self {
            rpc: HttpClient::new(rpc_url)?,
            chain_id: chain_id.parse()?,
            denom: denom.parse().map_err(|e| anyhow!("{e}"))?,
            gas_price,
            coin_type,
            prefix: prefix.to_string(),
        })
    }

    pub fn denom(&self) -> &Denom {
        &self.denom
    }

    pub fn coin_type(&self) -> u32 {
        self.coin_type
    }

    async fn query<Req: Message, Resp: Message + Default>(&self, path: &str, req: Req) -> Result<Resp> {
        self.query_at(path, req, None).await
    }

    /// An ABCI query against the state committed at `height` (`None`: the latest).
    async fn query_at<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: Req,
        height: Option<u64>,
    ) -> Result<Resp> {
        let height = height
            .map(cosmrs::tendermint::block::Height::try_from)
            .transpose()
            .map_err(|e| anyhow!("invalid height: {e}"))?;
        let data = req.encode_to_vec();
        // The node closes idle keep-alive connections; a request racing that close fails at the transport level
        // without reaching the node, so it is safe to repeat (queries have no side effects).
        let mut attempt = 0;
        let res = loop {
            match self
                .rpc
                .abci_query(Some(path.to_string()), data.clone(), height, false)
                .await
            {
                Ok(res) => break res,
                Err(e) if attempt < 2 => {
                    attempt += 1;
                    tracing::debug!(%e, attempt, "retrying ABCI query {path}");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => return Err(anyhow::Error::new(e).context(format!("ABCI query {path}"))),
            }
        };
        if res.code.is_err() {
            anyhow::bail!("{path} failed: {}", res.log);
        }
        Resp::decode(res.value.as_slice()).with_context(|| format!("decoding {path} response"))
    }

    /// Unix time (seconds) of the latest committed block: the clock contracts see.
    pub async fn latest_block_time(&self) -> Result<u64> {
        let block = self.rpc.latest_block().await.context("latest block")?;
        Ok(block.block.header.time.unix_timestamp().max(0) as u64)
    }

    /// (account number, sequence) of an existing account.
    pub async fn account(&self, address: &str) -> Result<(u64, u64)> {
        let resp: QueryAccountResponse = self
            .query(
                "/cosmos.auth.v1beta1.Query/Account",
                QueryAccountRequest {
                    address: address.into(),
                },
            )
            .await?;
        let any = resp.account.context("account not found")?;
        anyhow::ensure!(
            any.type_url == "/cosmos.auth.v1beta1.BaseAccount",
            "account {address} is a {} (only base accounts sign here)",
            any.type_url
        );
        let base = BaseAccount::decode(any.value.as_slice())?;
        Ok((base.account_number, base.sequence))
    }

    pub async fn balance(&self, address: &str) -> Result<u128> {
        self.balance_of(address, self.denom.as_ref()).await
    }

    /// Balance in any denom (e.g. an IBC voucher `ibc/<hash>`).
    pub async fn balance_of(&self, address: &str, denom: &str) -> Result<u128> {
        let resp: QueryBalanceResponse = self
            .query(
                "/cosmos.bank.v1beta1.Query/Balance",
                QueryBalanceRequest {
                    address: address.into(),
                    denom: denom.to_string(),
                },
            )
            .await?;
        Ok(resp.balance.map(|c| c.amount.parse()).transpose()?.unwrap_or(0))
    }

    pub async fn smart_query(&self, contract: &str, msg: &serde_json::Value) -> Result<serde_json::Value> {
        let resp: QuerySmartContractStateResponse = self
            .query(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                QuerySmartContractStateRequest {
                    address: contract.into(),
                    query_data: serde_json::to_vec(msg)?,
                },
            )
            .await?;
        Ok(serde_json::from_slice(&resp.data)?)
    }

    /// The contract's wasm admin (the address allowed to migrate it), `None` if it has none.
    pub async fn contract_admin(&self, contract: &str) -> Result<Option<String>> {
        use cosmrs::proto::cosmwasm::wasm::v1::{QueryContractInfoRequest, QueryContractInfoResponse};
        let resp: QueryContractInfoResponse = self
            .query(
                "/cosmwasm.wasm.v1.Query/ContractInfo",
                QueryContractInfoRequest {
                    address: contract.into(),
                },
            )
            .await?;
        let info = resp
            .contract_info
            .with_context(|| format!("no contract info for {contract}"))?;
        Ok(Some(info.admin).filter(|a| !a.is_empty()))
    }

    /// A smart query against the contract state committed at `height` (`None`: the latest). The node must still
    /// hold that state (not pruned).
    pub async fn smart_query_at(
        &self,
        contract: &str,
        msg: &serde_json::Value,
        height: Option<u64>,
    ) -> Result<serde_json::Value> {
        let resp: QuerySmartContractStateResponse = self
            .query_at(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                QuerySmartContractStateRequest {
                    address: contract.into(),
                    query_data: serde_json::to_vec(msg)?,
                },
                height,
            )
            .await?;
        Ok(serde_json::from_slice(&resp.data)?)
    }

    /// (earliest, latest) block heights the node holds.
    pub async fn height_range(&self) -> Result<(u64, u64)> {
        let status = self.rpc.status().await.context("node status")?;
        Ok((
            status.sync_info.earliest_block_height.value(),
            status.sync_info.latest_block_height.value(),
        ))
    }

    /// Block time of `height` in unix nanoseconds.
    pub async fn block_time_nanos(&self, height: u64) -> Result<i128> {
        let h = cosmrs::tendermint::block::Height::try_from(height).map_err(|e| anyhow!("invalid height: {e}"))?;
        let commit = self
            .rpc
            .commit(h)
            .await
            .with_context(|| format!("commit at height {height}"))?;
        Ok(commit.signed_header.header.time.unix_timestamp_nanos())
    }

    /// Signs `msgs` as `key` and broadcasts; returns once the tx is in a block. `sign_with` overrides the key that
    /// actually signs (to test that the chain rejects a forged signature).
    pub async fn send_tx(
        &self,
        key: &SigningKey,
        msgs: Vec<Any>,
        fee: FeeMode,
        sign_with: Option<&SigningKey>,
    ) -> Result<TxOutcome, TxError> {
        let sender = key.public_key().account_id(self.prefix()).map_err(|e| anyhow!("{e}"))?;
        let (number, sequence) = self.account(sender.as_ref()).await?;
        let body = tx::Body::new(msgs, "", 0u32);
        let signer = SignerInfo::single_direct(Some(key.public_key()), sequence);
        let (gas, amount) = match fee {
            FeeMode::Fixed { gas, amount } => (gas, amount),
            FeeMode::Simulate => {
                let sim_fee = Fee::from_amount_and_gas(self.coin(0), 0u64);
                let raw = self.sign(&body, signer.clone().auth_info(sim_fee), number, key)?;
                let gas_used = self.simulate(raw).await?;
                let gas = gas_used * 13 / 10 + 20_000;
                (gas, (gas as f64 * self.gas_price).ceil() as u128)
            }
        };
        let auth_info = signer.auth_info(Fee::from_amount_and_gas(self.coin(amount), gas));
        let raw = self.sign(&body, auth_info, number, sign_with.unwrap_or(key))?;
        let mut out = self.broadcast(raw).await?;
        out.fee = amount;
        Ok(out)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn coin(&self, amount: u128) -> Coin {
        Coin {
            denom: self.denom.clone(),
            amount,
        }
    }

    fn sign(&self, body: &tx::Body, auth: tx::AuthInfo, number: u64, key: &SigningKey) -> Result<Vec<u8>> {
        let doc = SignDoc::new(body, &auth, &self.chain_id, number).map_err(|e| anyhow!("{e}"))?;
        doc.sign(key).and_then(|raw| raw.to_bytes()).map_err(|e| anyhow!("{e}"))
    }

    async fn simulate(&self, tx_bytes: Vec<u8>) -> Result<u64, TxError> {
        #[allow(deprecated)]
        let req = SimulateRequest { tx: None, tx_bytes };
        let resp: SimulateResponse = self
            .query("/cosmos.tx.v1beta1.Service/Simulate", req)
            .await
            .map_err(|e| TxError::Simulate(format!("{e:#}")))?;
        Ok(resp.gas_info.map(|g| g.gas_used).unwrap_or(0))
    }

    async fn broadcast(&self, tx_bytes: Vec<u8>) -> Result<TxOutcome, TxError> {
        let res = self
            .rpc
            .broadcast_tx_sync(tx_bytes)
            .await
            .map_err(|e| anyhow!("broadcast: {e}"))?;
        if res.code.is_err() {
            return Err(TxError::CheckTx {
                code: res.code.value(),
                codespace: res.codespace,
                log: res.log,
            });
        }
        let timeout = Duration::from_secs(30);
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(r) = self.rpc.tx(res.hash, false).await {
                let result = r.tx_result;
                let height = r.height.value();
                if result.code.is_err() {
                    return Err(TxError::DeliverTx {
                        height,
                        code: result.code.value(),
                        codespace: result.codespace,
                        log: result.log,
                    });
                }
                let events = result
                    .events
                    .iter()
                    .flat_map(|e| {
                        e.attributes.iter().map(move |a| {
                            (
                                e.kind.clone(),
                                a.key_str().unwrap_or_default().to_string(),
                                a.value_str().unwrap_or_default().to_string(),
                            )
                        })
                    })
                    .collect();
                return Ok(TxOutcome {
                    hash: res.hash.to_string(),
                    fee: 0,
                    height,
                    gas_used: result.gas_used,
                    events,
                });
            }
            if Instant::now() > deadline {
                return Err(TxError::Timeout(timeout));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    // --- message helpers ---

    pub fn bank_send(&self, from: &AccountId, to: &str, amount: u128) -> Result<Any> {
        cosmrs::bank::MsgSend {
            from_address: from.clone(),
            to_address: AccountId::from_str(to).map_err(|e| anyhow!("{e}"))?,
            amount: vec![self.coin(amount)],
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }
}

/// An account that signs: its key and address.
pub struct Signer {
    pub key: SigningKey,
    pub address: AccountId,
}

impl Signer {
    pub fn new(key: SigningKey, prefix: &str) -> Result<Self> {
        let address = key.public_key().account_id(prefix).map_err(|e| anyhow!("{e}"))?;
        Ok(Self { key, address })
    }
}

/// Contract operations signed by a `Signer`, with simulated gas.
impl ChainClient {
    pub fn signer(&self, key: &crate::keys::KeyInfo) -> Result<Signer> {
        Signer::new(key.signing_key(self.coin_type)?, &self.prefix)
    }

    /// Stores wasm code; returns its code id.
    pub async fn store_code(&self, s: &Signer, wasm_bytes: Vec<u8>) -> Result<(u64, TxOutcome), TxError> {
        let out = self
            .send_tx(
                &s.key,
                vec![wasm::store_code(&s.address, wasm_bytes)?],
                FeeMode::Simulate,
                None,
            )
            .await?;
        let id = out
            .attribute("store_code", "code_id")
            .context("store_code event without code_id")?
            .parse();
        Ok((id.map_err(|e| anyhow!("bad code_id: {e}"))?, out))
    }

    /// Instantiates with the signer as the contract's wasm admin; returns the contract address.
    pub async fn instantiate(
        &self,
        s: &Signer,
        code_id: u64,
        label: &str,
        msg: &serde_json::Value,
    ) -> Result<(String, TxOutcome), TxError> {
        let out = self
            .send_tx(
                &s.key,
                vec![wasm::instantiate(&s.address, code_id, label, msg)?],
                FeeMode::Simulate,
                None,
            )
            .await?;
        let addr = out
            .attribute("instantiate", "_contract_address")
            .context("instantiate event without address")?;
        Ok((addr.to_string(), out))
    }

    /// Makes `new_admin` the contract's wasm admin (the one allowed to migrate it); the signer must be the admin.
    pub async fn update_admin(&self, s: &Signer, contract: &str, new_admin: &str) -> Result<TxOutcome, TxError> {
        let any = wasm::update_admin(&s.address, contract, new_admin)?;
        self.send_tx(&s.key, vec![any], FeeMode::Simulate, None).await
    }

    /// Executes a contract message, attaching `funds` base units of the chain's denom when non-zero.
    pub async fn execute(
        &self,
        s: &Signer,
        contract: &str,
        msg: &serde_json::Value,
        funds: u128,
    ) -> Result<TxOutcome, TxError> {
        let coins = if funds > 0 { vec![self.coin(funds)] } else { vec![] };
        let any = wasm::execute_with_funds(&s.address, contract, msg, coins)?;
        self.send_tx(&s.key, vec![any], FeeMode::Simulate, None).await
    }
}

/// Wasm message builders.
pub mod wasm {
    use super::*;

    pub fn store_code(sender: &AccountId, wasm: Vec<u8>) -> Result<Any> {
        cosmrs::cosmwasm::MsgStoreCode {
            sender: sender.clone(),
            wasm_byte_code: wasm,
            instantiate_permission: None,
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }

    pub fn instantiate(sender: &AccountId, code_id: u64, label: &str, msg: &serde_json::Value) -> Result<Any> {
        cosmrs::cosmwasm::MsgInstantiateContract {
            sender: sender.clone(),
            admin: Some(sender.clone()),
            code_id,
            label: Some(label.to_string()),
            msg: serde_json::to_vec(msg)?,
            funds: vec![],
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }

    pub fn update_admin(sender: &AccountId, contract: &str, new_admin: &str) -> Result<Any> {
        cosmrs::cosmwasm::MsgUpdateAdmin {
            sender: sender.clone(),
            new_admin: new_admin.parse().map_err(|e| anyhow!("{e}"))?,
            contract: contract.parse().map_err(|e| anyhow!("{e}"))?,
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }

    pub fn execute(sender: &AccountId, contract: &str, msg: &serde_json::Value) -> Result<Any> {
        execute_with_funds(sender, contract, msg, vec![])
    }

    pub fn execute_with_funds(
        sender: &AccountId,
        contract: &str,
        msg: &serde_json::Value,
        funds: Vec<Coin>,
    ) -> Result<Any> {
        cosmrs::cosmwasm::MsgExecuteContract {
            sender: sender.clone(),
            contract: contract.parse().map_err(|e| anyhow!("{e}"))?,
            msg: serde_json::to_vec(msg)?,
            funds,
        }
        .to_any()
        .map_err(|e| anyhow!("{e}"))
    }
}
