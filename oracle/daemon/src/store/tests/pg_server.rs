//! A real PostgreSQL server for tests, from Debian's package: a fresh cluster (initdb) in a temp dir, listening on
//! 127.0.0.1 on a free port with its unix socket inside the temp dir, password (SCRAM) authentication. Run as the
//! `postgres` user when the tests run as root (PostgreSQL refuses root). Stopped by pid in `Drop` (also when a test
//! panics), and the temp dir removed.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub const INSTALL_HINT: &str = "install PostgreSQL: apt-get install -y postgresql";
const USER: &str = "edgemint";

/// The newest `<root>/<version>/bin` holding `initdb` and `postgres`, or the install hint.
pub fn find_bin_dir(root: &Path) -> Result<PathBuf, String> {
    let missing = || {
        format!(
            "{INSTALL_HINT} (no initdb and postgres under {}/<version>/bin)",
            root.display()
        )
    };
    let entries = std::fs::read_dir(root).map_err(|_| missing())?;
    let mut found: Vec<(u32, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("postgres").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(missing)
}

/// uid/gid of the `postgres` user when running as root (None otherwise: run as ourselves).
fn run_as() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions; getpwnam returns null or a pointer to static storage we read at once.
    unsafe {
        if libc::geteuid() != 0 {
            return None;
        }
        let pw = libc::getpwnam(c"postgres".as_ptr());
        assert!(
            !pw.is_null(),
            "tests run as root and there is no `postgres` user to run the server as; {INSTALL_HINT}"
        );
        Some(((*pw).pw_uid, (*pw).pw_gid))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

pub struct PgServer {
    // Stopped in Drop, before the directory (a later field) is removed.
    child: Option<Child>,
    bin: PathBuf,
    owner: Option<(u32, u32)>,
    pub port: u16,
    pub password: String,
    dir: tempfile::TempDir,
    next_db: AtomicU32,
}

impl PgServer {
    /// initdb + start; panics with the server's log if it does not come up.
    pub fn start() -> Self {
        let t0 = Instant::now();
        let bin = find_bin_dir(Path::new("/usr/lib/postgresql")).unwrap_or_else(|e| panic!("{e}"));
        let owner = run_as();
        let dir = tempfile::Builder::new()
            .prefix("edgemint-pg-")
            .tempdir()
            .expect("temp dir");
        let password = format!("pw-{}-{}", std::process::id(), crate::clock::unix_now());
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, &password).expect("write pwfile");
        let log_path = dir.path().join("postgres.log");
        File::create(&log_path).expect("create log");
        if let Some((uid, gid)) = owner {
            for p in [dir.path(), &pwfile, &log_path] {
                std::os::unix::fs::chown(p, Some(uid), Some(gid)).expect("chown to postgres");
            }
        }
        let command = |program: &str| {
            let mut c = Command::new(bin.join(program));
            if let Some((uid, gid)) = owner {
                use std::os::unix::process::CommandExt;
                c.uid(uid).gid(gid);
            }
            c.current_dir(dir.path()).env_remove("PGDATA");
            c
        };
        let data = dir.path().join("data");
        let out = command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                USER,
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        let mut server = PgServer {
            child: None,
            bin,
            owner,
            port: free_port(),
            password,
            dir,
            next_db: AtomicU32::new(0),
        };
        server.spawn();
        server.wait_ready();
        eprintln!("postgres on 127.0.0.1:{} ready in {:?}", server.port, t0.elapsed());
        server
    }

    /// Runs `postgres` on the data dir and port (stdout/stderr appended to `postgres.log`).
    fn spawn(&mut self) {
        let log = File::options()
            .append(true)
            .open(self.dir.path().join("postgres.log"))
            .expect("open log");
        let mut c = Command::new(self.bin.join("postgres"));
        if let Some((uid, gid)) = self.owner {
            use std::os::unix::process::CommandExt;
            c.uid(uid).gid(gid);
        }
        let child = c
            .current_dir(self.dir.path())
            .env_remove("PGDATA")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", self.dir.path().display()))
            .args(["-c", "max_connections=200"])
            // A throwaway cluster that is never crashed: skip fsync (the daemon's durability comes from commit
            // semantics, which stay as in production; the disk is shared with other builds).
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log fd"))
            .stderr(log)
            .spawn()
            .expect("spawn postgres");
        self.child = Some(child);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("postgres exited ({status}) while starting:\n{}", self.log());
            }
            if postgres::Client::connect(&self.url("postgres"), postgres::NoTls).is_ok() {
                return;
            }
            assert!(Instant::now() < deadline, "postgres not ready in 60 s:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://{USER}:{}@127.0.0.1:{}/{db}", self.password, self.port)
    }

    /// A fresh, empty database; its URL.
    pub fn new_database(&self) -> String {
        let name = format!("t{}", self.next_db.fetch_add(1, Ordering::SeqCst));
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).expect("admin connection");
        admin
            .batch_execute(&format!("CREATE DATABASE {name} STRATEGY FILE_COPY"))
            .expect("create database");
        self.url(&name)
    }

    /// Stops the server by pid (SIGTERM: smart shutdown, which waits for clients to leave; escalates if it lingers)
    /// and waits for it.
    pub fn stop(&mut self) {
        self.stop_with(libc::SIGTERM);
    }

    /// Stops the server with `first` (SIGINT: fast shutdown, disconnecting clients), then escalates.
    pub fn stop_with(&mut self, first: libc::c_int) {
        let Some(mut child) = self.child.take() else { return };
        let t0 = Instant::now();
        let pid = child.id() as libc::pid_t;
        let mut exited = matches!(child.try_wait(), Ok(Some(_)));
        for (signal, wait) in [
            (first, Duration::from_secs(10)),
            (libc::SIGINT, Duration::from_secs(10)),
            (libc::SIGQUIT, Duration::from_secs(5)),
        ] {
            if exited {
                break;
            }
            // SAFETY: signalling our own child by pid; it is not reaped yet (try_wait said running), so the pid is
            // still ours.
            unsafe { libc::kill(pid, signal) };
            let deadline = Instant::now() + wait;
            while !exited && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
                exited = matches!(child.try_wait(), Ok(Some(_)));
            }
        }
        if !exited {
            let _ = child.kill();
            let _ = child.wait();
        }
        eprintln!("postgres (pid {pid}) stopped in {:?}", t0.elapsed());
    }

    /// Stops the server and starts it again on the same data dir and port (a database restart).
    pub fn restart(&mut self) {
        self.stop_with(libc::SIGINT);
        self.spawn();
        self.wait_ready();
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One server shared by the tests running at the same time (each gets its own database); stopped when the last
/// of them drops it, started again by the next.
pub fn shared() -> Arc<PgServer> {
    static SHARED: Mutex<Weak<PgServer>> = Mutex::new(Weak::new());
    let mut slot = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = slot.upgrade() {
        return s;
    }
    let s = Arc::new(PgServer::start());
    *slot = Arc::downgrade(&s);
    s
}
