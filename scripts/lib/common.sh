# scripts/lib/common.sh: what scripts/start and scripts/test share before
# anything else.  POSIX sh, sourced after "set -eu"; expects $root (the
# source tree) to be set.

say()
{
	printf '%s\n' "==> $*"
}

die()
{
	printf '%s\n' "error: $*" >&2
	exit 1
}

# Go lives in /usr/local/go on machines set up from go.dev's tarball,
# which is not on every PATH.
case ":$PATH:" in
*:/usr/local/go/bin:*) ;;
*) [ -x /usr/local/go/bin/go ] && PATH=$PATH:/usr/local/go/bin ;;
esac
export PATH

# The build tree (EVENTS_BUILD_DIR: one already configured elsewhere).
BUILD_DIR=${EVENTS_BUILD_DIR:-$root/build}
