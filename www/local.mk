# www/: the page and the tracker, installed under $(datadir).
wwwdir = $(datadir)/events/www
dist_www_DATA = www/index.html www/app.js www/style.css www/track.js
