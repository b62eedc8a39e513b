# Shared helpers for the wasm scripts (build-wasm.sh, test-wasm-gate.sh). Source after env.sh.
# shellcheck shell=bash

# Capabilities of our node (wasmd v0.54.9: x/wasm/keeper/capabilities.go BuiltInCapabilities), so that
# cosmwasm-check accepts exactly what MsgStoreCode on edgemintd accepts. Override via the environment
# (or define it in chain-config/versions.env).
WASM_CAPABILITIES="${WASM_CAPABILITIES:-iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1,cosmwasm_2_2}"

# Fails unless Debian's wasm toolchain (see ../shared/toolchain/wasm.md) is fully installed.
wasm_require_toolchain() {
  local missing=()
  [ -x /usr/bin/rustc ] || missing+=("/usr/bin/rustc (rustc-web)")
  [ -x /usr/bin/cargo ] || missing+=("/usr/bin/cargo (cargo-web)")
  [ -x "/usr/bin/wasm-ld-$LLD_MAJOR" ] || missing+=("/usr/bin/wasm-ld-$LLD_MAJOR (lld-$LLD_MAJOR)")
  command -v wasm-opt >/dev/null 2>&1 || missing+=("wasm-opt (binaryen)")
  command -v jq >/dev/null 2>&1 || missing+=("jq")
  command -v python3 >/dev/null 2>&1 || missing+=("python3")
  if [ -x /usr/bin/rustc ]; then
    # rustc-web, not bookworm's old rustc: its LLVM must match wasm-ld-$LLD_MAJOR.
    /usr/bin/rustc -vV 2>/dev/null | grep -q "^LLVM version: $LLD_MAJOR\." ||
      missing+=("/usr/bin/rustc with LLVM $LLD_MAJOR (rustc-web; found: $(/usr/bin/rustc --version 2>&1))")
    local sysroot
    sysroot="$(/usr/bin/rustc --print sysroot 2>/dev/null)" || sysroot=""
    [ -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ] ||
      missing+=("std source under ${sysroot:-?}/lib/rustlib/src/rust/library (rust-web-src)")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'error: wasm toolchain incomplete, missing:\n' >&2
    printf '  - %s\n' "${missing[@]}" >&2
    die "wasm toolchain missing: run make setup"
  fi
}

# Prints the path of the pinned cosmwasm-check, or fails.
wasm_require_cosmwasm_check() {
  local bin="$EDGEMINT_TOOLS/bin/cosmwasm-check"
  [ -x "$bin" ] || die "cosmwasm-check missing: run make setup"
  printf '%s\n' "$bin"
}

# Runs cosmwasm-check ($1) on wasm file(s) with the node's capabilities.
wasm_cosmwasm_check() {
  local bin="$1"
  shift
  "$bin" --available-capabilities "$WASM_CAPABILITIES" "$@"
}

# Guard: succeeds only if $1 is pure MVP wasm.
#  - A target_features custom section must not be present: binaryen enables every feature that
#    section lists even under --mvp-features, which would make the validation below pass
#    non-MVP code. Our pipeline strips it, so its presence means the artifact skipped that step.
#  - wasm-opt --mvp-features validates every instruction and fails on any post-MVP opcode
#    (bulk memory, reference types, sign-ext, SIMD, ...).
wasm_guard_mvp() {
  local wasm="$1" rc=0
  wasm_has_custom_section "$wasm" target_features || rc=$?
  case $rc in
    0)
      printf 'guard: %s has a target_features section (not produced by build-wasm.sh)\n' "$wasm" >&2
      return 1
      ;;
    1) ;;
    *) return 1 ;;
  esac
  # (Output captured: on success wasm-opt only warns "no passes specified".)
  local out
  out="$(wasm-opt --mvp-features "$wasm" -o /dev/null 2>&1)" || {
    printf '%s\n' "$out" | head -n 20 >&2
    return 1
  }
}

# Optimizes build output $1 into $2. --mvp-features makes wasm-opt validate the INPUT as MVP, so
# a build without -C target-cpu=mvp (memory.copy/fill, sign-ext, ...) normally fails right here.
# Not sufficient alone: binaryen 108 enables whatever an input target_features section lists (rustc
# builds with strip=false carry one), and then accepts those opcodes. --strip-target-features removes
# that section from the output, so wasm_guard_mvp afterwards validates strictly against MVP.
wasm_optimize() {
  local raw="$1" out="$2" errlog
  errlog="$(mktemp)"
  if ! wasm-opt --mvp-features --strip-target-features -Os "$raw" -o "$out" >"$errlog" 2>&1; then
    # One line per offending instruction can mean thousands of lines: show the start.
    head -n 25 "$errlog" >&2
    printf '... (%d lines of wasm-opt output)\n' "$(wc -l <"$errlog")" >&2
    printf 'error: wasm-opt rejected %s as non-MVP wasm; was it built without -C target-cpu=mvp?\n' "$raw" >&2
    rm -f "$errlog"
    return 1
  fi
  rm -f "$errlog"
}

# The whole per-artifact pipeline of build-wasm.sh: optimize $1 into $2, then validate $2 with
# cosmwasm-check $3. test-wasm-gate.sh runs exactly this on non-MVP variants.
wasm_process_artifact() {
  wasm_optimize "$1" "$2" && wasm_validate_artifact "$2" "$3"
}

# All post-optimization checks of the pipeline, in order: MVP guard, then cosmwasm-check ($2).
# Returns non-zero (with a message) on the first failure. Used by build-wasm.sh and test-wasm-gate.sh.
wasm_validate_artifact() {
  local wasm="$1" cosmwasm_check="$2"
  if ! wasm_guard_mvp "$wasm"; then
    printf 'error: %s is not MVP wasm (guard failed); was it built without -C target-cpu=mvp?\n' "$wasm" >&2
    return 1
  fi
  if ! wasm_cosmwasm_check "$cosmwasm_check" "$wasm"; then
    printf 'error: cosmwasm-check rejected %s\n' "$wasm" >&2
    return 1
  fi
}

# Exit 0 if wasm binary $1 contains a custom section named $2, 1 if not, 2 if it cannot be parsed.
# Parses section headers, so data that merely contains the name does not match.
wasm_has_custom_section() {
  python3 - "$1" "$2" <<'PY'
import sys

def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1
        r |= (x & 0x7F) << s; s += 7
        if x < 0x80:
            return r, i

try:
    data = open(sys.argv[1], "rb").read()
    want = sys.argv[2].encode()
    if data[:4] != b"\0asm":
        raise ValueError("bad magic")
    i = 8
    while i < len(data):
        sid = data[i]; i += 1
        size, i = leb(data, i)
        end = i + size
        if end > len(data):
            raise ValueError("truncated section")
        if sid == 0:
            n, j = leb(data, i)
            if data[j:j + n] == want:
                sys.exit(0)
        i = end
except (OSError, ValueError, IndexError) as e:
    print(f"{sys.argv[1]}: not a readable wasm binary: {e}", file=sys.stderr)
    sys.exit(2)
sys.exit(1)
PY
}
