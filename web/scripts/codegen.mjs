#!/usr/bin/env node
// Regenerates the contracts' TypeScript clients from their JSON schemas:
//   1. `cargo run -p <crate> --bin schema` for every contract crate with src/bin/schema.rs (cosmwasm-schema's
//      write_api), in a temp dir, copied to web/schemas/<crate>/<crate>.json;
//   2. @cosmwasm/ts-codegen (types + CosmJS clients + message composers) into web/src/contracts/.
// --check regenerates into a temp dir and fails if anything committed differs (a stale client or schema).
// --extra <crate dir> adds a contract from another checkout (e.g. a branch not merged yet); its source is recorded
// in web/schemas/SOURCES.json.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import tsCodegen from "@cosmwasm/ts-codegen";

// The package is CommonJS: its ESM default export is the module object.
const codegen = typeof tsCodegen === "function" ? tsCodegen : tsCodegen.default;

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, "..");
const repoRoot = path.resolve(webDir, "..");
// Test-only contracts get no client.
const SKIP = new Set(["e2e-probe"]);

const args = process.argv.slice(2);
const check = args.includes("--check");
const extras = [];
for (let i = 0; i < args.length; i++) if (args[i] === "--extra") extras.push(path.resolve(args[++i]));

function crateName(dir) {
  const toml = fs.readFileSync(path.join(dir, "Cargo.toml"), "utf8");
  const m = toml.match(/^\s*name\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error(`${dir}/Cargo.toml has no package name`);
  return m[1];
}

function workspaceRoot(dir) {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    const toml = path.join(d, "Cargo.toml");
    if (fs.existsSync(toml) && /^\[workspace\]/m.test(fs.readFileSync(toml, "utf8"))) return d;
  }
  throw new Error(`no cargo workspace above ${dir}`);
}

