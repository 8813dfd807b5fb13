# www/: the page and the tracker, installed under $(datadir).
