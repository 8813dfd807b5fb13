# apache/: Apache 2.4 set-ups (mod_fcgid, mod_proxy_fcgi with
# spawn-fcgi.sh, plain CGI from a ScriptAlias or an .htaccess), tested by
# tests/apache-*.sh and installed as examples under $(pkgdatadir)/apache.
apachedir = $(pkgdatadir)/apache
dist_apache_DATA = apache/server.conf apache/fcgid.conf apache/proxy-fcgi.conf \
	apache/cgi.conf apache/htaccess apache/htaccess-site.conf
dist_apache_SCRIPTS = apache/spawn-fcgi.sh
