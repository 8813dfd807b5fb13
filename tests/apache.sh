# tests/apache.sh: Apache 2.4 in one of the set-ups of apache/, started
# like svc_lighttpd_start starts lighttpd.  Sourced (POSIX sh) after
# tests/services.sh; svc_http_start sources it when EVENTS_TEST_SERVER
# names a set-up:
#
#	svc_apache_start fcgid		# $HTTP_PORT, $BASE_URL
#
#   fcgid	mod_fcgid spawns the programs (apache/fcgid.conf)
#   proxy_fcgi	mod_proxy_fcgi to the programs apache/spawn-fcgi.sh runs
#		(apache/proxy-fcgi.conf)
#   cgi		plain CGI from a ScriptAlias, mod_cgi (apache/cgi.conf)
#   cgid	the same under mod_cgid
#   htaccess	plain CGI from an .htaccess in a copy of the page, mod_cgi
#		and the prefork MPM, as on a shared host (apache/htaccess)
#
# The generated configuration is $SVC_DIR/apache/httpd.conf: Defines,
# then apache/server.conf and the set-up's site file, unchanged.  The
# programs get their settings from $SVC_DIR/apache/events.conf, written
# from $EVENTS_CONF and the EVENTS_<KEY> variables set now (what
# lighttpd.conf copies from the environment).  Started as root, Apache's
# workers and the programs run as EVENTS_HTTP_USER (nobody).  Logs:
# $SVC_DIR/log/apache-*.log (the programs' lines included) and, for
# proxy_fcgi, $SVC_DIR/log/spawn-fcgi.log.

APACHE_SETUPS="fcgid proxy_fcgi cgi cgid htaccess"

svc_apache_bin()
{
	for _b in apache2 httpd /usr/sbin/apache2 /usr/sbin/httpd; do
		command -v "$_b" 2>/dev/null && return 0
	done
	return 1
}

# The folder of mod_*.so.
svc_apache_modules()
{
	for _d in ${EVENTS_APACHE_MODULES:-} /usr/lib/apache2/modules \
	    /usr/lib64/httpd/modules /usr/lib/httpd/modules /usr/libexec/apache2; do
		[ -f "$_d/mod_rewrite.so" ] && { printf '%s\n' "$_d"; return 0; }
	done
	return 1
}

# The configuration keys of lib/conf.c, as EVENTS_<KEY> names.
svc_conf_vars()
{
	sed -n 's/^[[:space:]]*[SL](\([a-z_0-9]*\),.*/\1/p' "$top_srcdir/lib/conf.c" |
	    tr '[:lower:]' '[:upper:]' | sed 's/^/EVENTS_/'
}

