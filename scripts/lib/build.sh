# scripts/lib/build.sh: build out of tree in $BUILD_DIR (build/), leaving
# the source tree unconfigured so that several builds can share it.

build_tree()
{
	[ ! -f "$root/config.status" ] ||
	    die "$root is configured in place; run \"make distclean\" there first" \
	    "(the scripts build in $BUILD_DIR)"
	if [ ! -x "$root/configure" ]; then
		say "autoreconf -fi"
		(cd "$root" && autoreconf -fi)
	fi
	mkdir -p "$BUILD_DIR"
	if [ ! -f "$BUILD_DIR/Makefile" ]; then
		say "configuring in $BUILD_DIR"
		(cd "$BUILD_DIR" && "$root/configure")
	fi
	say "building"
	# make re-runs automake, autoconf and configure itself when their
	# inputs change.
	make -C "$BUILD_DIR" -j"$(nproc 2>/dev/null || echo 2)"
}
