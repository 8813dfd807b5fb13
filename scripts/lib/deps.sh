# scripts/lib/deps.sh: install what the build, the tests and the running
# stack need on Debian 12.  As root it installs the Debian packages; as
# another user it prints the exact command and stops.

# Debian packages.  python3 and procps are for the tests (JSON checks,
# free ports; ps).
DEPS_PACKAGES="autoconf automake pkg-config gcc make libfcgi-dev
libhiredis-dev libmongoc-dev libbson-dev libjson-c-dev redis-server
lighttpd curl python3 procps"

# What scripts/test needs beyond that: the browser tests (chromium; Node.js
# and npm come with the machine), the fuzzers (clang and its runtime),
# valgrind, schemathesis's virtual environment, Apache and its FastCGI
# modules, man page linting, wrk for the benchmarks, and ip(8) for the
# test that builds several hosts in network namespaces (Redis Sentinel is
# redis-server --sentinel, from redis-server).
DEPS_TEST_PACKAGES="chromium clang libclang-rt-14-dev valgrind python3-venv
apache2 libapache2-mod-fcgid spawn-fcgi mandoc wrk iproute2"

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2

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

# Where go install puts the binary.
deps_ferretdb_bin()
{
	if [ -n "${FERRETDB:-}" ]; then
		printf '%s\n' "$FERRETDB"
	elif command -v ferretdb >/dev/null 2>&1; then
		command -v ferretdb
	elif command -v go >/dev/null 2>&1; then
		printf '%s\n' "$(go env GOPATH)/bin/ferretdb"
	else
		printf '%s\n' "$HOME/go/bin/ferretdb"
	fi
}

# The store: mongod if installed, else FerretDB built with Go.
deps_store()
{
	command -v mongod >/dev/null 2>&1 && return 0
	_fb=$(deps_ferretdb_bin)
	"$_fb" --version >/dev/null 2>&1 && return 0
	command -v go >/dev/null 2>&1 ||
	    die "no mongod and no Go to build FerretDB: install Go 1.24 or later" \
	    "from https://go.dev/dl/ (Debian's golang-go is too old), or MongoDB"
	say "installing FerretDB $FERRETDB_VERSION with go install"
	go install "$FERRETDB_MODULE/cmd/ferretdb@$FERRETDB_VERSION"
	_fb=$(deps_ferretdb_bin)
	"$_fb" --version >/dev/null 2>&1 && return 0
	# The module as published lacks build/version/version.txt, which
	# release builds generate, so the binary go install makes panics at
	# start (FerretDB issue 2982).  Build it again from the same module
	# source with that file written.
	say "rebuilding FerretDB with build/version/version.txt (FerretDB issue 2982)"
	_src=$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" |
	    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -d "$_src" ] || die "go mod download $FERRETDB_MODULE@$FERRETDB_VERSION: no source folder"
	_tmp=$(mktemp -d)
	cp -R "$_src/." "$_tmp"
	chmod -R u+w "$_tmp"
	echo "$FERRETDB_VERSION" >"$_tmp/build/version/version.txt"
	(cd "$_tmp" && go build -o "$_fb" ./cmd/ferretdb) || { rm -rf "$_tmp"; die "building FerretDB failed"; }
	rm -rf "$_tmp"
	"$_fb" --version >/dev/null 2>&1 || die "$_fb still does not run"
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
	fi
}
