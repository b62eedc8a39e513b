//! `edgemint-oracle`: the Edgemint oracle daemon and its operator commands (see `edgemint_oracle::cli`).

fn main() {
    edgemint_oracle::cli::main()
}
