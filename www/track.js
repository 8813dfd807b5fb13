/*
 * track.js: the event tracker.  One script tag, no dependencies:
 *
 *   <script src="https://events.example/track.js" defer
 *           data-endpoint="https://events.example/events"></script>
 *
 * Options (data-* attributes on the tag, or window.trackerConfig set
 * before it loads): endpoint (default /events), clicks and pageviews
 * ("false" turns them off), dnt ("ignore" to track despite Do Not Track;
 * by default a browser that asks not to be tracked sends nothing).
 *
 * API: window.tracker.track(type, metadata), .flush(), .queued().
 * Each event gets an id when it is made, so a retry is never stored
 * twice.  Events wait in localStorage until the server answers 202.
 */
(function (w, d) {
	'use strict';
	var s = d.currentScript, c = w.trackerConfig || {};
	function opt(k, def) {
		var v = c[k] != null ? c[k] : s && s.getAttribute('data-' + k);
		return v == null || v === '' ? def : String(v);
	}
	var ENDPOINT = opt('endpoint', '/events'), KEY = 'tracker.queue.v1',
	    BATCH = 20, EVERY = 2000, CAP = 1000, MAX_AGE = 864e5, MAX_WAIT = 6e4;
	var dnt = w.doNotTrack == '1' || navigator.doNotTrack == '1' ||
	    navigator.globalPrivacyControl === true;
	var noop = function () {};
	if (w.tracker)
		return;
	if (dnt && opt('dnt', 'respect') != 'ignore') {
		w.tracker = { track: noop, flush: noop, queued: function () { return 0; } };
		return;
	}

	var mem = [], timer = 0, sending = false, failures = 0, retryAt = 0,
	    tokens = 20, refilled = Date.now(), lastUrl = '', beaconed = 0;

	/* Cut s to max UTF-8 bytes (or max characters when chars is set),
	 * on a code point boundary: the server checks bytes and rejects a
	 * lone surrogate. */
	function cut(v, max, chars) {
		var out = '', n = 0, ch, cp;
		for (ch of String(v == null ? '' : v)) {
			cp = ch.codePointAt(0);
			n += chars ? 1 : cp < 128 ? 1 : cp < 2048 ? 2 : cp < 65536 ? 3 : 4;
			if (n > max)
				break;
			out += ch;
		}
		return out;
	}
	function uid() {
		if (w.crypto && crypto.randomUUID)
			return crypto.randomUUID();
		var a = new Uint8Array(16), h = '';
		(w.crypto || {}).getRandomValues ? crypto.getRandomValues(a) :
		    a.forEach(function (_, i) { a[i] = Math.random() * 256; });
		a.forEach(function (b) { h += (b + 256).toString(16).slice(1); });
		return h;
	}
	function load() {
		try {
			return JSON.parse(localStorage.getItem(KEY)) || [];
		} catch (e) {
			return mem;
		}
	}
	function save(q) {
		var now = Date.now();
		q = q.filter(function (e) { return now - e.ts < MAX_AGE; });
		if (q.length > CAP)
			q = q.slice(q.length - CAP);	/* the oldest go first */
		mem = q;
		try {
			localStorage.setItem(KEY, JSON.stringify(q));
		} catch (e) { /* private mode or full: memory only */ }
		return q;
	}
	/* Metadata the server accepts: keys neither starting with '$' nor
	 * holding '.', at most 8 levels. */
	function clean(m, depth) {
		if (m === null || typeof m != 'object')
			return true;
		if (depth > 8)
			return false;
		for (var k in m)
			if (/^\$|\./.test(k) || !clean(m[k], depth + 1))
				return false;
		return true;
	}
	function track(type, metadata) {
		if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(type) ||
		    (metadata != null && (typeof metadata != 'object' || Array.isArray(metadata))) ||
		    !clean(metadata, 1)) {
			console.warn('tracker: event dropped: bad type or metadata', type);
			return null;
		}
		var l = location, ev = {
			type: type, id: uid(), ts: Date.now(),
			page: {
				url: cut(l.href, 2048), path: cut(l.pathname, 1024),
				referrer: cut(d.referrer, 2048), title: cut(d.title, 256)
			}
		};
		if (metadata)
			ev.metadata = metadata;
		var q = load();
		q.push(ev);
		q = save(q);
		schedule(q.length >= BATCH ? 0 : EVERY);
		return ev.id;
	}
	/* A token bucket for automatic events: bursts of up to 20, then 5 a
	 * second, so a frantic double click is a few events, not fifty. */
	function allow() {
		var now = Date.now();
		tokens = Math.min(20, tokens + (now - refilled) / 200);
		refilled = now;
		if (tokens < 1)
			return false;
		tokens--;
		return true;
	}
	function schedule(ms) {
		var wait = Math.max(ms, retryAt - Date.now());
		if (timer)
			return;
		timer = setTimeout(function () { timer = 0; flush(); }, wait);
	}
	function body(batch) {
		return JSON.stringify({ sentAt: Date.now(), events: batch });
	}
	function drop(ids) {
		save(load().filter(function (e) { return ids.indexOf(e.id) < 0; }));
	}
	function flush() {
		var q = load(), batch = q.slice(0, BATCH), ids;
		if (sending || !batch.length)
			return;
		if (Date.now() < retryAt)
			return schedule(0);
		ids = batch.map(function (e) { return e.id; });
		sending = true;
		fetch(ENDPOINT, {
			method: 'POST', body: body(batch), keepalive: true,
			credentials: 'omit', headers: { 'Content-Type': 'text/plain' }
		}).then(function (r) {
			if (r.status == 202 || r.status == 400 || r.status == 413 ||
			    r.status == 415) {
				/* Delivered, or never deliverable: either way done. */
				if (r.status != 202)
					console.warn('tracker: batch refused with ' + r.status);
				drop(ids);
				failures = 0;
				retryAt = 0;
				w.dispatchEvent(new CustomEvent('tracker:sent', { detail: ids }));
			} else
				fail(r.headers.get('Retry-After'));
		}, function () {
			fail(null);
		}).then(function () {
			sending = false;
			if (load().length)
				schedule(failures ? 0 : 50);
		});
	}
	/* Capped exponential backoff with jitter; Retry-After when given. */
	function fail(after) {
		var secs = parseInt(after, 10);
		failures++;
		retryAt = Date.now() + (secs >= 0 ? secs * 1000 :
		    Math.min(MAX_WAIT, 500 * Math.pow(2, failures)) * (0.5 + Math.random() / 2));
	}
	/* Page hide: hand everything pending to the browser.  The events stay
	 * queued; if the beacon is lost they go again on the next visit, and
	 * their ids keep the store from holding them twice. */
	function beacon() {
		var q = load().slice(0, 100), b = body(q);
		if (!q.length || !navigator.sendBeacon || Date.now() - beaconed < 1000)
			return;
		/* Beacons are capped at 64 KiB a page. */
		while (b.length > 6e4 && q.length > 1)
			b = body(q = q.slice(0, q.length >> 1));
		beaconed = Date.now();
		navigator.sendBeacon(ENDPOINT, new Blob([b], { type: 'text/plain' }));
	}
	function selector(el) {
		var parts = [], p, i, cls;
		for (i = 0; el && el.nodeType == 1 && i < 3; i++, el = el.parentElement) {
			if (el.id) {
				parts.unshift('#' + (w.CSS && CSS.escape ? CSS.escape(el.id) : el.id));
				break;
			}
			p = el.tagName.toLowerCase();
			cls = typeof el.className == 'string' ? el.className.trim().split(/\s+/) : [];
			if (cls[0])
				p += '.' + cls.slice(0, 2).join('.');
			parts.unshift(p);
		}
		return cut(parts.join(' > '), 256);
	}
	function pageview() {
		if (location.href == lastUrl)
			return;
		lastUrl = location.href;
		track('pageview', { vw: innerWidth, vh: innerHeight });
	}

	if (opt('clicks', 'true') != 'false')
		d.addEventListener('click', function (e) {
			var t = e.target;
			if (!(t instanceof Element) || !allow())
				return;
			track('click', {
				x: Math.round(e.pageX), y: Math.round(e.pageY),
				vw: innerWidth, vh: innerHeight, selector: selector(t),
				tag: t.tagName.toLowerCase(),
				text: cut((t.innerText || t.textContent || '').replace(/\s+/g, ' ').trim(), 64, 1)
			});
		}, true);
	if (opt('pageviews', 'true') != 'false') {
		['pushState', 'replaceState'].forEach(function (m) {
			var orig = history[m];
			history[m] = function () {
				var r = orig.apply(this, arguments);
				pageview();
				return r;
			};
		});
		w.addEventListener('popstate', pageview);
		w.addEventListener('hashchange', pageview);
		pageview();
	}
	d.addEventListener('visibilitychange', function () {
		if (d.visibilityState == 'hidden')
			beacon();
		else
			schedule(0);
	});
	w.addEventListener('pagehide', beacon);
	w.addEventListener('online', function () { retryAt = 0; schedule(0); });
	w.tracker = {
		track: track, flush: function () { retryAt = 0; flush(); },
		queued: function () { return load().length; }
	};
	if (load().length)
		schedule(0);	/* left over from an earlier visit */
})(window, document);