# svc_apache_conf FILE: the programs' settings as one events.conf: the
# file $EVENTS_CONF names, but for the keys an EVENTS_<KEY> variable sets,
# then those (the variable wins, as it would; a key may appear once).
svc_apache_conf()
{
	_set_keys=
	for _v in $(svc_conf_vars); do
		eval "_set=\${$_v+1}"
		[ -z "$_set" ] ||
		    _set_keys="$_set_keys $(printf '%s' "${_v#EVENTS_}" | tr '[:upper:]' '[:lower:]')"
	done
	{
		echo "# written by tests/apache.sh"
		[ -z "${EVENTS_CONF:-}" ] || [ -r "$EVENTS_CONF" ] || fail "cannot read $EVENTS_CONF"
		[ -z "${EVENTS_CONF:-}" ] || awk -v keys="$_set_keys" '
		    BEGIN { n = split(keys, k, " "); for (i = 1; i <= n; i++) set[k[i]] = 1 }
		    { key = $0; sub(/=.*/, "", key); gsub(/[ \t]/, "", key) }
		    !(key in set)' "$EVENTS_CONF"
		for _v in $(svc_conf_vars); do
			eval "_set=\${$_v+1}"
			[ -n "$_set" ] || continue
			eval "_val=\$$_v"
			case $_val in
			*"
"*)		fail "$_v holds a newline: an events.conf line cannot" ;;
			esac
			_k=$(printf '%s' "${_v#EVENTS_}" | tr '[:upper:]' '[:lower:]')
			printf '%s = %s\n' "$_k" "$_val"
		done
	} >"$1"
	chmod 644 "$1"
}

# The htaccess set-up's document root: the page and its events-errors/,
# the programs in events-cgi/, and apache/htaccess as .htaccess with the configuration
# file's path written in.
svc_apache_htdocs()
{
	_h=$SVC_DIR/apache/htdocs
	rm -rf "$_h"
	mkdir -p "$_h/events-cgi"
	# The page's files (the source folder also holds its local.mk).
	for _f in "$EVENTS_WWW"/*; do
		case $_f in
		*.mk)	continue ;;
		esac
		[ -f "$_f" ] || continue
		cp "$_f" "$_h/" || fail "cannot copy $_f"
	done
	[ -f "$_h/index.html" ] || fail "no index.html in $EVENTS_WWW"
	# The web server's own error answers.
	cp -R "$EVENTS_WWW/events-errors" "$_h/" || fail "no events-errors/ in $EVENTS_WWW"
	for _p in event-ingest event-query event-status; do
		[ -x "$EVENTS_LIBEXEC/$_p" ] && cp "$EVENTS_LIBEXEC/$_p" "$_h/events-cgi/"
	done
	sed "s|^SetEnv EVENTS_CONF .*|SetEnv EVENTS_CONF \"$SVC_DIR/apache/events.conf\"|" \
	    "$top_srcdir/apache/htaccess" >"$_h/.htaccess"
	grep -q "^SetEnv EVENTS_CONF \"$SVC_DIR/apache/events.conf\"" "$_h/.htaccess" ||
	    fail "apache/htaccess has no \"SetEnv EVENTS_CONF\" line to fill in"
	chmod -R a+rX "$_h"
	printf '%s\n' "$_h"
}

# apache/spawn-fcgi.sh for proxy_fcgi, as service "fcgi"; waits for
# the sockets.
svc_apache_spawn_fcgi()
{
	svc_need spawn-fcgi
	_args="-n $EVENTS_FCGI_PROCS"
	[ "$(id -u)" = 0 ] && _args="$_args -u $EVENTS_HTTP_USER -U $EVENTS_HTTP_USER"
	_socks=
	for _p in event-ingest event-query event-status; do
		[ -x "$EVENTS_LIBEXEC/$_p" ] && _socks="$_socks $EVENTS_RUN/$_p.sock"
	done
	rm -f $_socks
	# shellcheck disable=SC2086
	svc_spawn fcgi "$SVC_DIR/log/spawn-fcgi.log" \
	    env EVENTS_CONF="$SVC_DIR/apache/events.conf" \
	    sh "${SVC_SPAWN_FCGI:-$top_srcdir/apache/spawn-fcgi.sh}" $_args "$EVENTS_LIBEXEC" "$EVENTS_RUN"
	svc_wait fcgi "apache/spawn-fcgi.sh" svc_sockets_exist $_socks
}

svc_sockets_exist()
{
	for _s in "$@"; do
		[ -S "$_s" ] || return 1
	done
}

# svc_apache_reachable: (as root) EVENTS_HTTP_USER can run the programs
# and read the page.
svc_apache_reachable()
{
	setpriv --reuid="$EVENTS_HTTP_USER" --regid="$(id -g "$EVENTS_HTTP_USER")" \
	    --clear-groups sh -c 'test -x "$1" && test -r "$2/."' sh \
	    "$EVENTS_LIBEXEC/event-ingest" "$EVENTS_WWW" 2>/dev/null
}

# svc_apache_start SETUP: sets HTTP_PORT, BASE_URL.  The programs come
# from $EVENTS_LIBEXEC (default the build's cgi/), the page from
# $EVENTS_WWW (default the build's htdocs/).
svc_apache_start()
{
	_setup=$1
	case " $APACHE_SETUPS " in
	*" $_setup "*) ;;
	*) fail "unknown Apache set-up \"$_setup\" (one of: $APACHE_SETUPS)" ;;
	esac
	svc_need curl
	_httpd=$(svc_apache_bin) || svc_missing "apache2 is not installed (Debian package apache2)"
	svc_need setsid
	_mods=$(svc_apache_modules) || svc_missing "no Apache modules folder found (set EVENTS_APACHE_MODULES)"
	case $_setup in
	fcgid)	[ -f "$_mods/mod_fcgid.so" ] ||
		    svc_missing "mod_fcgid is not installed (Debian package libapache2-mod-fcgid)" ;;
	proxy_fcgi) [ -f "$_mods/mod_proxy_fcgi.so" ] ||
		    svc_missing "mod_proxy_fcgi is not installed (Debian package apache2)" ;;
	esac
	: "${HTTP_PORT:=$(svc_free_port)}"
	EVENTS_HTTP_BIND=${EVENTS_HTTP_BIND:-127.0.0.1}
	EVENTS_HTTP_PORT=$HTTP_PORT
	EVENTS_WWW=${EVENTS_WWW:-$top_builddir/htdocs}
	EVENTS_LIBEXEC=${EVENTS_LIBEXEC:-$top_builddir/cgi}
	EVENTS_VAR=$SVC_DIR
	EVENTS_RUN=$SVC_DIR/run
	EVENTS_FCGI_PROCS=${EVENTS_FCGI_PROCS:-$SVC_FCGI_PROCS}
	EVENTS_FCGID_INGEST_PROCS=${EVENTS_FCGID_INGEST_PROCS:-$SVC_FCGID_INGEST_PROCS}
	if [ "$(id -u)" = 0 ]; then
		EVENTS_HTTP_USER=${EVENTS_HTTP_USER:-nobody}
	else
		# Not root: Apache stays who it is, but the names must exist.
		EVENTS_HTTP_USER=$(id -un)
	fi
	EVENTS_HTTP_GROUP=$(id -gn "$EVENTS_HTTP_USER") ||
	    fail "no user $EVENTS_HTTP_USER (set EVENTS_HTTP_USER)"
	export EVENTS_HTTP_BIND EVENTS_HTTP_PORT EVENTS_WWW EVENTS_LIBEXEC \
	    EVENTS_VAR EVENTS_FCGI_PROCS EVENTS_FCGID_INGEST_PROCS
	BASE_URL=http://127.0.0.1:$HTTP_PORT
	[ -x "$EVENTS_LIBEXEC/event-ingest" ] ||
	    fail "$EVENTS_LIBEXEC/event-ingest not built"

	_ad=$SVC_DIR/apache
	mkdir -p "$_ad" "$SVC_DIR/run/fcgid"
	chmod 755 "$_ad"
	if [ "$(id -u)" = 0 ] && ! svc_apache_reachable; then
		# A tree the workers' user cannot reach (a clone in root's
		# 0700 home): Apache will not run them as root, so they get
		# copies of the programs and the page here.
		mkdir -p "$_ad/libexec" "$_ad/www"
		for _p in event-ingest event-query event-status; do
			[ -x "$EVENTS_LIBEXEC/$_p" ] && cp "$EVENTS_LIBEXEC/$_p" "$_ad/libexec/"
		done
		cp -R "$EVENTS_WWW/." "$_ad/www/" || fail "cannot copy $EVENTS_WWW"
		# spawn-fcgi.sh runs itself again as that user for each
		# process.
		cp "$top_srcdir/apache/spawn-fcgi.sh" "$_ad/" || fail "cannot copy spawn-fcgi.sh"
		SVC_SPAWN_FCGI=$_ad/spawn-fcgi.sh
		chmod -R a+rX "$_ad/libexec" "$_ad/www" "$_ad/spawn-fcgi.sh"
		EVENTS_LIBEXEC=$_ad/libexec EVENTS_WWW=$_ad/www
		export EVENTS_LIBEXEC EVENTS_WWW
	fi
	svc_apache_conf "$_ad/events.conf"
	_www=$EVENTS_WWW _site=
	case $_setup in
	fcgid)		_site=fcgid.conf ;;
	proxy_fcgi)	_site=proxy-fcgi.conf ;;
	cgi|cgid)	_site=cgi.conf ;;
	htaccess)	_site=htaccess-site.conf
			_www=$(svc_apache_htdocs) ;;
	esac
	cat >"$_ad/httpd.conf" <<EOF
# Generated by tests/apache.sh for the $_setup set-up.
Define EVENTS_APACHE_MODULES "$_mods"
Define EVENTS_HTTP_BIND "$EVENTS_HTTP_BIND"
Define EVENTS_HTTP_PORT "$EVENTS_HTTP_PORT"
Define EVENTS_HTTP_USER "$EVENTS_HTTP_USER"
Define EVENTS_HTTP_GROUP "$EVENTS_HTTP_GROUP"
Define EVENTS_VAR "$EVENTS_VAR"
Define EVENTS_WWW "$_www"
Define EVENTS_LIBEXEC "$EVENTS_LIBEXEC"
Define EVENTS_RUN "$EVENTS_RUN"
Define EVENTS_CONF "$_ad/events.conf"
Define EVENTS_FCGI_PROCS "$EVENTS_FCGI_PROCS"
Define EVENTS_FCGID_INGEST_PROCS "$EVENTS_FCGID_INGEST_PROCS"
Define events_$_setup
ServerRoot "$_ad"
Include "$top_srcdir/apache/server.conf"
Include "$top_srcdir/apache/$_site"
EOF
	if [ "$(id -u)" = 0 ]; then
		# The workers (and mod_fcgid's and mod_cgid's helpers) run as
		# this user; the sockets and tables in run/ are theirs.
		chown -R "$EVENTS_HTTP_USER" "$SVC_DIR/run" ||
		    fail "cannot give $SVC_DIR/run to $EVENTS_HTTP_USER"
		setpriv --reuid="$EVENTS_HTTP_USER" --regid="$(id -g "$EVENTS_HTTP_USER")" \
		    --clear-groups sh -c 'test -x "$1" && test -r "$2/." && test -r "$3"' sh \
		    "$EVENTS_LIBEXEC/event-ingest" "$_www" "$_ad/events.conf" ||
		    fail "user $EVENTS_HTTP_USER cannot reach $EVENTS_LIBEXEC, $_www or" \
		    "$_ad (is $SVC_DIR in a private folder? set TMPDIR)"
	fi
	"$_httpd" -t -f "$_ad/httpd.conf" >"$SVC_DIR/log/apache-check.log" 2>&1 || {
		cat "$SVC_DIR/log/apache-check.log" >&2
		fail "apache2 -t rejects $_ad/httpd.conf"
	}
	[ "$_setup" = proxy_fcgi ] && svc_apache_spawn_fcgi
	# A session of its own: the prefork MPM stops its workers with a
	# SIGTERM to its whole process group, which would otherwise be the
	# test's (and make's).  setsid execs Apache in place (same PID).
	svc_spawn apache "$SVC_DIR/log/apache.out" \
	    setsid "$_httpd" -f "$_ad/httpd.conf" -DFOREGROUND
	svc_wait apache "apache2 ($_setup) on port $HTTP_PORT" svc_http_up
	APACHE_SETUP=$_setup
}

svc_apache_stop()
{
	svc_kill apache
	svc_kill fcgi
}

# svc_apache_programs: the processes that run the programs: mod_fcgid's
# FastCGI processes, those under spawn-fcgi.sh, or for plain CGI, where
# each request is a new process gone once answered, Apache itself (its
# workers may come and go: the prefork MPM starts them gradually).
svc_apache_programs()
{
	case $APACHE_SETUP in
	fcgid)
		svc_descendants "$(svc_pid apache)" |
		    while read -r _p; do
			case $(ps -o comm= -p "$_p" 2>/dev/null) in
			event-*) echo "$_p" ;;
			esac
		    done ;;
	proxy_fcgi)
		svc_descendants "$(svc_pid fcgi)" |
		    while read -r _p; do
			case $(ps -o comm= -p "$_p" 2>/dev/null) in
			event-*) echo "$_p" ;;
			esac
		    done ;;
	*)	svc_pid apache; echo ;;
	esac
}
