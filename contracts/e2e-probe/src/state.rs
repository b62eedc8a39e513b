use cosmwasm_schema::cw_serde;
use cosmwasm_std::Addr;
use cw_storage_plus::Item;

#[cw_serde]
pub struct Counter {
    pub count: u64,
    /// Sender of the most recent successful `Increment` (None until the first one;
    /// cleared again by `Reset`).
    pub last_incremented_by: Option<Addr>,
}

pub const COUNTER: Item<Counter> = Item::new("counter");
pub const OWNER: Item<Addr> = Item::new("owner");
