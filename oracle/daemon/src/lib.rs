//! Edgemint oracle daemon: verifies, stores and aggregates device-signed telemetry, computes each epoch's rewards
//! root with `rewards-core`, serves it over HTTP and reports it to the oracle hub. See README.md.

pub mod app;
pub mod autoclaim;
pub mod chain;
pub mod cli;
pub mod clock;
pub mod config;
pub mod directory;
pub mod epoch;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod outliers;
pub mod ratelimit;
pub mod report;
pub mod store;
pub mod timing;
pub mod verify;
pub mod watch;
