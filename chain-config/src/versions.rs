//! The pinned versions from `versions.env` (the file the install scripts source), compiled in.

const VERSIONS_ENV: &str = include_str!("../versions.env");

/// Looks up `KEY=value` in versions.env.
pub fn get(key: &str) -> Option<&'static str> {
    VERSIONS_ENV.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// The version `edgemintd version` reports, e.g. `0.1.0+wasmd.v0.54.9`.
pub fn edgemintd_version() -> String {
    format!(
        "{}+wasmd.{}",
        get("EDGEMINT_VERSION").unwrap_or("?"),
        get("WASMD_VERSION").unwrap_or("?")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_are_pinned() {
        for key in [
            "WASMD_VERSION",
            "COSMOS_SDK_VERSION",
            "IBC_GO_VERSION",
            "COMETBFT_VERSION",
            "WASMVM_VERSION",
        ] {
            assert!(super::get(key).is_some_and(|v| v.starts_with('v')), "{key}");
        }
        assert!(super::get("NOPE").is_none());
    }
}
