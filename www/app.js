/*
 * The events page: the latest events (GET /events) with filters and
 * pages, and a chart of events per minute by type (GET /events/stats).
 * Every value that came from a client is attacker-controlled: it goes
 * into the page with textContent or as an attribute value, never as
 * HTML.
 */
(function () {
	'use strict';
	var PAGE = 25, POLL = 2000, SVG = 'http://www.w3.org/2000/svg';
	var PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed',
	    '#0891b2', '#ca8a04', '#dc2626', '#4f46e5', '#059669'];
	var $ = function (id) { return document.getElementById(id); };
	var st = { cursors: [null], page: 0, live: true, timer: 0, seen: {}, first: true, busy: false };

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
	/* One colour per type for the life of the page, in the order the
	 * types are first seen (the busiest come first from the stats). */
	var colors = { '(other)': '#94a3b8' }, ncolors = 0;
	function color(type) {
		if (!Object.prototype.hasOwnProperty.call(colors, type))
			colors[type] = PALETTE[ncolors++ % PALETTE.length];
		return colors[type];
	}
	function query() {
		var q = [], t = $('type').value.trim(), r = $('range').value;
		if (t && $('type').checkValidity())
			q.push('type=' + encodeURIComponent(t));
		if (r)
			q.push('since=' + new Date(Date.now() - Number(r)).toISOString());
		return q;
	}
	function status(text, bad) {
		$('status').textContent = text || '';
		$('status').className = 'status' + (bad ? ' bad' : '');
	}
	async function get(url) {
		var r = await fetch(url, { headers: { Accept: 'application/json' } });
		var body = await r.json().catch(function () { return null; });
		if (!r.ok) {
			var msg = body && body.error ? body.error.message : r.statusText;
			throw new Error(r.status == 503 ? 'The event store is unreachable; retrying.' : msg);
		}
		return body;
	}

	function fmtTime(iso) {
		var d = new Date(iso), now = new Date();
		var t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
		return d.toDateString() == now.toDateString() ? t :
		    d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + t;
	}
	function cell(tr, label, cls, text) {
		var td = el('td', cls, text);
		td.setAttribute('data-label', label);
		tr.appendChild(td);
		return td;
	}
	function row(ev) {
		var m = ev.metadata && typeof ev.metadata == 'object' ? ev.metadata : {};
		var p = ev.page && typeof ev.page == 'object' ? ev.page : {};
		var tr = el('tr'), td, badge;
		if (!st.first && !st.seen[ev.id])
			tr.className = 'new';
		tr.setAttribute('data-id', String(ev.id));
		td = cell(tr, 'Time', 'time', fmtTime(ev.createdAt));
		td.title = String(ev.createdAt);
		td = cell(tr, 'Type', 'type');
		badge = el('span', 'badge', ev.type);
		badge.style.setProperty('--c', color(String(ev.type)));
		td.appendChild(badge);
		cell(tr, 'x, y', 'xy', typeof m.x == 'number' && typeof m.y == 'number' ?
		    m.x + ', ' + m.y : '\u2014');
		td = cell(tr, 'Target', 'target').appendChild(el('div'));
		td.appendChild(el('span', 'sel', m.selector != null ? m.selector :
		    m.target != null ? m.target : '\u2014'));
		if (m.text)
			td.appendChild(el('span', 'text', m.text));
		td = cell(tr, 'Page', 'page', p.path || p.url || '\u2014');
		if (p.url)
			td.title = String(p.url);
		return tr;
	}
	async function loadEvents() {
		var q = query(), cur = st.cursors[st.page], body, rows, seen = {};
		q.push('limit=' + PAGE);
		if (cur)
			q.push('cursor=' + encodeURIComponent(cur));
		body = await get('/events?' + q.join('&'));
		rows = document.createDocumentFragment();
		body.events.forEach(function (ev) {
			rows.appendChild(row(ev));
			seen[ev.id] = 1;
		});
		if (!body.events.length) {
			var tr = el('tr', 'empty'), td = el('td', null,
			    st.page ? 'No older events.' : 'No events yet: click somewhere on this page.');
			td.colSpan = 5;
			tr.appendChild(td);
			rows.appendChild(tr);
		}
		$('rows').replaceChildren(rows);
		st.seen = seen;
		st.first = false;
		st.cursors[st.page + 1] = body.next;
		$('next').disabled = !body.next;
		$('prev').disabled = st.page == 0;
		$('page-label').textContent = 'Page ' + (st.page + 1);
	}

	async function loadStats() {
		var since = new Date(Math.floor(Date.now() / 6e4) * 6e4 - 59 * 6e4).toISOString();
		var q = ['bucket=minute', 'since=' + since], t = $('type').value.trim();
		if (t && $('type').checkValidity())
			q.push('type=' + encodeURIComponent(t));
		chart(await get('/events/stats?' + q.join('&')));
	}
	function chart(s) {
		st.stats = s;
		/* Drawn at the box's own size, so text is never stretched. */
		var W = Math.max($('chart').clientWidth, 200), H = Math.max($('chart').clientHeight, 100);
		var L = 34, B = 22, T = 8, n = s.buckets.length, every = W < 500 ? 20 : 10;
		var max = 1, box = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'plot' });
		s.buckets.forEach(function (b) {
			var sum = 0;
			for (var k in b.counts)
				sum += b.counts[k];
			max = Math.max(max, sum);
		});
		var step = Math.pow(10, Math.floor(Math.log10(max)));
		var top = Math.ceil(max / step) * step, bw = (W - L) / Math.max(n, 1);
		for (var g = 0; g <= 4; g++) {
			var y = T + (H - B - T) * (1 - g / 4), v = top * g / 4;
			box.appendChild(svg('line', { x1: L, x2: W, y1: y, y2: y, class: 'grid' }));
			var lab = svg('text', { x: L - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' });
			lab.textContent = Number.isInteger(v) ? v : v.toFixed(1);
			box.appendChild(lab);
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
				tip.textContent = type + ': ' + c + ' at ' + d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
				r.appendChild(tip);
				box.appendChild(r);
			});
			if ((i % every == 0 && n - 1 - i >= every / 2) || i == n - 1) {
				var t = svg('text', { x: i == n - 1 ? W : x + bw / 2, y: H - 6, class: 'axis',
				    'text-anchor': i == n - 1 ? 'end' : 'middle' });
				t.textContent = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
				box.appendChild(t);
			}
		});
		$('chart').replaceChildren(box);
		var legend = document.createDocumentFragment(), types = document.createDocumentFragment();
		s.types.forEach(function (type) {
			var li = el('li'), sw = el('span', 'swatch');
			sw.style.setProperty('--c', color(type));
			li.appendChild(sw);
			li.appendChild(document.createTextNode(type + ' ' + s.totals[type]));
			legend.appendChild(li);
			var o = document.createElement('option');
			o.value = type;
			types.appendChild(o);
		});
		if (!s.types.length)
			legend.appendChild(el('li', 'none', 'nothing in the last hour'));
		$('legend').replaceChildren(legend);
		$('types').replaceChildren(types);
	}

	async function refresh() {
		if (st.busy)
			return;
		st.busy = true;
		try {
			await Promise.all([st.page == 0 ? loadEvents() : null, loadStats()]);
			status('');
		} catch (e) {
			status(e.message, true);
		} finally {
			st.busy = false;
		}
	}
	/* Poll while live and visible; a hidden tab costs the server nothing. */
	function poll() {
		clearTimeout(st.timer);
		st.timer = 0;
		var on = st.live && document.visibilityState == 'visible';
		$('live').classList.toggle('on', on);
		$('live').setAttribute('aria-pressed', String(st.live));
		$('live-label').textContent = on ? 'Live' : 'Paused';
		if (!on)
			return;
		refresh().then(function () {
			if (st.live && !st.timer && document.visibilityState == 'visible')
				st.timer = setTimeout(poll, POLL);
		});
	}
	function restart() {
		st.cursors = [null];
		st.page = 0;
		st.first = true;
		refresh();
	}

	$('live').addEventListener('click', function () {
		st.live = !st.live;
		poll();
	});
	document.addEventListener('visibilitychange', poll);
	window.addEventListener('resize', function () {
		if (st.stats)
			chart(st.stats);
	});
	$('filters').addEventListener('submit', function (e) { e.preventDefault(); restart(); });
	$('type').addEventListener('change', restart);
	$('range').addEventListener('change', restart);
	$('clear').addEventListener('click', function () {
		$('type').value = '';
		$('range').value = '86400000';
		restart();
	});
	$('next').addEventListener('click', function () {
		if (!st.cursors[st.page + 1])
			return;
		st.page++;
		loadEvents().catch(function (e) { status(e.message, true); });
	});
	$('prev').addEventListener('click', function () {
		if (st.page == 0)
			return;
		st.page--;
		loadEvents().catch(function (e) { status(e.message, true); });
	});
	/* Our own clicks reach the store a moment after the tracker sends
	 * them: look again shortly instead of waiting for the next poll. */
	window.addEventListener('tracker:sent', function () {
		setTimeout(refresh, 300);
		setTimeout(refresh, 1200);
	});
	poll();
})();
