// The tracker and the server agree on what an event may hold: every case
// of rules-cases.js goes through the built track.js in Chromium (queued,
// or dropped with one console warning) and, as the tracker would send it,
// through event-ingest run as plain CGI (202 or 400), and both must give
// the case's answer.
'use strict';
const { check, tally, ok, newPage, serveHtdocs, run } = require('./lib.js');
const { spawnSync } = require('child_process');
const path = require('path');

const ORIGIN = 'http://tracker.test';

// event-ingest's answer to one body: "ok" (202), "drop" (400) or the
// whole answer when it is neither.
function ingest(body) {
	const buf = Buffer.from(body, 'utf8');
	const r = spawnSync(process.env.INGEST, [], {
		input: buf,
		env: {
			PATH: process.env.PATH, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST',
			CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: String(buf.length),
			REMOTE_ADDR: '127.0.0.1', HTTP_USER_AGENT: 'rules test',
			EVENTS_REDIS_HOST: '127.0.0.1', EVENTS_REDIS_PORT: process.env.REDIS_PORT,
			EVENTS_LOG_LEVEL: 'error',
		},
		timeout: 30000,
	});
	const out = String(r.stdout || '');
	const m = /^Status: (\d+)/.exec(out);
	if (m && m[1] === '202')
		return { verdict: 'ok' };
	if (m && m[1] === '400')
		return { verdict: 'drop', why: out.slice(out.indexOf('{')) };
	return { verdict: 'answer: ' + out.slice(0, 300) + String(r.stderr || '').slice(0, 300) };
}

run(async (browser) => {
	const { ctx, page } = await newPage(browser);
	await serveHtdocs(ctx, ORIGIN, '<!doctype html><title>rules</title>' +
	    '<script src="/rules-cases.js"></script>' +
	    '<script src="/track.js" data-endpoint="/events" data-clicks="false" data-pageviews="false"></script>',
	    { '/rules-cases.js': path.join(__dirname, 'rules-cases.js') });
	// Nothing leaves: the cases stay in the queue to be read back.
	await ctx.route(ORIGIN + '/events', (route) => route.fulfill({
		status: 503, headers: { 'Retry-After': '3600' }, contentType: 'application/json',
		body: '{"error":{"code":"queue_unavailable","message":"test"}}' }));
	await page.goto(ORIGIN + '/');
	await page.waitForFunction(() => window.tracker && window.RULE_CASES);
	const res = JSON.parse(await page.evaluate(() => {
		const out = [];
		for (const c of window.RULE_CASES) {
			if (c.setup)
				c.setup();
			const warnings = [], orig = console.warn;
			console.warn = (m) => warnings.push(String(m));
			let id;
			try {
				id = window.tracker.track(c.type, c.metadata);
			} finally {
				console.warn = orig;
			}
			let line = null, title = null, dirty = '';
			if (id) {
				const ev = JSON.parse(localStorage.getItem('tracker.event.' + id)).e;
				line = JSON.stringify({ sentAt: Date.now(), events: [ev] });
				title = ev.page.title;
				for (const k in ev.page)
					if (/\0|[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/.test(ev.page[k]))
						dirty = 'page.' + k + ' holds a NUL or a lone surrogate';
			} else {
				try {
					line = JSON.stringify({ sentAt: Date.now(),
					    events: [{ type: c.type, metadata: c.metadata }] });
				} catch (e) { /* the browser cannot write it at all */ }
			}
			out.push({ name: c.name, want: c.want, known: c.known || '', jsOnly: !!c.jsOnly,
			    tracker: id ? 'ok' : 'drop', warnings, line, title, dirty,
			    wantTitle: c.title === undefined ? null : c.title });
		}
		// JSON.stringify writes lone surrogates as escapes: nothing is
		// lost on the way out of the page.
		return JSON.stringify(out);
	}));
	check(res.length > 50, 'the cases loaded: ' + res.length);

	// Every disagreement is listed before the test fails.
	const bad = [];
	const want = (cond, msg) => { tally(); if (!cond) bad.push(msg); };
	let server = 0, known = 0;
	const fixed = [];
	for (const r of res) {
		want(r.tracker === r.want, r.name + ': the tracker says ' + r.tracker + ', want ' + r.want +
		    (r.warnings.length ? ' (' + r.warnings[0] + ')' : ''));
		want(r.warnings.length === (r.want === 'drop' ? 1 : 0),
		    r.name + ': console warnings: ' + JSON.stringify(r.warnings));
		if (r.want === 'drop')
			want(/^tracker: event .* dropped: \S/.test(r.warnings[0]), r.name + ': warning says why: ' + r.warnings[0]);
		want(!r.dirty, r.name + ': ' + r.dirty);
		if (r.wantTitle !== null)
			want(r.title === r.wantTitle, r.name + ': page.title ' + JSON.stringify(r.title));
		if (r.jsOnly) {
			want(r.line === null || r.want === 'drop', r.name + ': a JavaScript-only case');
			continue;
		}
		want(r.line !== null, r.name + ': no body to send');
		const s = ingest(r.line);
		server++;
		if (r.known) {
			if (s.verdict === r.want)
				fixed.push(r.name);
			else
				known++;
			continue;
		}
		want(s.verdict === r.want, r.name + ': event-ingest says ' + s.verdict + ', want ' + r.want +
		    (s.why ? ' ' + s.why : '') + '; body ' + r.line.slice(0, 200));
	}
	check(bad.length === 0, bad.length + ' disagreements:\n  ' + bad.join('\n  '));
	check(fixed.length === 0, 'event-ingest now follows these cases marked "known" in rules-cases.js: ' +
	    'remove the mark: ' + fixed.join('; '));
	ok(res.length + ' cases: the tracker gives each its answer; ' + server + ' through event-ingest agree' +
	    (known ? ' (' + known + ' marked known: ' + res.find((r) => r.known).known + ')' : ''));
	await ctx.close();
});
