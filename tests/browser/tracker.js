// track.js delivers every valid event, in Chromium against the real
// event-ingest behind lighttpd (tracker.sh starts it, with the write key
// pk_site): big batches cut to the browser's 64 KiB keepalive budget, a
// bad event dropped alone (by the tracker, or by the server naming it),
// the page-hide beacon, the refusals that stop it, Retry-After, and what
// a click's text may hold.  "Delivered" is read in the Redis stream,
// which is what a 202 promises.
//
//	node tracker.js defaults	the server's default limits
//	node tracker.js small		max_body_bytes = 6000, max_events = 3
'use strict';
const { check, ok, newPage, run } = require('./lib.js');
const { execFileSync } = require('child_process');

const BASE = process.env.BASE_URL;
const PART = process.argv[2] || 'defaults';
// The queue an older tracker kept as one list, and the entry per event
// of this one.
const QUEUE = 'tracker.queue.v1';
const PREFIX = 'tracker.event.';
// POST /events?key=..., for page.route.
const EVENTS = (u) => u.pathname === '/events';

// Every event id in the Redis stream, with how often it is there.
function streamIds() {
	const out = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', process.env.REDIS_PORT,
	    '--no-raw', 'XRANGE', process.env.EVENTS_STREAM || 'events', '-', '+'],
	    { maxBuffer: 64 << 20 }).toString();
	const n = new Map();
	for (const m of out.matchAll(/\\"id\\":\\"([^\\"]+)\\"/g))
		n.set(m[1], (n.get(m[1]) || 0) + 1);
	return n;
}

async function until(what, fn, ms) {
	const end = Date.now() + (ms || 15000);
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error('timed out waiting for ' + what);
		await new Promise((r) => setTimeout(r, 100));
	}
}

// Each id in the stream at least once: where two tabs may both send an
// event (their lease taken at once), the id makes it one stored event.
async function deliveredAll(ids, what, ms) {
	await until(what + ': ' + ids.length + ' events in the stream', () => {
		const n = streamIds();
		return ids.every((id) => n.has(id));
	}, ms || 30000);
	const n = streamIds();
	return ids.filter((id) => n.get(id) > 1).length;
}

// Each id in the stream exactly once.
async function delivered(ids, what) {
	await until(what + ': ' + ids.length + ' events in the stream', () => {
		const n = streamIds();
		return ids.every((id) => n.has(id));
	});
	const n = streamIds();
	for (const id of ids)
		check(n.get(id) === 1, what + ': event ' + id + ' in the stream ' + n.get(id) + ' times');
}

// A page of the real server's origin (so /track.js and /events are the
// real ones) whose HTML is the test's.  Records the POSTs to /events and
// the console's warnings.
async function open(browser, html, opts) {
	const { ctx, page } = await newPage(browser, opts && opts.viewport);
	const t = { ctx, page, posts: [], warnings: [] };
	await ctx.route(BASE + '/t/**', (route) => route.fulfill({ status: 200,
	    contentType: 'text/html; charset=utf-8', body: html }));
	page.on('console', (m) => { if (m.type() === 'warning') t.warnings.push(m.text()); });
	page.on('request', (r) => {
		if (r.method() !== 'POST' || new URL(r.url()).pathname !== '/events')
			return;
		let ids = [];
		try {
			ids = JSON.parse(r.postData()).events.map((e) => e.id);
		} catch (e) { /* a body the test cannot see (a beacon) */ }
		t.posts.push({ at: Date.now(), bytes: (r.postDataBuffer() || Buffer.alloc(0)).length, ids, req: r });
	});
	page.on('response', (r) => {
		const p = t.posts.find((x) => x.req === r.request());
		if (p) {
			p.status = r.status();
			p.answeredAt = Date.now();
		}
	});
	page.on('requestfailed', (r) => {
		const p = t.posts.find((x) => x.req === r);
		if (p)
			p.failed = r.failure().errorText;
	});
	if (!opts || !opts.noGo)
		await go(t, opts);
	return t;
}
async function go(t, opts) {
	await t.page.goto(BASE + '/t/' + ((opts && opts.path) || 'page'));
	await t.page.waitForFunction(() => window.tracker);
}
function tag(attrs) {
	return '<script src="/track.js" ' + (attrs || 'data-key="pk_site" data-clicks="false" data-pageviews="false"') +
	    '></script>';
}
function html(attrs, body, htmlAttrs) {
	return '<!doctype html><html lang="en" ' + (htmlAttrs || '') + '><head><meta charset="utf-8">' +
	    '<title>tracker test</title>' + tag(attrs) + '</head><body>' + (body || '<p>x</p>') + '</body></html>';
}
const queue = (page) => page.evaluate((p) => Object.keys(localStorage).filter((k) => k.startsWith(p))
    .map((k) => JSON.parse(localStorage.getItem(k)).e).sort((a, b) => a.ts - b.ts), PREFIX);
