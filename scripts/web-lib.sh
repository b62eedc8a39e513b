# Shared by test-web.sh, run-web.sh and web-clients.sh: Node packages of web/ (installed from package-lock.json into
# web/node_modules with the npm cache outside the clone, skipped while the lock is unchanged) and the build in
# web/dist.
web_require_node() {
  command -v node >/dev/null || die "node is missing: install Node.js ≥ 20.19 (Debian: apt-get install -y nodejs npm, or the machine's Node)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    die "Node.js $(node --version) is too old for Vite 7: need ≥ 20.19"
}

web_npm_ci() {
  export npm_config_cache="${npm_config_cache:-$EDGEMINT_CACHE/npm}"
  local stamp="$REPO_ROOT/web/node_modules/.edgemint-lock.sha256"
  local want
  want="$(sha256sum "$REPO_ROOT/web/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  log "installing web/ packages (cache $npm_config_cache)"
  # Not `npm ci`: the registry reachable here lacks most of rollup's optional per-platform packages, so the lock
  # lists only the ones that exist and `npm ci` refuses it as out of sync. `install --no-save` installs exactly the
  # locked versions and never rewrites the lock.
  (cd "$REPO_ROOT/web" && rm -rf node_modules && npm install --no-save --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

web_build() {
  log "building the dApp (tsc + vite build)"
  (cd "$REPO_ROOT/web" && npm run --silent build)
}
