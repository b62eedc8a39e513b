use device_registry::msg::{DeviceStatus, ExecuteMsg};
use device_registry::ContractError;

use crate::suite::{attr, DeviceKey, Suite};

#[test]
fn set_status_from_a_non_slasher_is_refused() {
    let mut s = Suite::with_slashers(&["staking"]);
    let owner = s.addr("owner");
    let id = s.activated_device(&DeviceKey::ed25519(1), "C1", &owner);

    for who in [owner.clone(), s.maker.clone(), s.addr("stranger")] {
        let err = s.set_status(&who, id, DeviceStatus::Suspended).unwrap_err();
        assert_eq!(
            err,
            ContractError::NotSlasher {
                sender: who.to_string()
            }
        );
    }
    assert_eq!(s.device(id).status, DeviceStatus::Active);
}

#[test]
fn slasher_and_admin_walk_the_allowed_transitions() {
    let mut s = Suite::with_slashers(&["staking"]);
    let staking = s.addr("staking");
    let admin = s.admin.clone();
    let owner = s.addr("owner");
    let id = s.activated_device(&DeviceKey::secp256k1(1), "C1", &owner);

    let res = s
        .exec(
            &staking,
            &ExecuteMsg::SetStatus {
                device_id: id,
                status: DeviceStatus::Suspended,
                reason: "equivocation evidence #12".to_string(),
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "action").as_deref(), Some("set_status"));
    assert_eq!(attr(&res, "from_status").as_deref(), Some("active"));
    assert_eq!(attr(&res, "status").as_deref(), Some("suspended"));
    assert_eq!(attr(&res, "reason").as_deref(), Some("equivocation evidence #12"));
    assert_eq!(attr(&res, "authority").as_deref(), Some("slasher"));
    assert_eq!(attr(&res, "owner"), Some(owner.to_string()));
    assert_eq!(s.device(id).status, DeviceStatus::Suspended);
    let c = s.counts();
    assert_eq!((c.active, c.suspended), (0, 1));

    let res = s.set_status(&admin, id, DeviceStatus::Active).unwrap();
    assert_eq!(attr(&res, "authority").as_deref(), Some("admin"));
    assert_eq!(s.device(id).status, DeviceStatus::Active);

    s.set_status(&staking, id, DeviceStatus::Banned).unwrap();
    let d = s.device(id);
    assert_eq!(d.status, DeviceStatus::Banned);
    // Banning keeps ownership and the activation record.
    assert_eq!(d.owner, Some(owner));
    assert!(d.activated_at.is_some());
    let c = s.counts();
    assert_eq!((c.registered, c.active, c.suspended, c.banned), (0, 0, 0, 1));
}

#[test]
fn banned_is_final() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let owner = s.addr("owner");
    let id = s.activated_device(&DeviceKey::ed25519(1), "C1", &owner);
    s.set_status(&admin, id, DeviceStatus::Banned).unwrap();
    for to in [DeviceStatus::Active, DeviceStatus::Suspended, DeviceStatus::Registered] {
        let err = s.set_status(&admin, id, to).unwrap_err();
        assert_eq!(err, ContractError::DeviceBanned { device_id: id }, "banned -> {to}");
    }
    let err = s.set_status(&admin, id, DeviceStatus::Banned).unwrap_err();
    assert_eq!(
        err,
        ContractError::StatusUnchanged {
            device_id: id,
            status: DeviceStatus::Banned
        }
    );
    assert_eq!(s.counts().banned, 1);
}

#[test]
fn never_activated_devices_can_only_be_banned() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let id = s.register_one(&DeviceKey::ed25519(1), "C1");

    for to in [DeviceStatus::Active, DeviceStatus::Suspended] {
        let err = s.set_status(&admin, id, to).unwrap_err();
        assert_eq!(err, ContractError::NotActivated { device_id: id });
    }
    let err = s.set_status(&admin, id, DeviceStatus::Registered).unwrap_err();
    assert!(matches!(err, ContractError::StatusUnchanged { .. }));
    assert_eq!(s.device(id).status, DeviceStatus::Registered);
    assert_eq!(s.counts().registered, 1);

    s.set_status(&admin, id, DeviceStatus::Banned).unwrap();
    let c = s.counts();
    assert_eq!((c.registered, c.banned), (0, 1));
}