function git(dir, ...a) {
  try {
    return execFileSync("git", ["-C", dir, ...a], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

const sha256 = (file) => (fs.existsSync(file) ? createHash("sha256").update(fs.readFileSync(file)).digest("hex") : null);

const pascal = (s) => s.split(/[-_]/).map((w) => w[0].toUpperCase() + w.slice(1)).join("");

function crates() {
  const dirs = fs
    .readdirSync(path.join(repoRoot, "contracts"))
    .map((d) => path.join(repoRoot, "contracts", d))
    .filter((d) => fs.existsSync(path.join(d, "src/bin/schema.rs")));
  const found = dirs.map((dir) => ({ dir, name: crateName(dir), extra: false }));
  for (const dir of extras) {
    const name = crateName(dir);
    if (!found.some((c) => c.name === name)) found.push({ dir, name, extra: true });
  }
  return found.filter((c) => !SKIP.has(c.name)).sort((a, b) => a.name.localeCompare(b.name));
}

// Runs the crate's schema binary; returns the IDL (the single <crate>.json write_api writes) as pretty text.
function schemaOf(c) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "edgemint-schema-"));
  try {
    const ws = workspaceRoot(c.dir);
    execFileSync(
      "cargo",
      ["run", "-q", "--locked", "--manifest-path", path.join(ws, "Cargo.toml"), "-p", c.name, "--bin", "schema"],
      { cwd: tmp, stdio: ["ignore", "ignore", "inherit"] },
    );
    const file = path.join(tmp, "schema", `${c.name}.json`);
    return JSON.stringify(JSON.parse(fs.readFileSync(file, "utf8")), null, 2) + "\n";
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function generate(outWeb, list) {
  const schemasDir = path.join(outWeb, "schemas");
  const clientsDir = path.join(outWeb, "src/contracts");
  fs.rmSync(clientsDir, { recursive: true, force: true });
  fs.mkdirSync(schemasDir, { recursive: true });
  const sources = {};
  for (const c of list) {
    const text = schemaOf(c);
    const dir = path.join(schemasDir, c.name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${c.name}.json`), text);
    const idl = JSON.parse(text);
    const ws = workspaceRoot(c.dir);
    sources[c.name] = {
      contract_version: idl.contract_version,
      source: c.extra ? c.dir : path.relative(repoRoot, c.dir),
      // Recorded for contracts from another checkout only: this repo's own commit is the one being built.
      ...(c.extra ? { branch: git(ws, "rev-parse", "--abbrev-ref", "HEAD"), commit: git(ws, "rev-parse", "HEAD"), dirty: !!git(ws, "status", "--porcelain", "--", c.dir), msg_rs_sha256: sha256(path.join(c.dir, "src/msg.rs")), generated_at: new Date().toISOString() } : {}),
    };
  }
  // Keep schemas of contracts this run did not see (e.g. from an --extra checkout) and their recorded source.
  const previous = path.join(schemasDir, "SOURCES.json");
  const kept = fs.existsSync(previous) ? JSON.parse(fs.readFileSync(previous, "utf8")) : {};
  for (const [name, src] of Object.entries(kept)) if (!sources[name] && fs.existsSync(path.join(schemasDir, name))) sources[name] = src;
  const all = Object.keys(sources).sort();
  fs.writeFileSync(previous, JSON.stringify(Object.fromEntries(all.map((n) => [n, sources[n]])), null, 2) + "\n");
  await codegen({
    contracts: all.map((name) => ({ name: pascal(name), dir: path.join(schemasDir, name) })),
    outPath: clientsDir,
    options: {
      bundle: { enabled: true, bundleFile: "index.ts", scope: "contracts" },
      types: { enabled: true, aliasExecuteMsg: true },
      client: { enabled: true },
      messageComposer: { enabled: true },
      reactQuery: { enabled: false },
      recoil: { enabled: false },
      messageBuilder: { enabled: false },
      useContractsHook: { enabled: false },
    },
  });
  fixUnderscoreNames(clientsDir);
  return all;
}

// ts-codegen 1.12 names generic response types with an underscore in *.types.ts (json-schema-to-typescript:
// `NftInfoResponseForNullable_Empty`) but without it where the client uses them (`NftInfoResponseForNullableEmpty`).
// Point those uses at the exported name; nothing else is touched.
function fixUnderscoreNames(dir) {
  const exported = new Set();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".types.ts")))
    for (const m of fs.readFileSync(path.join(dir, f), "utf8").matchAll(/^export (?:interface|type) (\w+)/gm)) exported.add(m[1]);
  const renames = [...exported].filter((n) => n.includes("_")).map((n) => [n.replace(/_/g, ""), n]).filter(([plain]) => !exported.has(plain));
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".types.ts"))) {
    const file = path.join(dir, f);
    let text = fs.readFileSync(file, "utf8");
    for (const [plain, real] of renames) text = text.replace(new RegExp(`\\b${plain}\\b`, "g"), real);
    fs.writeFileSync(file, text);
  }
}

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

const list = crates();
if (!check) {
  const names = await generate(webDir, list);
  console.log(`generated clients for ${names.join(", ")} in web/src/contracts`);
} else {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "edgemint-codegen-"));
  try {
    // Start from the committed schemas so contracts from other checkouts are kept as they are.
    fs.cpSync(path.join(webDir, "schemas"), path.join(tmp, "schemas"), { recursive: true });
    await generate(tmp, list);
    const stale = [];
    for (const sub of ["schemas", "src/contracts"]) {
      const a = listFiles(path.join(webDir, sub));
      const b = listFiles(path.join(tmp, sub));
      for (const f of new Set([...a, ...b])) {
        // Provenance only (it changes when a contract moves into this repo): the schemas and clients are what count.
        if (sub === "schemas" && f === "SOURCES.json") continue;
        const x = path.join(webDir, sub, f);
        const y = path.join(tmp, sub, f);
        if (!fs.existsSync(x) || !fs.existsSync(y) || fs.readFileSync(x, "utf8") !== fs.readFileSync(y, "utf8")) stale.push(`${sub}/${f}`);
      }
    }
    if (stale.length) {
      console.error(`contract clients are stale (run \`make web-clients\`):\n  ${stale.join("\n  ")}`);
      process.exit(1);
    }
    const seen = new Set(list.map((c) => c.name));
    const kept = fs.readdirSync(path.join(webDir, "schemas")).filter((d) => !d.endsWith(".json") && !seen.has(d));
    console.log(`contract clients up to date (${[...seen].join(", ")})${kept.length ? `; kept from web/schemas, no source in this checkout: ${kept.join(", ")}` : ""}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