const track = (page, list) => page.evaluate((list) => list.map(([type, m]) => window.tracker.track(type, m)), list);
// Metadata of about n bytes made of the given character.
const meta = (ch, n, i) => ({ i, s: ch.repeat(Math.floor(n / Buffer.byteLength(ch))) });

// The browser's own rule, which the rest relies on: a keepalive fetch
// whose body, with the others in flight, passes 64 KiB is refused.
async function keepaliveRule(browser) {
	const t = await open(browser, html());
	const r = await t.page.evaluate(async () => {
		const f = (n) => fetch('/nothing', { method: 'POST', body: '\u00e9'.repeat(n / 2), keepalive: true })
		    .then(() => 'sent', () => 'refused');
		return [await f(65536), await f(65538)];
	});
	check(r[0] === 'sent' && r[1] === 'refused', 'Chromium refuses a keepalive body over 64 KiB (in bytes): ' + r);
	ok('Chromium enforces the 64 KiB keepalive budget, in UTF-8 bytes');
	await t.ctx.close();
}

// Thirty events of about 5 KB (ASCII, 2-byte and 4-byte characters):
// 150 KB that must leave in requests of at most 64 KiB each.
async function bigBatches(browser) {
	const t = await open(browser, html());
	const list = [];
	for (let i = 0; i < 10; i++)
		list.push(['big', meta('x', 5000, i)], ['big', meta('\u00e9', 5000, i)], ['big', meta('\ud83d\ude00', 5000, i)]);
	const ids = await track(t.page, list);
	check(ids.every(Boolean), 'thirty 5 KB events queued');
	await t.page.evaluate(() => window.tracker.flush());
	await until('the queue to empty', () => t.page.evaluate(() => window.tracker.queued() === 0));
	await delivered(ids, 'big events');
	const sizes = t.posts.map((p) => p.bytes);
	check(t.posts.length >= 3 && sizes.every((b) => b <= 65536), 'requests of at most 64 KiB: ' + sizes);
	check(t.posts.every((p) => p.status === 202), 'every request answered 202: ' +
	    t.posts.map((p) => p.status || p.failed));
	check(sizes.reduce((a, b) => a + b) < 200000, 'nothing sent twice: ' + sizes);
	ok('30 events of 5 KB delivered once each in ' + t.posts.length + ' requests of ' +
	    Math.min(...sizes) + '-' + Math.max(...sizes) + ' bytes');
	await t.ctx.close();
}

// A bad event is dropped alone, with a warning, before it is queued.
async function badEventAlone(browser) {
	const t = await open(browser, html());
	const ids = await track(t.page, [['ok', { a: 1 }], ['bad', { s: 'x'.repeat(9000) }],
	    ['nested', { a: [[1]] }], ['emptykey', { '': 1 }], ['ok2', null]]);
	check(ids[0] && !ids[1] && !ids[2] && !ids[3] && ids[4], 'good ones queued, bad ones not: ' + ids);
	await t.page.evaluate(() => window.tracker.flush());
	await delivered([ids[0], ids[4]], 'the good events beside bad ones');
	check(t.warnings.length === 3 && t.warnings.every((w) => /^tracker: event "\w+" dropped: /.test(w)),
	    'one warning per bad event: ' + JSON.stringify(t.warnings));
	ok('one bad event does not sink its batch: ' + t.warnings[0]);
	await t.ctx.close();
}

