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

BUILD_DIR=$root/build
