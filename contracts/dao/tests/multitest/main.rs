//! cw-multi-test suites of the DAO against the real staking contract (and, in `admin`, every Edgemint contract).

mod admin;
mod deposits;
mod execution;
mod suite;
mod thresholds;
mod veto;
mod voting;