// A queue an older tracker left holds an event this server refuses: the
// server names it, the tracker drops it and sends the rest.
async function serverNamesEvent(browser) {
	const t = await open(browser, html(), { noGo: true });
	const now = Date.now();
	const old = [
		{ type: 'old', id: 'old-good-1-' + now, ts: now },
		{ type: 'old', id: 'old-bad-' + now, ts: now, metadata: { a: [[1]] } },
		{ type: 'old', id: 'old-good-2-' + now, ts: now, metadata: { b: 2 } },
	];
	await t.page.route(BASE + '/t/first', (r) => r.fulfill({ status: 200, contentType: 'text/html',
	    body: '<!doctype html><title>x</title>' }));
	await t.page.goto(BASE + '/t/first');
	await t.page.evaluate(([k, q]) => localStorage.setItem(k, JSON.stringify(q)), [QUEUE, old]);
	await go(t);
	await delivered([old[0].id, old[2].id], 'the rest of a batch the server refused');
	check(!streamIds().has(old[1].id), 'the refused event is not in the stream');
	await until('the queue to empty', () => t.page.evaluate(() => window.tracker.queued() === 0));
	check(t.posts[0].status === 400 && t.posts.length === 2, 'one 400, then the rest: ' +
	    t.posts.map((p) => p.status));
	check(t.warnings.length === 1 && /dropped by the server: invalid_event: event 1: /.test(t.warnings[0]),
	    'a warning naming the event: ' + JSON.stringify(t.warnings));
	ok('a batch the server refuses for one event: that one dropped, the rest sent');
	await t.ctx.close();
}

// 401 (no key) and 403 (a wrong key) stop the sending: one warning, no
// more requests, the events kept for a later visit.
async function permanentRefusals(browser) {
	for (const [attrs, status] of [['data-clicks="false" data-pageviews="false"', 401],
	    ['data-key="pk_wrong" data-clicks="false" data-pageviews="false"', 403]]) {
		const t = await open(browser, html(attrs));
		await track(t.page, [['a', null], ['b', null]]);
		await t.page.evaluate(() => window.tracker.flush());
		await until('the first answer', () => t.posts.length && t.posts[0].status);
		check(t.posts[0].status === status, 'answered ' + t.posts[0].status + ', want ' + status);
		await track(t.page, [['c', null]]);
		await t.page.evaluate(() => window.tracker.flush());
		await t.page.waitForTimeout(3000);	// time for any retry to show
		check(t.posts.length === 1, status + ': requests after the refusal: ' + (t.posts.length - 1));
		check(t.warnings.length === 1 && t.warnings[0].includes(String(status)),
		    status + ': one warning: ' + JSON.stringify(t.warnings));
		check(await t.page.evaluate(() => window.tracker.queued()) === 3, status + ': the events stay queued');
		await t.ctx.close();
	}
	ok('401 and 403 stop the retries with one console warning; the events stay queued');
}

