//! `edgemint-relayer`: see the crate docs (relayer-ext/README.md).

fn main() {
    abscissa_core::boot(&relayer_ext::application::APP);
}
