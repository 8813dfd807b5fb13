# scripts/lib/deps.sh: install what the build, the tests and the running
# stack need on Debian 12.  As root it installs the Debian packages; as
# another user it prints the exact command and stops.

# Debian packages.  python3 and procps are for the tests (JSON checks,
# free ports; ps); patch applies ours to FerretDB's source.
DEPS_PACKAGES="autoconf automake pkg-config gcc make libfcgi-dev
libhiredis-dev libmongoc-dev libbson-dev libjson-c-dev zlib1g-dev libssl-dev redis-server
lighttpd curl python3 procps patch"

# What scripts/test needs beyond that: the browser tests (chromium; Node.js
# and npm come with the machine), the fuzzers (clang and its runtime),
# valgrind, schemathesis's virtual environment, Apache and its FastCGI
# modules, man page linting, wrk for the benchmarks, ip(8) for the test
# that builds several hosts in network namespaces (Redis Sentinel is
# redis-server --sentinel, from redis-server), and jq, which the README's
# examples use (tests/readme.sh runs them), and gdb, which stops a
# consumer at a chosen point (tests/query-stats-cache.sh).
DEPS_TEST_PACKAGES="chromium clang libclang-rt-14-dev valgrind python3-venv
apache2 libapache2-mod-fcgid spawn-fcgi mandoc wrk iproute2 jq gdb"

# The store where there is no mongod: FerretDB with its SQLite backend,
# built from its module source with our patch (scripts/ferretdb/), which
# makes its reads use the indexes.  FERRETDB_EVENTS_VERSION is the version
# the patched build reports (the programs tell it from a stock FerretDB by
# "-events."); its commit is the SHA-256 of the patch, so a changed patch
# is rebuilt.  A stock build of the same version stays beside it for the
# benchmarks' comparison and the upgrade test.
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2
FERRETDB_EVENTS_VERSION=v1.24.2-events.3
FERRETDB_PATCH=$root/scripts/ferretdb/sqlite-pushdown.patch

deps_missing_packages()
{
	_miss=
	for _p in $DEPS_PACKAGES ${DEPS_WANT_TEST:+$DEPS_TEST_PACKAGES}; do
		dpkg-query -W -f='${Status}\n' "$_p" 2>/dev/null |
		    grep -q '^install ok installed$' || _miss="$_miss $_p"
	done
	printf '%s\n' "${_miss# }"
}

deps_packages()
{
	command -v dpkg-query >/dev/null 2>&1 ||
	    die "no dpkg-query: this is not Debian; install the equivalents of: $(echo $DEPS_PACKAGES ${DEPS_WANT_TEST:+$DEPS_TEST_PACKAGES})"
	_miss=$(deps_missing_packages)
	[ -n "$_miss" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "These Debian packages are missing; install them as root with:" >&2
		echo "    apt-get install -y $_miss" >&2
		exit 1
	fi
	say "installing $_miss"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y $_miss
}

# deps_gobin: where Go installs binaries.
deps_gobin()
{
	if command -v go >/dev/null 2>&1; then
		printf '%s\n' "$(go env GOPATH)/bin"
	else
		printf '%s\n' "$HOME/go/bin"
	fi
}

# The patched FerretDB the scripts and tests run: $FERRETDB, else the
# build of this tree's patch, named by the patch's hash, so that source
# trees with different patches (git worktrees, an older checkout) each
# run their own build instead of rebuilding one binary over the others'.
deps_ferretdb_bin()
{
	if [ -n "${FERRETDB:-}" ]; then
		printf '%s\n' "$FERRETDB"
	else
		printf '%s\n' "$(deps_gobin)/ferretdb-events-$(deps_ferretdb_patch_id | cut -c1-12)"
	fi
}

# The stock FerretDB: $FERRETDB_STOCK, else where go install puts it.
deps_ferretdb_stock_bin()
{
	printf '%s\n' "${FERRETDB_STOCK:-$(deps_gobin)/ferretdb}"
}

# The SHA-256 of the patch: the commit the patched build reports.
deps_ferretdb_patch_id()
{
	sha256sum "$FERRETDB_PATCH" | cut -d' ' -f1
}

# deps_ferretdb_tree DIR [stock]: FerretDB's module source in DIR (made
# afresh), with our patch applied unless "stock", and the version files a
# release build generates (the published module lacks
# build/version/version.txt, so a plain build panics at start: FerretDB
# issue 2982).
deps_ferretdb_tree()
{
	_src=$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" |
	    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -d "$_src" ] || die "go mod download $FERRETDB_MODULE@$FERRETDB_VERSION: no source folder"
	rm -rf "$1"
	mkdir -p "$1"
	cp -R "$_src/." "$1"
	chmod -R u+w "$1"
	if [ "${2:-}" = stock ]; then
		echo "$FERRETDB_VERSION" >"$1/build/version/version.txt"
		return 0
	fi
	(cd "$1" && patch -p1 --forward --quiet) <"$FERRETDB_PATCH" ||
	    die "$FERRETDB_PATCH does not apply to $FERRETDB_MODULE@$FERRETDB_VERSION"
	echo "$FERRETDB_EVENTS_VERSION" >"$1/build/version/version.txt"
	deps_ferretdb_patch_id >"$1/build/version/commit.txt"
}

