//! The version check every Edgemint contract's `migrate` entry point starts with.
//!
//! [`ensure_upgrade`] reads the cw2 record, refuses code built for a different contract and refuses a downgrade
//! (versions are `MAJOR.MINOR.PATCH` and compare numerically, so "0.10.0" is newer than "0.9.0"), then records the
//! new version. Re-migrating to the same version is allowed. A contract's `migrate` is then:
//!
//! ```text
//! pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
//!     // state migrations, if any, go here (the stored version is in the response's `from_version`)
//!     Ok(ensure_upgrade(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?)
//! }
//! ```
//!
//! with `ContractError` holding `#[error(transparent)] Migrate(#[from] MigrateError)`.

use cosmwasm_std::{Response, StdError, Storage};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum MigrateError {
    /// Reading or writing the cw2 record failed (e.g. the contract has none).
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("cannot migrate: stored contract is {found}, expected {expected}")]
    WrongContract { expected: String, found: String },

    #[error("cannot migrate: stored version {stored} is newer than this code's version {new}")]
    Downgrade { stored: String, new: String },

    /// Either the stored version or the new code's version is not a plain `MAJOR.MINOR.PATCH`.
    #[error("invalid version string {version:?}: expected MAJOR.MINOR.PATCH")]
    InvalidVersion { version: String },
}

/// Checks that the cw2 record in `storage` names contract `name` at a version not newer than `version`, then sets
/// it to (`name`, `version`).
///
/// Returns a response with the attributes `action=migrate`, `from_version` (the stored version) and `to_version`;
/// the caller may add its own attributes and messages to it. On error nothing has been written.
pub fn ensure_upgrade(storage: &mut dyn Storage, name: &str, version: &str) -> Result<Response, MigrateError> {
    let stored = cw2::get_contract_version(storage)?;
    if stored.contract != name {
        return Err(MigrateError::WrongContract {
            expected: name.to_string(),
            found: stored.contract,
        });
    }
    if parse_version(&stored.version)? > parse_version(version)? {
        return Err(MigrateError::Downgrade {
            stored: stored.version,
            new: version.to_string(),
        });
    }
    cw2::set_contract_version(storage, name, version)?;

    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", stored.version)
        .add_attribute("to_version", version))
}

/// Parses a plain `MAJOR.MINOR.PATCH` version (no pre-release/build suffix) so that
/// versions compare numerically ("0.10.0" > "0.9.0"), not as strings.
fn parse_version(version: &str) -> Result<(u64, u64, u64), MigrateError> {
    let invalid = || MigrateError::InvalidVersion {
        version: version.to_string(),
    };
    let mut parts = version.split('.').map(|p| p.parse::<u64>().map_err(|_| invalid()));
    let major = parts.next().ok_or_else(invalid)??;
    let minor = parts.next().ok_or_else(invalid)??;
    let patch = parts.next().ok_or_else(invalid)??;
    if parts.next().is_some() {
        return Err(invalid());
    }
    Ok((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockStorage;

    use super::*;

    const NAME: &str = "crates.io:some-contract";
    /// Every contract takes its version from the workspace, as this crate does.
    const WORKSPACE_VERSION: &str = env!("CARGO_PKG_VERSION");

    fn storage_with(name: &str, version: &str) -> MockStorage {
        let mut storage = MockStorage::new();
        cw2::set_contract_version(&mut storage, name, version).unwrap();
        storage
    }

    fn attr(res: &Response, key: &str) -> Option<String> {
        res.attributes.iter().find(|a| a.key == key).map(|a| a.value.clone())
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(parse_version("0.10.0").unwrap() > parse_version("0.9.9").unwrap());
        assert!(parse_version("1.0.0").unwrap() > parse_version("0.99.99").unwrap());
        assert_eq!(parse_version("0.1.0").unwrap(), (0, 1, 0));
        // The contracts' own version must be parseable, or every migrate would fail.
        assert!(parse_version(WORKSPACE_VERSION).is_ok());
    }

    #[test]
    fn malformed_versions_are_rejected() {
        for v in ["", "1", "1.2", "1.2.3.4", "1.2.x", "1.2.3-rc.1", "v1.2.3"] {
            assert_eq!(
                parse_version(v),
                Err(MigrateError::InvalidVersion { version: v.to_string() }),
                "{v:?} should be rejected"
            );
        }
    }

    #[test]
    fn upgrade_records_new_version_and_reports_both() {
        let mut storage = storage_with(NAME, "0.9.0");
        let res = ensure_upgrade(&mut storage, NAME, "0.10.0").unwrap();
        assert_eq!(attr(&res, "action").as_deref(), Some("migrate"));
        assert_eq!(attr(&res, "from_version").as_deref(), Some("0.9.0"));
        assert_eq!(attr(&res, "to_version").as_deref(), Some("0.10.0"));
        let info = cw2::get_contract_version(&storage).unwrap();
        assert_eq!((info.contract.as_str(), info.version.as_str()), (NAME, "0.10.0"));
    }

    #[test]
    fn same_version_is_allowed() {
        let mut storage = storage_with(NAME, WORKSPACE_VERSION);
        ensure_upgrade(&mut storage, NAME, WORKSPACE_VERSION).unwrap();
    }

    #[test]
    fn wrong_contract_is_rejected_without_writing() {
        let mut storage = storage_with("crates.io:other", "0.0.1");
        assert_eq!(
            ensure_upgrade(&mut storage, NAME, "1.0.0"),
            Err(MigrateError::WrongContract {
                expected: NAME.to_string(),
                found: "crates.io:other".to_string()
            })
        );
        assert_eq!(cw2::get_contract_version(&storage).unwrap().contract, "crates.io:other");
    }

    #[test]
    fn downgrade_is_rejected_without_writing() {
        let mut storage = storage_with(NAME, "0.10.0");
        assert_eq!(
            ensure_upgrade(&mut storage, NAME, "0.9.0"),
            Err(MigrateError::Downgrade {
                stored: "0.10.0".to_string(),
                new: "0.9.0".to_string()
            })
        );
        assert_eq!(cw2::get_contract_version(&storage).unwrap().version, "0.10.0");
    }

    #[test]
    fn invalid_stored_or_new_version_is_rejected() {
        let mut storage = storage_with(NAME, "1.0");
        assert_eq!(
            ensure_upgrade(&mut storage, NAME, "1.0.0"),
            Err(MigrateError::InvalidVersion {
                version: "1.0".to_string()
            })
        );
        let mut storage = storage_with(NAME, "1.0.0");
        assert_eq!(
            ensure_upgrade(&mut storage, NAME, "1.0.1-rc.1"),
            Err(MigrateError::InvalidVersion {
                version: "1.0.1-rc.1".to_string()
            })
        );
    }

    #[test]
    fn missing_cw2_record_is_a_std_error() {
        let mut storage = MockStorage::new();
        assert!(matches!(
            ensure_upgrade(&mut storage, NAME, "1.0.0"),
            Err(MigrateError::Std(_))
        ));
    }
}
