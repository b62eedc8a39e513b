//! Input checks shared by several contracts (each maps a refusal to its own error).

/// A bank denom: 3..=128 characters, a letter first, then letters, digits and `/:._-`.
pub fn denom(denom: &str) -> bool {
    let mut chars = denom.chars();
    (3..=128).contains(&denom.len())
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denoms() {
        for ok in ["uemc", "ibc/ABC123", "factory/emc1x/sub", "a.b-c_d:e", &"u".repeat(128)] {
            assert!(denom(ok), "{ok}");
        }
        for bad in ["", "ue", "1uemc", "u emc", "uemc!", "/uemc", &"u".repeat(129), "uém"] {
            assert!(!denom(bad), "{bad}");
        }
    }
}
