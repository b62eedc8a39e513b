//! The `edgemint-oracle` program, built as a bin of this package so that e2e tests can run the daemon as a separate
//! process (`CARGO_BIN_EXE_e2e-oracle`: cargo builds it, fresh, before the tests; another package's binary would not
//! be).

fn main() {
    edgemint_oracle::cli::main()
}