// Page hide: what fits in one beacon leaves the queue and arrives; the
// rest arrives on the next visit; each event once.
async function beacon(browser) {
	const t = await open(browser, html());
	let refused = 0;
	const block = (route) => { refused++; return route.abort('internetdisconnected'); };
	await t.page.route(EVENTS, block);
	const small = await track(t.page, [['hide', { n: 1 }], ['hide', { n: 2 }], ['hide', { n: 3 }]]);
	const list = [];
	for (let i = 0; i < 24; i++)
		list.push(['hide-big', meta('\u00e9', 5000, i)]);
	const big = await track(t.page, list);
	await t.page.evaluate(() => window.tracker.flush());
	// Three refusals: the tracker now backs off for 2-4 s, and the page is
	// hidden inside that wait; the beacon goes all the same (only the
	// server's Retry-After holds it).
	// (A refused keepalive request is tried once more at once without
	// keepalive; wait for the quiet of the backoff, with nothing in
	// flight.)
	await until('three refused sends, then quiet', () => {
		const last = t.posts[t.posts.length - 1];
		return refused >= 3 && last && last.failed && Date.now() - last.at > 300 &&
		    t.posts.every((p) => p.failed);
	});
	await t.page.unroute(EVENTS, block);
	await t.page.goto('about:blank');	// pagehide: the beacon
	// What the beacon carried: the oldest events, up to 64 KiB.
	const sent = await until('the beacon\'s events in the stream', () => {
		const n = streamIds(), b = big.filter((id) => n.has(id));
		return small.every((id) => n.has(id)) && b.length && b;
	});
	const bytes = sent.length * 5050;
	check(sent.length >= 5 && sent.length < big.length && bytes < 65536,
	    'the beacon carried ' + sent.length + ' of the big events, about ' + bytes + ' bytes');
	// Back with POSTs blocked: the beacon's events are no longer queued.
	await t.page.route(EVENTS, block);
	await go(t);
	const left = (await queue(t.page)).map((e) => e.id);
	check(small.concat(sent).every((id) => !left.includes(id)), 'the beacon\'s events left the queue');
	check(big.filter((id) => !sent.includes(id)).every((id) => left.includes(id)), 'the rest is still queued');
	await t.page.unroute(EVENTS, block);
	await t.page.evaluate(() => window.tracker.flush());
	await delivered(small.concat(big), 'all hidden events');
	ok('page hide: one beacon of ' + (small.length + sent.length) + ' events left the queue; the other ' +
	    (big.length - sent.length) + ' came on the next visit; each stored once');
	await t.ctx.close();
}

// Page hide while the browser is offline: Chromium takes a beacon then
// (sendBeacon says true) and drops it, so the tracker hands nothing over;
// the events stay queued and arrive on the next visit, each once.
async function offlineHide(browser) {
	const t = await open(browser, html());
	await t.ctx.setOffline(true);
	check(await t.page.evaluate(() => navigator.onLine) === false, 'offline: navigator.onLine is false');
	const ids = await track(t.page, [['offline', { n: 1 }], ['offline', { n: 2 }], ['offline', { n: 3 }]]);
	await t.page.evaluate(() => window.tracker.flush());
	await until('the flush fails', () => t.posts.length && t.posts.every((p) => p.failed));
	await t.page.goto('about:blank');	// pagehide, offline
	await t.ctx.setOffline(false);
	// Back with POSTs held: what the queue kept.
	const hold = (route) => route.abort('internetdisconnected');
	await t.page.route(EVENTS, hold);
	await go(t);
	const left = (await queue(t.page)).map((e) => e.id);
	check(ids.every((id) => left.includes(id)), 'offline: the events stayed queued through the page hide: ' +
	    left.length + ' queued');
	await t.page.unroute(EVENTS, hold);
	await t.page.evaluate(() => window.tracker.flush());
	await delivered(ids, 'events of a page hidden offline');
	ok('page hide while offline: no beacon, the ' + ids.length + ' events came on the next visit, each once');
	await t.ctx.close();
}

