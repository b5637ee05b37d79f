# Shared by scripts/demo.sh and scripts/test.sh: packages, build, a private cluster.
# Sourced, not run. Works as root (CI) or as a user with sudo.

PGVER=${PGVER:-15}
# ISMSEVAL_PG_BINDIR points at another (e.g. relocated) PostgreSQL installation.
PG_BINDIR=${ISMSEVAL_PG_BINDIR:-/usr/lib/postgresql/$PGVER/bin}
PG_CONFIG=$PG_BINDIR/pg_config
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# python3-yaml: ismseval-import reads CISO Assistant's YAML libraries with it.
PACKAGES=(make gcc "postgresql-$PGVER" "postgresql-server-dev-$PGVER"
          "postgresql-$PGVER-pgtap" libtap-parser-sourcehandler-pgtap-perl libxml2-utils
          python3-yaml)

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages that are not installed yet.
install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Builds the extension with warnings as errors and installs it into PostgreSQL.
build_and_install() {
    echo "== building ismseval against PostgreSQL $PGVER"
    make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" WERROR=1
    as_root make -C "$REPO" -s PG_CONFIG="$PG_CONFIG" install
}

# Runs a command as the unprivileged user that owns the cluster, from the cluster's
# directory (or /): the PostgreSQL programs change back to the current directory, and
# root's (e.g. a clone under /root) is one postgres may not enter.
as_pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "${PG_TMP:-/}" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Starts a throwaway cluster in a private directory, reachable only on its own
# Unix socket; exports PGHOST/PGPORT/PGUSER for the clients; stops it on exit.
cluster_start() {
    PG_TMP=$(mktemp -d /tmp/ismseval-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_TMP"
    export PGHOST=$PG_TMP PGPORT=${ISMSEVAL_PGPORT:-54329} PGUSER=postgres
    trap cluster_stop EXIT
    as_pg_owner "$PG_BINDIR/initdb" -D "$PG_TMP/data" -U postgres --auth=trust \
        --no-locale -E UTF8 --no-sync >"$PG_TMP/initdb.log" 2>&1 \
        || { cat "$PG_TMP/initdb.log"; return 1; }
    as_pg_owner "$PG_BINDIR/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
        -o "-c listen_addresses='' -k $PG_TMP -p $PGPORT -c fsync=off -c max_parallel_workers_per_gather=2 ${ISMSEVAL_PGOPTS:-}" \
        start >/dev/null \
        || { cat "$PG_TMP/server.log"; return 1; }
    echo "== private cluster up: socket $PG_TMP, port $PGPORT"
}

# Loads the library at the start of every session of database $1, as an administrator must for
# tenants: its plan guard refuses EXPLAIN to them, and without it their queries fail (55000).
preload_ismseval() {
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "ALTER DATABASE \"$1\" SET session_preload_libraries = 'ismseval'"
}

# Stops the throwaway cluster and removes its directory.
cluster_stop() {
    [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP" ] || return 0
    as_pg_owner "$PG_BINDIR/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
    PG_TMP=
}
