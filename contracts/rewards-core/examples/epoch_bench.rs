//! Times `compute_epoch` (points, split, leaves, full tree) for N synthetic devices and reports peak memory.
//!
//! cargo run --release -p rewards-core --example epoch_bench -- 10000 100000 1000000
//!
//! Each size runs in a child process of its own, so the peak RSS (VmHWM from /proc/self/status) of one size is not
//! inflated by an earlier, larger one. "input" is the RSS with the synthetic telemetry built, before the call; "peak"
//! is the high-water mark after it (input + the result, which keeps leaves and the tree for serving proofs).

use std::collections::BTreeMap;
use std::error::Error;
use std::process::Command;
use std::time::Instant;

use rewards_core::{compute_epoch, verify, DeviceTelemetry, Multiplier, Weights};

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// A 42-character lowercase bech32-looking address (hrp "emc", 38 data characters), like a real emc1 account.
fn owner(i: u64) -> String {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let mut s = String::from("emc1");
    let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5555;
    for k in 0..38 {
        if k % 12 == 0 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
        }
        s.push(char::from(CHARSET[(x >> (5 * (k % 12))) as usize & 31]));
    }
    s
}

fn run(n: u64) -> Result<(), Box<dyn Error>> {
    let mut rng = Rng(0x1234_5678_9abc_def1 ^ n);
    let owners: Vec<String> = (0..(n / 4).max(1)).map(owner).collect();
    let mut multipliers = BTreeMap::new();
    for (k, o) in owners.iter().enumerate() {
        if k % 2 == 0 {
            // 1.0 ..= 10.0 with 18 decimals, like the staking contract's Decimal ratios
            let atomics = Multiplier::SCALE + u128::from(rng.next()) % (9 * Multiplier::SCALE);
            multipliers.insert(o.clone(), Multiplier::from_atomics(atomics));
        }
    }
    let epoch_secs = 7 * 86_400;
    // device ids: unique, in scrambled order (odd multiplier = bijection on u64), so compute_epoch has to sort
    let telemetry: Vec<DeviceTelemetry> = (0..n)
        .map(|i| DeviceTelemetry {
            device_id: (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            owner: owners[(rng.next() % owners.len() as u64) as usize].clone(),
            uptime_secs: rng.next() % (epoch_secs + 1),
            tasks_completed: rng.next() % 5_000,
            interactions: rng.next() % 100_000,
        })
        .collect();
    drop(owners);
    let weights = Weights {
        uptime_per_hour: 100,
        per_task: 25,
        per_interaction: 1,
        min_uptime_secs: 3_600,
    };
    let budget: u128 = 100_000_000_000_000_000; // 10^17 uemc

    // Reset the peak-RSS counter so VmHWM measures from here (Linux: "5" > clear_refs).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let input_kib = status_kib("VmRSS:").unwrap_or(0);

    let t0 = Instant::now();
    let r = compute_epoch(42, budget, &telemetry, &weights, &multipliers)?;
    let compute = t0.elapsed();
    let peak_kib = status_kib("VmHWM:").unwrap_or(0);

    let t1 = Instant::now();
    let mut ok = 0u64;
    for l in r.leaves.iter().step_by((r.leaves.len() / 1000).max(1)) {
        let proof = r.tree.proof_for_device(l.device_id).ok_or("missing proof")?;
        ok += u64::from(verify(&r.root, l, &proof));
    }
    let verify_time = t1.elapsed();
    let sampled = r.leaves.iter().step_by((r.leaves.len() / 1000).max(1)).count() as u64;
    if ok != sampled {
        return Err("a proof failed to verify".into());
    }

    println!(
        "n={n:>8}  leaves={:>8}  depth={:>2}  compute_epoch={:>8.3} s  input_rss={:>7.1} MiB  peak_rss={:>7.1} MiB{}  \
         (+{:.1} MiB)  proofs+verify: {} in {:.1} ms  distributed={} remainder={} root={}",
        r.device_count,
        r.tree.depth(),
        compute.as_secs_f64(),
        input_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0,
        if reset { "" } else { " (HWM not reset)" },
        peak_kib.saturating_sub(input_kib) as f64 / 1024.0,
        sampled,
        verify_time.as_secs_f64() * 1e3,
        r.total_distributed,
        r.remainder,
        rewards_core::to_hex(&r.root),
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, n] = args.as_slice() {
        if flag == "--single" {
            return run(n.parse()?);
        }
    }
    let sizes: Vec<u64> = if args.is_empty() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        args.iter().map(|a| a.parse()).collect::<Result<_, _>>()?
    };
    let exe = std::env::current_exe()?;
    for n in sizes {
        let status = Command::new(&exe).arg("--single").arg(n.to_string()).status()?;
        if !status.success() {
            return Err(format!("size {n} failed: {status}").into());
        }
    }
    Ok(())
}