// Click text: never from form fields or editable content, nothing from
// data-track="off" or from what is not shown (hidden, display: none),
// and none at all with data-text="false".
async function clickText(browser) {
	const body = '<button id="b">Buy <span data-track="off">SECRET1</span> now</button>' +
	    '<input id="i" value="SECRET2"><textarea id="t">SECRET3</textarea>' +
	    '<select id="s"><option>SECRET4</option></select>' +
	    '<div id="ce" contenteditable="true">SECRET5 <b id="ceb">SECRET6</b></div>' +
	    '<div id="l">Label <input value="SECRET7"> <select><option>SECRET8</option></select>' +
	    '<textarea>SECRET9</textarea></div>' +
	    '<div data-track="off"><button id="off">SECRET10</button></div>' +
	    '<p id="p">Plain <i>words</i> here</p>' +
	    '<p id="h">Seen <span hidden>SECRET11</span><span style="display:none">SECRET12</span>words</p>';
	const hold = (route) => route.fulfill({ status: 503, headers: { 'Retry-After': '3600' },
	    contentType: 'application/json', body: '{"error":{"code":"queue_unavailable","message":"x"}}' });
	let t = await open(browser, html('data-key="pk_site" data-pageviews="false"', body), { noGo: true });
	await t.page.route(EVENTS, hold);
	await go(t);
	// At the left edge where the element's own words are, not a child's.
	for (const id of ['b', 'i', 't', 's', 'ce', 'ceb', 'l', 'off', 'p', 'h'])
		await t.page.click('#' + id, { position: { x: 3, y: 5 } });
	await t.page.keyboard.press('Escape');
	let q = await queue(t.page);
	const by = (sel) => q.filter((e) => e.type === 'click' && e.metadata.selector === sel);
	check(q.length === 9, 'nine clicks recorded (not the one inside data-track="off"): ' + q.length);
	check(!/SECRET/.test(JSON.stringify(q)), 'no hidden text in any event: ' +
	    (JSON.stringify(q).match(/"text":"[^"]*SECRET[^"]*"/g) || []).join(' '));
	check(by('#b')[0].metadata.text === 'Buy now', 'button text without its data-track="off" part: ' +
	    by('#b')[0].metadata.text);
	check(by('#p')[0].metadata.text === 'Plain words here', 'plain text: ' + by('#p')[0].metadata.text);
	check(by('#h')[0].metadata.text === 'Seen words', 'the words shown, not those hidden: ' + by('#h')[0].metadata.text);
	check(by('#l')[0].metadata.text === 'Label', 'the words around form fields, not theirs: ' + by('#l')[0].metadata.text);
	for (const id of ['#i', '#t', '#s', '#ce', '#ceb'])
		check(by(id).length === 1 && by(id)[0].metadata.text === '', id + ': clicked, no text');
	// data-track="off" on <html>: no page view, no clicks, while it is set.
	await t.ctx.close();
	t = await open(browser, html('data-key="pk_site"', body, 'data-track="off"'), { noGo: true });
	await t.page.route(EVENTS, hold);
	await go(t);
	await t.page.click('#p');
	check((await queue(t.page)).length === 0, 'html data-track="off": no page view, no click');
	await t.page.evaluate(() => document.documentElement.removeAttribute('data-track'));
	await t.page.click('#p');
	q = await queue(t.page);
	check(q.length === 1 && q[0].type === 'click', 'once it is removed, clicks count: ' + q.length);
	await t.ctx.close();
	// data-text="false": clicks without any text.
	t = await open(browser, html('data-key="pk_site" data-pageviews="false" data-text="false"', body),
	    { noGo: true });
	await t.page.route(EVENTS, hold);
	await go(t);
	await t.page.click('#p');
	q = await queue(t.page);
	check(q.length === 1 && !('text' in q[0].metadata), 'data-text="false": no text: ' + JSON.stringify(q[0].metadata));
	ok('click text: none from form fields, editable content, data-track="off" or what is hidden; none with data-text="false"');
	await t.ctx.close();
}

