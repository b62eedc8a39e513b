//! cw-multi-test tests of the rewards contract: every execute path, including the attacks it must stop. One test
//! binary (modules below) to keep link time down.

mod admin;
mod budget;
mod claims;
mod close;
mod ibc;
mod large_tree;
mod operators;
mod suite;