# deps_ferretdb_build BIN [stock]: build FerretDB into BIN, replacing it
# only once the new binary runs.
deps_ferretdb_build()
{
	_tmp=$(mktemp -d)
	deps_ferretdb_tree "$_tmp/src" "${2:-}"
	mkdir -p "$(dirname "$1")"
	(cd "$_tmp/src" && go build -buildvcs=false -o "$1.new.$$" ./cmd/ferretdb) ||
	    { rm -rf "$_tmp"; die "building FerretDB failed"; }
	rm -rf "$_tmp"
	"$1.new.$$" --version >/dev/null 2>&1 || die "$1.new.$$ does not run"
	mv -f "$1.new.$$" "$1"
}

# The store: mongod if installed, else our FerretDB, built again when the
# patch changed (unless $FERRETDB names a binary); with "test", the stock
# FerretDB as well.
deps_store()
{
	command -v mongod >/dev/null 2>&1 && return 0
	_fb=$(deps_ferretdb_bin)
	if [ -n "${FERRETDB:-}" ] || [ "$("$_fb" --version 2>/dev/null |
	    sed -n 's/^commit: //p')" = "$(deps_ferretdb_patch_id)" ]; then
		:
	else
		command -v go >/dev/null 2>&1 ||
		    die "no mongod and no Go to build FerretDB: install Go 1.24 or later" \
		    "from https://go.dev/dl/ (Debian's golang-go is too old), or MongoDB"
		say "building FerretDB $FERRETDB_EVENTS_VERSION (FerretDB $FERRETDB_VERSION with scripts/ferretdb/sqlite-pushdown.patch)"
		deps_ferretdb_build "$_fb"
		say "FerretDB $FERRETDB_EVENTS_VERSION in $_fb"
	fi
	[ -n "${DEPS_WANT_TEST:-}" ] || return 0
	_fb=$(deps_ferretdb_stock_bin)
	"$_fb" --version 2>/dev/null | grep -qx "version: $FERRETDB_VERSION" && return 0
	command -v go >/dev/null 2>&1 || return 0
	say "building the stock FerretDB $FERRETDB_VERSION (for the benchmarks' comparison)"
	deps_ferretdb_build "$_fb" stock
	say "FerretDB $FERRETDB_VERSION in $_fb"
}

# The browser tests' npm packages (playwright-core, axe-core), pinned by
# tests/browser/package-lock.json, in tests/browser/node_modules; again
# when the lock file changes.  The tests find them through
# EVENTS_NODE_MODULES and never install anything themselves.
deps_node_modules()
{
	_nd=$root/tests/browser
	if [ ! -f "$_nd/node_modules/.package-lock.json" ] ||
	    [ "$_nd/package-lock.json" -nt "$_nd/node_modules/.package-lock.json" ]; then
		say "npm ci in tests/browser (playwright-core, axe-core)"
		(cd "$_nd" && npm ci --no-audit --no-fund --loglevel=error) ||
		    die "npm ci in $_nd failed"
	fi
	EVENTS_NODE_MODULES=$_nd/node_modules
	export EVENTS_NODE_MODULES
}

# Schemathesis for tests/schemathesis.sh, the version pinned by
# tests/schemathesis-requirements.txt, in a virtual environment in
# tests/schemathesis-venv/; made again when the pin changes.  The test
# finds it through SCHEMATHESIS_VENV and never installs anything itself.
deps_schemathesis()
{
	_req=$root/tests/schemathesis-requirements.txt
	_venv=$root/tests/schemathesis-venv
	_want=$(sed -n 's/^schemathesis==//p' "$_req")
	if ! "$_venv/bin/schemathesis" --version 2>/dev/null | grep -q "version $_want\$"; then
		say "schemathesis $_want into tests/schemathesis-venv"
		rm -rf "$_venv"
		python3 -m venv "$_venv" || die "python3 -m venv failed (Debian package python3-venv)"
		"$_venv/bin/pip" install --quiet --disable-pip-version-check -r "$_req" ||
		    { rm -rf "$_venv"; die "pip install -r $_req failed"; }
	fi
	SCHEMATHESIS_VENV=$_venv
	export SCHEMATHESIS_VENV
}

# deps_install [test]: what scripts/start needs, and with "test" what
# scripts/test needs as well.
deps_install()
{
	DEPS_WANT_TEST=
	[ "${1:-}" != test ] || DEPS_WANT_TEST=1
	deps_packages
	deps_store
	if [ -n "$DEPS_WANT_TEST" ]; then
		for _b in node npm; do
			command -v "$_b" >/dev/null 2>&1 ||
			    die "$_b is not installed: the browser tests need Node.js 20 or later with npm"
		done
		deps_node_modules
		deps_schemathesis
	fi
}