#[test]
fn cannot_go_back_to_registered() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let owner = s.addr("owner");
    let id = s.activated_device(&DeviceKey::ed25519(1), "C1", &owner);
    let err = s.set_status(&admin, id, DeviceStatus::Registered).unwrap_err();
    assert_eq!(
        err,
        ContractError::InvalidStatusTransition {
            device_id: id,
            from: DeviceStatus::Active,
            to: DeviceStatus::Registered
        }
    );
    let err = s.set_status(&admin, id, DeviceStatus::Active).unwrap_err();
    assert!(matches!(err, ContractError::StatusUnchanged { .. }));
}

#[test]
fn set_status_validates_reason_and_device() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let owner = s.addr("owner");
    let id = s.activated_device(&DeviceKey::ed25519(1), "C1", &owner);
    for reason in [String::new(), "r".repeat(257)] {
        let err = s
            .exec(
                &admin,
                &ExecuteMsg::SetStatus {
                    device_id: id,
                    status: DeviceStatus::Suspended,
                    reason,
                },
            )
            .unwrap_err();
        assert_eq!(err, ContractError::InvalidReason { max: 256 });
    }
    let err = s.set_status(&admin, 99, DeviceStatus::Banned).unwrap_err();
    assert_eq!(err, ContractError::UnknownDevice { device_id: 99 });
    assert_eq!(s.device(id).status, DeviceStatus::Active);
}

#[test]
fn slashers_are_managed_by_the_admin() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let staking = s.addr("staking");
    let owner = s.addr("owner");
    let id = s.activated_device(&DeviceKey::ed25519(1), "C1", &owner);

    // Only the admin may add slashers.
    let err = s
        .exec(
            &staking,
            &ExecuteMsg::AddSlasher {
                slasher: staking.to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(err, ContractError::Ownership(cw_ownable::OwnershipError::NotOwner));

    s.exec(
        &admin,
        &ExecuteMsg::AddSlasher {
            slasher: staking.to_string(),
        },
    )
    .unwrap();
    assert_eq!(s.config().slashers, vec![staking.clone()]);
    let err = s
        .exec(
            &admin,
            &ExecuteMsg::AddSlasher {
                slasher: staking.to_string(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::SlasherAlreadyExists { .. }));

    s.set_status(&staking, id, DeviceStatus::Suspended).unwrap();

    s.exec(
        &admin,
        &ExecuteMsg::RemoveSlasher {
            slasher: staking.to_string(),
        },
    )
    .unwrap();
    let err = s.set_status(&staking, id, DeviceStatus::Active).unwrap_err();
    assert!(matches!(err, ContractError::NotSlasher { .. }));
    let err = s
        .exec(
            &admin,
            &ExecuteMsg::RemoveSlasher {
                slasher: staking.to_string(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::SlasherNotFound { .. }));

    // Bounded list.
    for i in 0..10 {
        s.exec(
            &admin,
            &ExecuteMsg::AddSlasher {
                slasher: s.addr(&format!("slasher{i}")).to_string(),
            },
        )
        .unwrap();
    }
    let err = s
        .exec(
            &admin,
            &ExecuteMsg::AddSlasher {
                slasher: s.addr("one-too-many").to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(err, ContractError::TooManySlashers { max: 10 });
}

#[test]
fn status_counts_track_every_change() {
    let mut s = Suite::with_slashers(&["staking"]);
    let staking = s.addr("staking");
    let owner = s.addr("owner");
    let a = s.activated_device(&DeviceKey::ed25519(1), "A", &owner);
    let b = s.activated_device(&DeviceKey::ed25519(2), "B", &owner);
    let _c = s.register_one(&DeviceKey::ed25519(3), "C");
    let d = s.register_one(&DeviceKey::secp256k1(4), "D");
    s.set_status(&staking, a, DeviceStatus::Suspended).unwrap();
    s.set_status(&staking, b, DeviceStatus::Banned).unwrap();
    s.set_status(&staking, d, DeviceStatus::Banned).unwrap();
    let c = s.counts();
    assert_eq!((c.registered, c.active, c.suspended, c.banned), (1, 0, 1, 2));
    assert_eq!(c.total(), 4);
}
