//! relayer-ext: the Edgemint relayer, an abscissa_core application that embeds Hermes' `ibc-relayer` library
//! (0.29.5, the library of Hermes 1.10.5). Hermes does the relaying (light-client updates, packet proofs, acks,
//! timeouts, clearing); this crate writes its configuration from chain-config, manages keys and saved paths, runs
//! Hermes' supervisor over every saved path in one process, and adds what operators miss: backlog, client-expiry and
//! balance metrics, client refresh before the trusting period ends, a clear out-of-fees error and a status view.

pub mod application;
pub mod chains;
pub mod commands;
pub mod denom;
pub mod hermes_config;
pub mod home;
pub mod locks;
pub mod metrics;
pub mod monitor;
pub mod paths;