// With max_events = 3 and max_body_bytes = 6000 the server answers 413:
// the tracker sends smaller requests until they fit, and drops only an
// event too big to be sent alone.
async function smallServer(browser) {
	const t = await open(browser, html());
	const list = [];
	for (let i = 0; i < 10; i++)
		list.push(['many', { i }]);
	for (let i = 0; i < 6; i++)
		list.push(['wide', meta('x', 3500, i)]);
	const ids = await track(t.page, list);
	await t.page.evaluate(() => window.tracker.flush());
	await delivered(ids, 'events past max_events and max_body_bytes');
	const codes = t.posts.map((p) => p.status);
	check(codes.includes(413), 'the server answered 413: ' + codes);
	check(t.posts.filter((p) => p.status === 202).every((p) => p.ids.length <= 3 && p.bytes <= 6000),
	    'what was accepted fits: ' + t.posts.map((p) => p.ids.length + '/' + p.bytes));
	const [huge, after] = await track(t.page, [['huge', meta('x', 7000, 0)], ['after', null]]);
	check(huge, 'a 7 KB event is valid (the server\'s own limit is lower)');
	await t.page.evaluate(() => window.tracker.flush());
	await delivered([after], 'an event after one too big to send');
	check(!streamIds().has(huge), 'the event too big for the server is not stored');
	check(t.warnings.length === 1 && /event "huge" dropped by the server \(413 body_too_large/.test(t.warnings[0]),
	    'one warning about the event too big: ' + JSON.stringify(t.warnings));
	await until('the queue to empty', () => t.page.evaluate(() => window.tracker.queued() === 0));
	ok('413: ' + codes.filter((c) => c === 413).length + ' refusals, then requests that fit; ' +
	    'an event too big alone dropped with one warning');
	await t.ctx.close();
}

// 429 and 503 with Retry-After (seconds, then an HTTP date): no request
// before the time is up; 415 stops the sending.
async function retryAfter(browser) {
	const t = await open(browser, html(), { noGo: true });
	let retryDate = null;
	const answers = [
		{ status: 429, headers: { 'Retry-After': '3' } },
		{ status: 503, headers: { 'Retry-After': 'DATE' } },
	];
	await t.page.route(EVENTS, (route) => {
		const a = answers.shift();
		if (!a)
			return route.fallback();
		if (a.headers['Retry-After'] === 'DATE')
			a.headers['Retry-After'] = retryDate = new Date(Date.now() + 3000).toUTCString();
		return route.fulfill({ status: a.status, headers: a.headers, contentType: 'application/json',
		    body: '{"error":{"code":"busy","message":"later"}}' });
	});
	// The times as the page sees them: when each fetch began and when
	// its answer came.
	await t.page.addInitScript(() => {
		const f = window.fetch;
		window.__posts = [];
		window.fetch = function () {
			const p = { at: Date.now() };
			window.__posts.push(p);
			return f.apply(this, arguments).then((r) => { p.answeredAt = Date.now(); return r; });
		};
	});
	await go(t);
	const [id] = await track(t.page, [['patient', null]]);
	await t.page.evaluate(() => window.tracker.flush());
	await delivered([id], 'an event after 429 and 503');
	const posts = await t.page.evaluate(() => window.__posts);
	check(posts.length === 3, 'three tries: ' + JSON.stringify(posts));
	const gap1 = posts[1].at - posts[0].answeredAt, gap2 = posts[2].at - posts[1].answeredAt;
	// An HTTP date has whole seconds, so it names a time 2 to 3 s after
	// the answer was made: no request before that time (the page and
	// this script share the machine's clock; 5 ms for its granularity).
	check(gap1 >= 3000 && gap1 < 4000, '429 Retry-After: 3 waited ' + gap1 + ' ms');
	check(posts[2].at >= Date.parse(retryDate) - 5 && gap2 < 4000,
	    '503 Retry-After: ' + retryDate + ' waited ' + gap2 + ' ms, until ' +
	    new Date(posts[2].at).toISOString());
	await t.ctx.close();

	const u = await open(browser, html(), { noGo: true });
	await u.page.route(EVENTS, (route) => route.fulfill({ status: 415,
	    contentType: 'application/json', body: '{"error":{"code":"unsupported_media_type","message":"no"}}' }));
	await go(u);
	await track(u.page, [['a', null]]);
	await u.page.evaluate(() => window.tracker.flush());
	await until('the answer', () => u.posts.length && u.posts[0].status);
	await u.page.evaluate(() => window.tracker.flush());
	await u.page.waitForTimeout(2000);
	check(u.posts.length === 1 && u.warnings.length === 1 && /415/.test(u.warnings[0]),
	    '415: one request, one warning: ' + u.posts.length + ' ' + JSON.stringify(u.warnings));
	ok('Retry-After honoured (' + gap1 + ' and ' + gap2 + ' ms); 415 stops the sending');
	await u.ctx.close();
}

// Two tabs of the site tracking at once, each on a timer of its own: the
// queue they share loses none of either's events (a queue kept as one
// list, which each tab read, changed and wrote back, lost a third).
async function twoTabs(browser) {
	const t = await open(browser, html());
	const other = await t.ctx.newPage();
	await other.goto(BASE + '/t/page');
	await other.waitForFunction(() => window.tracker);
	const burst = (page, name) => page.evaluate((name) => new Promise((done) => {
		const ids = [];
		const iv = setInterval(() => {
			ids.push(window.tracker.track(name, { i: ids.length }));
			if (ids.length === 60) {
				clearInterval(iv);
				done(ids);
			}
		}, 40);
	}), name);
	const [a, b] = await Promise.all([burst(t.page, 'tab-a'), burst(other, 'tab-b')]);
	check(a.concat(b).every((id) => typeof id === 'string'), 'every track() gave an id');
	const twice = await deliveredAll(a.concat(b), 'two tabs');
	check(twice <= 12, 'two tabs: ' + twice + ' of 120 events sent twice (the lease taken at once)');
	await until('both queues empty', async () =>
	    await t.page.evaluate(() => window.tracker.queued()) === 0 &&
	    await other.evaluate(() => window.tracker.queued()) === 0);
	ok('two tabs tracking at once: all 120 events delivered (' + twice + ' sent by both)');
	await t.ctx.close();
}

// A request that never gets an answer is given up after 30 s and its
// events sent again, with the same ids; what came after goes too.
async function hungRequest(browser) {
	const t = await open(browser, html());
	let held = 0;
	await t.page.route(EVENTS, (route) => {
		if (held++ === 0)
			return;		/* never answered */
		return route.continue();
	});
	const first = await track(t.page, [['hung', { n: 1 }]]);
	await t.page.evaluate(() => window.tracker.flush());
	await until('the first request', () => held === 1);
	const later = await track(t.page, [['after-hung', { n: 2 }]]);
	const twice = await deliveredAll(first.concat(later), 'after a request with no answer', 50000);
	check(twice === 0, 'after a request with no answer: sent twice: ' + twice);
	check(held >= 2, 'sent again: ' + held + ' requests');
	ok('a request with no answer: given up, its event and the next delivered once');
	await t.ctx.close();
}

// A page's first events go together: the page view waits its 2 s for
// the events that follow, rather than go alone at once.
async function firstBatch(browser) {
	const t = await open(browser, html('data-key="pk_site" data-clicks="false"'));
	const ids = await track(t.page, [['first', { n: 1 }], ['first', { n: 2 }]]);
	await until('a POST', () => t.posts.length >= 1 && t.posts[0].status);
	check(t.posts[0].ids.length === 3 && ids.every((id) => t.posts[0].ids.includes(id)),
	    'the first request carries the page view and both events: ' + JSON.stringify(t.posts[0].ids));
	ok('a page\'s first events: one request with the page view and the two that followed');
	await t.ctx.close();
}

// A sender's lease further ahead than a lease is given for (a clock set
// back since) holds nobody back.
async function staleLease(browser) {
	const t = await open(browser, html(), { noGo: true });
	await t.page.route(BASE + '/t/first', (r) => r.fulfill({ status: 200, contentType: 'text/html',
	    body: '<!doctype html><title>x</title>' }));
	await t.page.goto(BASE + '/t/first');
	await t.page.evaluate(() => localStorage.setItem('tracker.sender',
	    JSON.stringify({ tab: 'gone', until: Date.now() + 600000 })));
	await go(t);
	const ids = await track(t.page, [['lease', { n: 1 }]]);
	await t.page.evaluate(() => window.tracker.flush());
	await delivered(ids, 'past a lease ten minutes ahead');
	ok('a lease ten minutes ahead is no lease: the event delivered');
	await t.ctx.close();
}

run(async (browser) => {
	if (PART === 'defaults') {
		await firstBatch(browser);
		await staleLease(browser);
		await twoTabs(browser);
		await hungRequest(browser);
		await keepaliveRule(browser);
		await bigBatches(browser);
		await badEventAlone(browser);
		await serverNamesEvent(browser);
		await permanentRefusals(browser);
		await beacon(browser);
		await offlineHide(browser);
		await clickText(browser);
	} else {
		await smallServer(browser);
		await retryAfter(browser);
	}
});
