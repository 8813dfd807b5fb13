# tests/browser/browser.sh: what the Chromium tests share.  Sourced (POSIX
# sh) after tests/services.sh and svc_init:
#
#	browser_init			# $CHROMIUM, $NODE_MODULES, $ARTEFACTS
#	browser_run page.js		# node tests/browser/page.js
#
# The browser is Debian's chromium, driven by playwright-core; axe-core
# checks accessibility.  Both npm packages, pinned by package-lock.json,
# are installed by the set-up step of scripts/test (scripts/lib/deps.sh:
# npm ci in tests/browser/), never by a test: make check needs no
# network.  EVENTS_NODE_MODULES names another node_modules folder.
# Screenshots go to $top_builddir/tests/browser/artefacts/.

browser_init()
{
	svc_need node chromium
	CHROMIUM=${CHROMIUM:-$(command -v chromium)}
	NODE_MODULES=
	for _d in ${EVENTS_NODE_MODULES:-} "$top_srcdir/tests/browser/node_modules"; do
		if [ -f "$_d/playwright-core/package.json" ] && [ -f "$_d/axe-core/axe.min.js" ]; then
			NODE_MODULES=$_d
			break
		fi
	done
	[ -n "$NODE_MODULES" ] || svc_missing "playwright-core and axe-core are not installed:" \
	    "scripts/test installs them (or: cd tests/browser && npm ci)"
	[ -f "$top_builddir/htdocs/track.js" ] || fail "$top_builddir/htdocs/track.js not built (make)"
	ARTEFACTS=$top_builddir/tests/browser/artefacts
	mkdir -p "$ARTEFACTS"
	export CHROMIUM NODE_MODULES ARTEFACTS
}

# browser_run SCRIPT [ARG...]: run tests/browser/SCRIPT with node; its
# exit status.
browser_run()
{
	_script=$1
	shift
	HTDOCS=$top_builddir/htdocs NODE_PATH=$NODE_MODULES \
	    node "$top_srcdir/tests/browser/$_script" "$@"
}
