//! Starting and stopping node processes by pid. Nothing is ever killed by name: a pid is signalled only while its
//! command line still names the node home we started it with, so a recycled pid is left alone.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// How a started node relates to the process that started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Outlives the starter (`make localnet`): own session, stopped later by `localnet stop`.
    Detached,
    /// Dies with the starting thread (tests): the kernel kills it if the harness dies without cleaning up.
    /// Spawn from a thread that lives as long as the node should (PR_SET_PDEATHSIG follows the thread).
    Attached,
}

/// Spawns `cmd` with stdout/stderr appended to `log`.
pub fn spawn(mut cmd: Command, log: &Path, lifetime: Lifetime) -> Result<Child> {
    use std::os::unix::process::CommandExt;
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("opening {}", log.display()))?;
    cmd.stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out);
    // SAFETY: only async-signal-safe libc calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            match lifetime {
                Lifetime::Detached => {
                    libc::setsid();
                }
                Lifetime::Attached => {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                }
            }
            Ok(())
        });
    }
    cmd.spawn().with_context(|| format!("starting {:?}", cmd.get_program()))
}

/// True while `pid` is alive and its command line contains `marker` (the node home).
pub fn is_ours(pid: u32, marker: &str) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
        .unwrap_or(false);
    alive && String::from_utf8_lossy(&cmdline).contains(marker)
}

/// SIGTERM, then SIGKILL after `grace`. Returns once the process is gone (or was not ours).
pub fn stop(pid: u32, marker: &str, grace: Duration) {
    if !is_ours(pid, marker) {
        return;
    }
    let Ok(raw) = i32::try_from(pid) else { return };
    // SAFETY: plain kill(2) on a pid we verified is our node.
    unsafe { libc::kill(raw, libc::SIGTERM) };
    let deadline = Instant::now() + grace;
    while is_ours(pid, marker) && Instant::now() < deadline {
        reap(raw);
        std::thread::sleep(Duration::from_millis(100));
    }
    if is_ours(pid, marker) {
        // SAFETY: as above.
        unsafe { libc::kill(raw, libc::SIGKILL) };
        while is_ours(pid, marker) {
            reap(raw);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    reap(raw);
}

/// Collects the exit status if the process is our child (so it does not linger as a zombie).
fn reap(pid: i32) {
    let mut status = 0;
    // SAFETY: non-blocking waitpid; harmless when `pid` is not our child.
    unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
}

/// Reserves `n` distinct free loopback ports (all bound at once, then released for the node to take).
pub fn free_ports(n: usize) -> Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()
        .context("reserving loopback ports")?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr()?.port()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(Into::into)
}

/// Runs a short command to completion; on failure the error carries its stderr.
pub fn run(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("running {:?}", cmd.get_program()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        anyhow::bail!(
            "{:?} {:?} failed ({}): {}{}",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>(),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            stdout
        );
    }
    // Cosmos CLIs print some JSON to stderr; callers that need it read both.
    Ok(stdout + &String::from_utf8_lossy(&out.stderr))
}
