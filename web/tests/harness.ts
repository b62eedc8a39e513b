// What the browser tests run against, all real: the web fixture (a localnet of real edgemintd nodes with the
// contracts deployed, devices, stake, locks, a DAO with open proposals and an epoch made final by a real oracle
// daemon; see e2e/src/bin/edgemint-web-fixture.rs), the built dApp served by `vite preview` on a free loopback port,
// and Debian's headless Chromium driven by playwright-core. Everything started here is stopped by pid.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const resultsDir = path.join(webDir, "test-results");

export interface Fixture {
  chain_id: string;
  rpc: string;
  rest: string;
  chain_info: Record<string, unknown> & { chainId: string; rpc: string; rest: string; bech32Config: { bech32PrefixAccAddr: string } };
  contracts: { registry: string; staking: string; hub: string; rewards: string; dao: string | null };
  oracle_url: string;
  user: { address: string; mnemonic: string };
  other: { address: string };
  devices: { mining: number[]; idle: number };
  final_epoch: number;
  dao_proposal: number | null;
  setup_secs: number;
}

export function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Sends SIGTERM to the pid, SIGKILL after `graceMs`; resolves when it exited. */
export async function stopPid(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface Running<T> {
  value: T;
  stop: () => Promise<void>;
}

/** Starts the fixture binary (EDGEMINT_WEB_FIXTURE) and waits for its JSON. */
export async function startFixture(tmp: string, timeoutMs = 8 * 60_000): Promise<Running<Fixture>> {
  const bin = process.env.EDGEMINT_WEB_FIXTURE;
  if (!bin || !fs.existsSync(bin))
    throw new Error(`EDGEMINT_WEB_FIXTURE must name the fixture binary: build it with \`cargo build -p e2e --bin edgemint-web-fixture\` (or run scripts/test-web.sh)`);
  const out = path.join(tmp, "fixture.json");
  const logFile = path.join(tmp, "fixture.log");
  const logFd = fs.openSync(logFile, "w");
  // stdin stays a pipe: if this process dies, the fixture sees EOF and stops its nodes.
  const child = spawn(bin, ["--out", out], { stdio: ["pipe", logFd, logFd] });
  fs.closeSync(logFd);
  const started = Date.now();
  log(`fixture pid ${child.pid}, log ${logFile}`);
  while (!fs.existsSync(out)) {
    if (child.exitCode !== null) throw new Error(`web fixture exited with ${child.exitCode}:\n${tail(logFile)}`);
    if (Date.now() - started > timeoutMs) {
      await stopPid(child);
      throw new Error(`web fixture not ready after ${timeoutMs / 1000} s:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const value = JSON.parse(fs.readFileSync(out, "utf8")) as Fixture;
  log(`fixture ready after ${((Date.now() - started) / 1000).toFixed(0)} s (final epoch ${value.final_epoch}, DAO ${value.contracts.dao ?? "none"})`);
  return { value, stop: () => stopPid(child) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `vite preview` of the built dApp, configured for the fixture (config file + oracle proxy). */
export async function startServer(tmp: string, fx: Fixture): Promise<Running<string>> {
  const configPath = path.join(tmp, "edgemint-config.json");
  fs.writeFileSync(configPath, JSON.stringify({ chainInfo: fx.chain_info, contracts: fx.contracts, oracleUrl: "/oracle" }, null, 2));
  const vite = path.join(webDir, "node_modules/vite/bin/vite.js");
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const logFile = path.join(tmp, `preview-${port}.log`);
    const logFd = fs.openSync(logFile, "w");
    const child = spawn(process.execPath, [vite, "preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
      cwd: webDir,
      env: { ...process.env, EDGEMINT_WEB_CONFIG: configPath, EDGEMINT_ORACLE_URL: fx.oracle_url },
      stdio: ["ignore", logFd, logFd],
    });
    fs.closeSync(logFd);
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      const ok = await fetch(`${url}/edgemint-config.json`).then((r) => r.ok, () => false);
      if (ok) {
        log(`dApp served at ${url} (pid ${child.pid})`);
        return { value: url, stop: () => stopPid(child, 5_000) };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await stopPid(child, 2_000);
    log(`vite preview on ${port} failed:\n${tail(logFile, 10)}`);
  }
  throw new Error("could not start vite preview");
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test-web.sh does it)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, // Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"], });
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "edgemint-web-test-"));
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  return path.join(resultsDir, `${name}.png`);
}
