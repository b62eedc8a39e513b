//! `edgemint-oracle`: the Edgemint oracle daemon and its operator commands (see `edgemint_oracle::cli`).

use clap::Parser;

fn main() {
    // Chain client errors (tendermint-rpc's eyre tracer) would otherwise carry a full backtrace into every log line
    // when RUST_BACKTRACE is set; panics keep following RUST_BACKTRACE.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    let cli = edgemint_oracle::cli::Cli::parse();
    if let Err(e) = edgemint_oracle::cli::run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
