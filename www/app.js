/*
 * The events page: the latest events (GET /events) with their details,
 * a chart of events over the chosen range by type and breakdowns (GET
 * /events/stats), filters, pages, and a switch for recording the page's
 * own clicks.
 *
 * Every value that came from a client is attacker-controlled: it goes
 * into the page with textContent or as an attribute value, never as
 * HTML.  URLs are relative to the page, so it works from a folder too.
 */
(function () {
	'use strict';
	var PAGE = 25, POLL = 3000, SVG = 'http://www.w3.org/2000/svg';
	var OWN = 'events.page.ownClicks', TOKEN = 'events.page.token';
	var MIN = 6e4, HOUR = 36e5, DAY = 864e5;
	var $ = function (id) { return document.getElementById(id); };
	var root = document.documentElement;

	/* The switch comes first, before track.js runs: data-track="off" on
	 * <html> keeps the page's own clicks and page view out of the
	 * store.  The page says the default; a choice made here sticks. */
	function store(kind) {
		try {
			return window[kind];
		} catch (e) {
			return null;
		}
	}
	function ownClicks(on, remember) {
		if (on)
			root.removeAttribute('data-track');
		else
			root.setAttribute('data-track', 'off');
		if (remember && store('localStorage'))
			try { localStorage.setItem(OWN, on ? 'on' : 'off'); } catch (e) { /* private mode */ }
		$('own').setAttribute('aria-checked', String(on));
	}
	var saved = store('localStorage') && localStorage.getItem(OWN);
	ownClicks(saved ? saved == 'on' : root.getAttribute('data-track') != 'off', false);

	var st = {
		token: (store('sessionStorage') && sessionStorage.getItem(TOKEN)) || '',
		live: true, timer: 0,
		qid: 0,			/* bumped whenever the filters change */
		filters: null,		/* {type, range} in force */
		page: 0, cursors: [null],
		seen: null,		/* ids shown for these filters; null: none yet */
		open: {},		/* ids of the rows shown expanded */
		ctl: {},		/* the request in flight per panel */
		running: null,		/* the refresh in flight (a promise) */
		again: false,		/* a look again asked for meanwhile */
		stats: null
	};

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text != null)
			e.textContent = String(text);
		return e;
	}
	function svg(tag, attrs) {
		var e = document.createElementNS(SVG, tag);
		for (var k in attrs)
			e.setAttribute(k, attrs[k]);
		return e;
	}
	/* A type's colour, from its name alone: the same on every load and
	 * every machine.  FNV-1a of the name picks one of twelve colours
	 * far enough apart to tell bars apart. */
	var PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2',
	    '#ca8a04', '#dc2626', '#4338ca', '#059669', '#c026d3', '#65a30d'];
	function color(type) {
		if (type == '(other)')
			return '#64748b';
		var h = 0x811c9dc5;
		for (var i = 0; i < type.length; i++) {
			h ^= type.charCodeAt(i);
			h = Math.imul(h, 0x01000193) >>> 0;
		}
		return PALETTE[h % PALETTE.length];
	}

	/* The filters as the form says them, or {error}. */
	var TYPE = /^[A-Za-z0-9_.:-]{1,64}$/;
	function readFilters() {
		var t = $('type').value.trim();
		if (t && !TYPE.test(t))
			return { error: 'Type: 1 to 64 letters, digits or _ . : - (no spaces)' };
		return { type: t, range: $('range').value };
	}
	var RANGES = {
		'900000': { bucket: MIN, name: 'minute', label: 'the last 15 minutes' },
		'3600000': { bucket: MIN, name: 'minute', label: 'the last hour' },
		'86400000': { bucket: HOUR, name: 'hour', label: 'the last 24 hours' },
		'604800000': { bucket: HOUR, name: 'hour', label: 'the last 7 days' },
		'2592000000': { bucket: DAY, name: 'day', label: 'the last 30 days' },
		'': { bucket: DAY, name: 'day', label: 'all time' }
	};
	/* Query parameters for the filters in force, since now minus the range. */
	function params(f, since) {
		var q = new URLSearchParams();
		if (f.type)
			q.set('type', f.type);
		if (since != null)
			q.set('since', new Date(since).toISOString());
		else if (f.range)
			q.set('since', new Date(Date.now() - Number(f.range)).toISOString());
		return q;
	}

	/* GET path as JSON, with the read token when there is one.  A newer
	 * request for the same panel cancels this one: the newest wins. */
	function api(path, panel) {
		if (st.ctl[panel])
			st.ctl[panel].abort();
		var ctl = st.ctl[panel] = new AbortController(), headers = { Accept: 'application/json' };
		if (st.token)
			headers.Authorization = 'Bearer ' + st.token;
		return fetch(path, { headers: headers, signal: ctl.signal, cache: 'no-store' }).then(function (r) {
			return r.json().catch(function () { return null; }).then(function (body) {
				if (r.ok && body)
					return body;
				var e = new Error(body && body.error ? body.error.message :
				    r.status == 502 || r.status == 503 || r.status == 504 ?
				    'The event store is unreachable; retrying.' : 'The server answered ' + r.status + '.');
				e.status = r.status;
				e.code = body && body.error ? body.error.code : '';
				throw e;
			});
		}).finally(function () {
			if (st.ctl[panel] === ctl)
				st.ctl[panel] = null;
		});
	}
	function aborted(e) {
		return e && e.name == 'AbortError';
	}

	function status(text, bad) {
		$('status').textContent = text || '';
		$('status').className = 'status' + (bad ? ' bad' : '');
	}

	/* The read token: asked for when the server answers 401, kept for
	 * this tab's session only. */
	function needToken(e) {
		var form = $('token-form'), had = !!st.token;
		setToken('');
		form.hidden = false;
		$('token-title').textContent = had ? 'That read token was refused' : 'A read token is needed';
		if (had)
			$('token').value = '';
		status(e.message, true);
		if (document.activeElement == document.body || !document.activeElement)
			$('token').focus();
	}
	function setToken(t) {
		st.token = t;
		$('forget').hidden = !t;
		var ss = store('sessionStorage');
		try {
			if (t)
				ss.setItem(TOKEN, t);
			else if (ss)
				ss.removeItem(TOKEN);
		} catch (e) { /* kept in memory only */ }
	}

	function fmtTime(ms, full) {
		var d = new Date(ms), now = new Date();
		var t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
		if (full)
			return d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' }) + ' (' + d.toISOString() + ')';
		return d.toDateString() == now.toDateString() ? t :
		    d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + t;
	}
	/* A value in a line: strings bare, the rest as JSON. */
	function short(v) {
		if (typeof v == 'string')
			return v;
		if (Array.isArray(v))
			return '[' + v.length + ']';
		if (v && typeof v == 'object')
			return '{\u2026}';
		return JSON.stringify(v);
	}
	/* A metadata summary of at most about 90 characters: a click's
	 * target, text and position; otherwise key: value pairs. */
	function summary(m) {
		if (!m || typeof m != 'object')
			return '\u2014';
		var parts = [], s;
		if (typeof m.selector == 'string') {
			parts.push(m.selector);
			if (m.text)
				parts.push('\u201c' + m.text + '\u201d');
			if (typeof m.x == 'number' && typeof m.y == 'number')
				parts.push('at ' + m.x + ', ' + m.y);
			s = parts.join(' ');
		} else {
			for (var k in m)
				parts.push(k + ': ' + short(m[k]));
			s = parts.join(', ');
		}
		if (!s)
			return '\u2014';
		return s.length > 90 ? s.slice(0, 89) + '\u2026' : s;
	}
	/* The metadata as an indented tree: keys, and values as JSON. */
	function tree(v) {
		var ul = el('ul', 'tree'), keys, li;
		keys = Array.isArray(v) ? v.map(function (_, i) { return i; }) : Object.keys(v);
		if (!keys.length)
			ul.appendChild(el('li', 'empty', Array.isArray(v) ? '(empty list)' : '(empty)'));
		keys.forEach(function (k) {
			var x = v[k];
			li = el('li');
			li.appendChild(el('span', 'k', Array.isArray(v) ? '[' + k + ']' : k));
			if (x && typeof x == 'object') {
				li.appendChild(el('span', 'p', Array.isArray(x) ? ' [' + x.length + ']' : ''));
				li.appendChild(tree(x));
			} else {
				li.appendChild(el('span', 'p', ': '));
				li.appendChild(el('span', 'v ' + (x === null ? 'null' : typeof x), JSON.stringify(x)));
			}
			ul.appendChild(li);
		});
		return ul;
	}
	/* Everything the event holds, for its expanded row. */
	function details(ev) {
		var box = el('div', 'details'), dl = el('dl'), p = ev.page && typeof ev.page == 'object' ? ev.page : {};
		function item(label, value, cls) {
			if (value == null || value === '')
				return;
			dl.appendChild(el('dt', null, label));
			dl.appendChild(el('dd', cls, value));
		}
		item('Happened', ev.createdAt != null ? fmtTime(ev.createdAt, true) : null);
		item('Received', ev.receivedAt != null ? fmtTime(ev.receivedAt, true) : null);
		item('Client clock', ev.clientTs != null ? fmtTime(ev.clientTs, true) + ', not trusted: too far from the server\'s' : null);
		item('Id', ev.id, 'mono');
		item('Page URL', p.url, 'mono');
		if (p.url)
			try { item('Host', new URL(p.url).host, 'mono'); } catch (e) { /* not a URL */ }
		item('Path', p.path, 'mono');
		item('Referrer', p.referrer, 'mono');
		item('Title', p.title);
		item('Browser', ev.ua);
		item('Address', ev.ip, 'mono');
		box.appendChild(dl);
		var m = el('div', 'meta');
		m.appendChild(el('h3', null, 'Metadata'));
		if (ev.metadata && typeof ev.metadata == 'object')
			m.appendChild(tree(ev.metadata));
		else
			m.appendChild(el('p', 'none', 'none'));
		box.appendChild(m);
		return box;
	}
	function cell(tr, label, cls, text) {
		var td = el('td', cls, text);
		td.setAttribute('data-label', label);
		tr.appendChild(td);
		return td;
	}
	var nrow = 0;
	/* Two rows per event: the line, and its details (hidden until the
	 * time's button, or a click on the line, opens them). */
	function rows(ev, fresh) {
		var tr = el('tr', 'event' + (fresh ? ' new' : '')), td, b, id = String(ev.id),
		    det = el('tr', 'detail'), did = 'detail-' + (++nrow), open = !!st.open[id];
		var p = ev.page && typeof ev.page == 'object' ? ev.page : {};
		tr.setAttribute('data-id', id);
		td = cell(tr, 'Time', 'time');
		b = el('button', 'expand');
		b.type = 'button';
		b.setAttribute('aria-expanded', String(open));
		b.setAttribute('aria-controls', did);
		b.appendChild(el('span', 'chev', '\u25b8')).setAttribute('aria-hidden', 'true');
		b.appendChild(el('span', null, ev.createdAt != null ? fmtTime(ev.createdAt) : '?'));
		b.appendChild(el('span', 'visually-hidden', ', details'));
		td.appendChild(b);
		td = cell(tr, 'Type', 'type');
		var badge = el('span', 'badge', ev.type);
		badge.style.setProperty('--c', color(String(ev.type)));
		td.appendChild(badge);
		cell(tr, 'Details', 'summary', summary(ev.metadata));
		td = cell(tr, 'Page', 'page', p.path || p.url || '\u2014');
		if (p.url)
			td.title = String(p.url);
		det.id = did;
		det.hidden = !open;
		td = el('td');
		td.colSpan = 4;
		td.appendChild(details(ev));
		det.appendChild(td);
		function toggle() {
			var o = b.getAttribute('aria-expanded') != 'true';
			b.setAttribute('aria-expanded', String(o));
			det.hidden = !o;
			if (o)
				st.open[id] = 1;
			else
				delete st.open[id];
		}
		b.addEventListener('click', function (e) { e.stopPropagation(); toggle(); });
		tr.addEventListener('click', function () {
			if (!String(window.getSelection && window.getSelection()))
				toggle();
		});
		return [tr, det];
	}
	function emptyRow(text) {
		var tr = el('tr', 'empty'), td = el('td', null, text);
		td.colSpan = 4;
		tr.appendChild(td);
		return tr;
	}
	function emptyText(f) {
		var r = RANGES[f.range].label;
		if (st.page)
			return 'No older events.';
		if (f.type)
			return 'No \u201c' + f.type + '\u201d events in ' + r + ': no events match.';
		if (f.range)
			return 'No events in ' + r + '.';
		return root.getAttribute('data-track') == 'off' ?
		    'No events yet: put the tag below on a site, or turn on \u201cRecord my clicks here\u201d.' :
		    'No events yet: click somewhere on this page.';
	}
	function showRows(list) {
		$('rows').replaceChildren.apply($('rows'), list);
	}

	/* The table, for the filters in force; why: "poll" (new rows are
	 * marked), "filters" or "page". */
	async function loadEvents(why) {
		var qid = st.qid, f = st.filters, q = params(f), cur = st.cursors[st.page], body;
		q.set('limit', PAGE);
		if (cur)
			q.set('cursor', cur);
		body = await api('events?' + q, 'events');
		if (qid != st.qid)
			return;
		var out = [], seen = {}, mark = why == 'poll' && st.seen && st.page == 0,
		    sig = JSON.stringify(body.events), focus = document.activeElement, fid = null;
		/* Nothing new: leave the rows (and the keyboard focus) alone. */
		if (why == 'poll' && sig == st.sig)
			return;
		if (focus && $('rows').contains(focus) && focus.closest('tr.event'))
			fid = focus.closest('tr.event').getAttribute('data-id');
		body.events.forEach(function (ev) {
			out.push.apply(out, rows(ev, mark && !st.seen[ev.id]));
			seen[ev.id] = 1;
		});
		if (!out.length)
			out.push(emptyRow(emptyText(f)));
		showRows(out);
		st.sig = sig;
		st.seen = seen;
		/* A row that had the focus keeps it across the update. */
		if (fid != null)
			out.forEach(function (tr) {
				if (tr.getAttribute('data-id') === fid)
					tr.querySelector('.expand').focus();
			});
		st.cursors[st.page + 1] = body.next;
		pager(!body.next, st.page == 0);
		$('page-label').textContent = 'Page ' + (st.page + 1);
	}

	/* Older and Newer turned on or off; a button that goes off while it
	 * has the keyboard focus hands it to the other (or to the page
	 * label), so the focus does not fall to the page's top. */
	function pager(noNext, noPrev) {
		var f = document.activeElement, next = $('next'), prev = $('prev');
		next.disabled = noNext;
		prev.disabled = noPrev;
		if ((f === next && noNext) || (f === prev && noPrev))
			(f === next ? (noPrev ? $('page-label') : prev) : (noNext ? $('page-label') : next)).focus();
	}

	/* Whole-number ticks for whole counts: a step of 1, 2 or 5 times a
	 * power of ten, about four of them. */
	function ticks(max) {
		var raw = Math.max(1, max / 4), p = Math.pow(10, Math.floor(Math.log10(raw))), step;
		step = [1, 2, 5, 10].map(function (m) { return m * p; }).find(function (s) { return s >= raw; });
		step = Math.max(1, Math.ceil(step));
		var top = Math.max(step, Math.ceil(max / step) * step), out = [];
		for (var v = 0; v <= top; v += step)
			out.push(v);
		return out;
	}
	async function loadChart() {
		var qid = st.qid, f = st.filters, r = RANGES[f.range], now = Date.now();
		var span = f.range ? Number(f.range) : 1439 * DAY;
		var since = Math.floor((now - span) / r.bucket) * r.bucket, q = params(f, since);
		q.set('bucket', r.name);
		var s = await api('events/stats?' + q, 'chart');
		if (qid != st.qid)
			return;
		/* All time: from the first bucket with an event. */
		if (!f.range) {
			var first = s.buckets.findIndex(function (b) { return Object.keys(b.counts).length; });
			s.buckets = s.buckets.slice(Math.max(0, Math.min(first < 0 ? s.buckets.length : first,
			    s.buckets.length - 7)));
		}
		$('chart-title').textContent = 'Events per ' + r.name + ', ' + r.label;
		chart(s);
	}
	function chart(s) {
		st.stats = s;
		var box = $('chart'), W = Math.max(box.clientWidth, 200), H = Math.max(box.clientHeight, 100);
		var L = 40, B = 22, T = 8, n = s.buckets.length, max = 0;
		var plot = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'plot', 'aria-hidden': 'true' });
		s.buckets.forEach(function (b) {
			var sum = 0;
			for (var k in b.counts)
				sum += b.counts[k];
			max = Math.max(max, sum);
		});
		var tk = ticks(max), top = tk[tk.length - 1], bw = (W - L) / Math.max(n, 1);
		tk.forEach(function (v) {
			var y = T + (H - B - T) * (1 - v / top);
			plot.appendChild(svg('line', { x1: L, x2: W, y1: y, y2: y, class: 'grid' }));
			var lab = svg('text', { x: L - 6, y: y + 4, class: 'axis tick', 'text-anchor': 'end' });
			lab.textContent = String(v);
			plot.appendChild(lab);
		});
		var every = Math.ceil(n / Math.max(2, Math.floor(W / 70))), day = s.bucket == 'day';
		function when(d) {
			return day ? d.toLocaleDateString([], { month: 'short', day: 'numeric' }) :
			    d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
		}
		s.buckets.forEach(function (b, i) {
			var y = H - B, x = L + i * bw, d = new Date(b.start);
			s.types.forEach(function (type) {
				var c = b.counts[type] || 0, h = (H - B - T) * c / top;
				if (!c)
					return;
				y -= h;
				var r = svg('rect', { x: x + 1, y: y, width: Math.max(bw - 2, 1), height: h, fill: color(type) });
				var tip = svg('title', {});
				tip.textContent = type + ': ' + c + ', ' + when(d);
				r.appendChild(tip);
				plot.appendChild(r);
			});
			if ((i % every == 0 && n - 1 - i >= every / 2) || i == n - 1) {
				var t = svg('text', { x: i == n - 1 ? W : x + bw / 2, y: H - 6, class: 'axis',
				    'text-anchor': i == n - 1 ? 'end' : 'middle' });
				t.textContent = when(d);
				plot.appendChild(t);
			}
		});
		var total = 0;
		for (var k in s.totals)
			total += s.totals[k];
		box.setAttribute('aria-label', 'Events per ' + s.bucket + ' by type: ' + total + ' in all' +
		    s.types.map(function (t) { return ', ' + t + ' ' + s.totals[t]; }).join(''));
		box.replaceChildren(plot);
		var legend = [];
		s.types.forEach(function (type) {
			var li = el('li'), sw = el('span', 'swatch');
			sw.style.setProperty('--c', color(type));
			li.appendChild(sw);
			li.appendChild(document.createTextNode(type + ' ' + s.totals[type]));
			legend.push(li);
		});
		if (!s.types.length)
			legend.push(el('li', 'none', 'no events'));
		$('legend').replaceChildren.apply($('legend'), legend);
	}

	/* The breakdowns: top values of a field over the range. */
	var BY = [
		{ id: 'by-path', by: 'path' }, { id: 'by-referrer', by: 'referrer' },
		{ id: 'by-type', by: 'type', pick: true }, { id: 'by-key', key: true }
	];
	function fmtValue(v, by) {
		if (v === null || v === undefined)
			return by == 'referrer' ? '(none)' : '(not set)';
		if (v === '')
			return by == 'referrer' ? '(direct)' : '(empty)';
		return short(v);
	}
	async function loadBreakdown(b) {
		var qid = st.qid, f = st.filters, q = params(f), by = b.by, list = $(b.id), s;
		if (b.key) {
			var k = $('key').value.trim();
			if (!k) {
				list.replaceChildren(el('li', 'none', 'Choose a metadata key.'));
				return;
			}
			by = 'metadata.' + k;
		}
		q.set('by', by);
		q.set('limit', '10');
		try {
			s = await api('events/stats?' + q, b.id);
		} catch (e) {
			if (qid == st.qid && !aborted(e) && e.status != 401)
				list.replaceChildren(el('li', 'none bad', e.message));
			throw e;
		}
		if (qid != st.qid)
			return;
		var max = s.values.length ? s.values[0].count : 0, out = [];
		s.values.forEach(function (x) {
			var li = el('li'), bar = el('span', 'bar'), label = fmtValue(x.value, by), name;
			bar.style.setProperty('--w', (100 * x.count / max).toFixed(1) + '%');
			if (b.pick && typeof x.value == 'string') {
				name = el('button', 'name link', label);
				name.type = 'button';
				name.title = 'Show only ' + label + ' events';
				name.addEventListener('click', function () {
					$('type').value = x.value;
					changed();
				});
			} else
				name = el('span', 'name', label);
			if (b.pick)
				bar.style.setProperty('--c', color(String(x.value)));
			li.appendChild(bar);
			li.appendChild(name);
			li.appendChild(el('span', 'count', x.count));
			out.push(li);
			if (b.pick && typeof x.value == 'string')
				st.types[x.value] = 1;
		});
		/* other counts events; distinct - shown, the values left (a
		 * lower bound when the count was cut short). */
		if (s.other) {
			var rest = s.distinct - s.values.length, evs = s.other + ' event' + (s.other == 1 ? '' : 's');
			out.push(el('li', 'other', rest > 0 ? 'and ' + rest + (s.truncated ? '+' : '') +
			    ' more (' + evs + ')' : 'and ' + evs + ' more'));
		}
		if (!out.length)
			out.push(el('li', 'none', 'nothing in ' + RANGES[f.range].label));
		list.replaceChildren.apply(list, out);
		if (b.pick)
			fillTypes();
	}
	/* The types to pick from: those the breakdown and chart have seen. */
	function fillTypes() {
		var opts = Object.keys(st.types).sort().map(function (t) {
			var o = document.createElement('option');
			o.value = t;
			return o;
		});
		$('types').replaceChildren.apply($('types'), opts);
	}

	/* Everything, for the filters in force.  A refused token asks for
	 * one; a refused filter shows the server's message in place of the
	 * table; a breakdown's own error stays in its card.
	 *
	 * A look again ("poll": the timer, or the tracker having sent) never
	 * cancels a refresh in flight: the server goes on with a cancelled
	 * request all the same, so cancelling and asking again piles work on
	 * it when its answers are slow (statistics over many events).  It
	 * waits for the one in flight and runs once after it.  New filters
	 * do cancel (the newest wins). */
	function refresh(why) {
		var p;
		if (why == 'poll' && st.running) {
			st.again = true;
			return st.running;
		}
		st.again = false;
		p = st.running = refreshNow(why).finally(function () {
			if (st.running !== p)
				return;
			st.running = null;
			if (st.again && st.live && st.filters && document.visibilityState == 'visible')
				return refresh('poll');
		});
		return p;
	}
	async function refreshNow(why) {
		var qid = st.qid, main = [], res, err = null;
		/* The table first: the FastCGI programs answer in turn, and
		 * the latest events are quick, while a chart or a breakdown
		 * may take seconds. */
		if (st.page == 0 || why != 'poll')
			main.push(loadEvents(why));
		main.push(loadChart());
		res = await Promise.allSettled(main.concat(BY.map(loadBreakdown)));
		if (qid != st.qid)
			return;
		res.forEach(function (r, i) {
			var e = r.status == 'rejected' && !aborted(r.reason) ? r.reason : null;
			if (e && (e.status == 401 || (i < main.length && !err)))
				err = e;
		});
		if (err && err.status == 401)
			return needToken(err);
		$('token-form').hidden = true;
		if (err && err.status == 400) {
			showRows([emptyRow('The server refused the filters: ' + err.message)]);
			st.seen = null;
		}
		(st.stats && st.stats.types || []).forEach(function (t) { st.types[t] = 1; });
		fillTypes();
		status(err ? err.message : '', !!err);
	}

	/* While live and visible, look again every POLL ms (now first when
	 * asked); a hidden tab costs the server nothing. */
	function poll(now) {
		clearTimeout(st.timer);
		st.timer = 0;
		var on = st.live && document.visibilityState == 'visible' && st.filters, qid = st.qid;
		$('live').classList.toggle('on', st.live);
		$('live').setAttribute('aria-pressed', String(!st.live));
		$('live-label').textContent = st.live ? 'Live' : 'Paused';
		$('live').title = st.live ? 'Pause: keep the table and the chart as they are' : 'Resume live updates';
		if (!on)
			return;
		function next() {
			if (st.live && !st.timer && qid == st.qid && document.visibilityState == 'visible')
				st.timer = setTimeout(function () {
					st.timer = 0;
					refresh('poll').then(next);
				}, POLL);
		}
		if (now)
			refresh('poll').then(next);
		else
			next();
	}
	/* The filters changed: start over with them (force: even if they
	 * read as before, as after a new token). */
	function changed(force) {
		var f = readFilters();
		if (force !== true && st.filters && !f.error && f.type == st.filters.type &&
		    f.range == st.filters.range)
			return;
		st.qid++;
		st.sig = null;
		st.page = 0;
		st.cursors = [null];
		st.seen = null;
		clearTimeout(st.timer);
		st.timer = 0;
		Object.keys(st.ctl).forEach(function (k) {
			if (st.ctl[k])
				st.ctl[k].abort();
		});
		$('type-error').textContent = f.error || '';
		$('type').setAttribute('aria-invalid', String(!!f.error));
		if (f.error) {
			/* Nothing on show may stand for a filter not in force. */
			st.filters = null;
			st.stats = null;
			showRows([emptyRow('Fix the filter above to see events.')]);
			pager(true, true);
			$('chart').replaceChildren();
			$('legend').replaceChildren();
			BY.forEach(function (b) { $(b.id).replaceChildren(); });
			status('');
			return;
		}
		/* Put right after an invalid filter: no "fix the filter" while
		 * the answer comes.  (At the first load the table is empty.) */
		if (!st.filters && $('rows').querySelector('tr.empty'))
			showRows([emptyRow('Loading\u2026')]);
		st.filters = f;
		var qid = st.qid;
		refresh('filters').then(function () {
			if (qid == st.qid)
				poll(false);
		});
	}

	$('own').addEventListener('click', function () {
		ownClicks($('own').getAttribute('aria-checked') != 'true', true);
		if (st.filters && st.seen && !Object.keys(st.seen).length)
			refresh('filters');	/* the empty table's words change */
	});
	$('live').addEventListener('click', function () {
		st.live = !st.live;
		poll(true);
	});
	document.addEventListener('visibilitychange', function () {
		poll(true);
	});
	window.addEventListener('resize', function () {
		if (st.stats)
			chart(st.stats);
	});
	$('filters').addEventListener('submit', function (e) { e.preventDefault(); changed(); });
	$('type').addEventListener('change', changed);
	$('range').addEventListener('change', changed);
	$('clear').addEventListener('click', function () {
		$('type').value = '';
		$('range').value = '86400000';
		changed(true);
	});
	$('key-form').addEventListener('submit', function (e) {
		e.preventDefault();
		if (st.filters)
			loadBreakdown(BY[3]).catch(function () {});
	});
	$('key').addEventListener('change', function () {
		if (st.filters)
			loadBreakdown(BY[3]).catch(function () {});
	});
	$('token-form').addEventListener('submit', function (e) {
		e.preventDefault();
		setToken($('token').value.trim());
		/* Taken as right until the server says otherwise (a 401 asks
		 * again): the events it brings may come long before the
		 * counts, and the refusal must not stay on show beside them. */
		$('token-form').hidden = true;
		status('');
		changed(true);
	});
	$('forget').addEventListener('click', function () {
		setToken('');
		changed(true);
	});
	function turn(d) {
		if (!st.filters || (d > 0 && !st.cursors[st.page + 1]) || (d < 0 && st.page == 0))
			return;
		st.page += d;
		st.seen = null;
		st.sig = null;
		loadEvents('page').then(function () { status(''); }, function (e) {
			if (!aborted(e))
				status(e.message, true);
		});
	}
	$('next').addEventListener('click', function () { turn(1); });
	$('prev').addEventListener('click', function () { turn(-1); });
	/* The page's own clicks reach the store a moment after the tracker
	 * sends them: look again shortly, unless paused. */
	window.addEventListener('tracker:sent', function () {
		[400, 1500].forEach(function (ms) {
			setTimeout(function () {
				if (st.live && st.filters && document.visibilityState == 'visible')
					refresh('poll');
			}, ms);
		});
	});
	/* The tag to embed, with this server's absolute URLs. */
	var src = new URL('track.js', location.href).href, end = new URL('events', location.href).href;
	$('snippet').textContent = '<script src="' + src + '" defer data-endpoint="' + end + '"></script>';
	$('copy').addEventListener('click', function () {
		if (!navigator.clipboard)
			return;
		navigator.clipboard.writeText($('snippet').textContent).then(function () {
			$('copy').textContent = 'Copied';
			setTimeout(function () { $('copy').textContent = 'Copy'; }, 1500);
		}, function () {});
	});

	st.types = {};
	$('forget').hidden = !st.token;
	changed(true);
})();
