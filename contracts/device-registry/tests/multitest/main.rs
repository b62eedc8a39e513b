//! cw-multi-test tests of the device registry: every execute path, including the attacks the design must stop.
//! One test binary (modules below) to keep link time down.

mod activation;
mod admin;
mod nft;
mod registration;
mod security;
mod status;
mod suite;
