// The events page in Chromium against the whole stack (page.sh): what
// events carry (summary, expanded details by keyboard, ua/ip/clientTs),
// the breakdowns, filters that say the truth, the newest request
// winning, the chart (whole ticks, colours by name, the range), Pause,
// slow counts (the list first, no request cancelled by a look again),
// the own-click switch, the embed snippet working from another origin,
// markup shown as text, accessibility (axe-core) and the phone cards.
// Screenshots go to $ARTEFACTS.
//
//	node page.js main	an open stack
//	node page.js token	read_token set: the page asks for it
'use strict';
const { check, ok, newPage, run } = require('./lib.js');
const fs = require('fs');
const http = require('http');
const path = require('path');

const BASE = process.env.BASE_URL;
const OUT = process.env.ARTEFACTS;
const AXE = path.join(process.env.NODE_PATH, 'axe-core', 'axe.min.js');
const TOKEN = process.env.READ_TOKEN || '';
const RUN = Date.now().toString(36);	// keeps this run's types apart

async function post(events, ua) {
	const r = await fetch(BASE + '/events', { method: 'POST', body: JSON.stringify(events),
	    headers: { 'Content-Type': 'application/json', 'User-Agent': ua || 'page-test/1.0' } });
	const body = await r.text();
	check(r.status === 202, 'POST /events: ' + r.status + ' ' + body);
	return JSON.parse(body).ids;
}
// Until the store holds n events of this type.
async function stored(type, n) {
	const h = TOKEN ? { Authorization: 'Bearer ' + TOKEN } : {};
	for (let i = 0; i < 200; i++) {
		const b = await (await fetch(BASE + '/events?limit=500&type=' + type, { headers: h })).json();
		if (b.events.length >= n)
			return b.events;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error('the store never held ' + n + ' ' + type + ' events');
}
async function open(browser, opts) {
	const { ctx, page } = await newPage(browser, opts && opts.viewport);
	await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => {
		window.__csp = (window.__csp || []).concat(e.violatedDirective + ' ' + e.blockedURI);
	}));
	if (!opts || !opts.noGo) {
		await page.goto(BASE + '/');
		await page.waitForSelector('#rows tr');
	}
	return { ctx, page };
}
const rowTypes = (page) => page.$$eval('#rows tr.event td.type', (t) => t.map((x) => x.textContent));
// The colour the page gives a type: FNV-1a of its name, as app.js
// picks it (written out again here, so a change must be meant).
function color(type) {
	let h = 0x811c9dc5;
	for (let i = 0; i < type.length; i++) {
		h ^= type.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2',
	    '#ca8a04', '#dc2626', '#4338ca', '#059669', '#c026d3', '#65a30d'][h % 12];
}
// axe-core, evaluated through the driver (the page's CSP allows no
// injected script, and must not be loosened for the test); then no CSP
// violation may have happened on the page.
async function axe(page, what) {
	await page.evaluate(fs.readFileSync(AXE, 'utf8') + '; 0');
	const r = await page.evaluate(async () => (await window.axe.run(document)).violations
	    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
	    .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')));
	check(r.length === 0, what + ': axe-core finds ' + r.join('; '));
	const csp = await page.evaluate(() => window.__csp || []);
	check(csp.length === 0, what + ': Content-Security-Policy violations: ' + csp.join('; '));
}

// signup {"plan":"pro"} shows its metadata; a row opens by keyboard to
// everything the event holds.
async function details(browser) {
	const type = 'signup-' + RUN, old = Date.now() - 3 * 864e5;
	await post([{ type, metadata: { plan: 'pro', seats: 3, tags: ['a', 'b'], billing: { every: 'month', vat: true } },
	    ts: old, page: { url: 'https://shop.example/pricing?x=1', path: '/pricing',
	    referrer: 'https://news.example/item', title: 'Pricing' } }], 'Mozilla/5.0 (page test)');
	const [ev] = await stored(type, 1);
	const { ctx, page } = await open(browser, { noGo: true });
	await page.goto(BASE + '/');
	await page.fill('#type', type);
	await page.press('#type', 'Enter');
	await page.waitForFunction((t) => [...document.querySelectorAll('#rows td.type')].some((x) => x.textContent === t), type);
	const summary = await page.textContent('#rows tr.event td.summary');
	check(summary.startsWith('plan: pro, seats: 3'), 'the summary shows the metadata: ' + summary);
	// Keyboard: Tab to the row's button, Enter opens it.
	await page.evaluate(() => document.querySelector('#rows tr.event .expand').focus());
	await page.keyboard.press('Enter');
	const d = await page.evaluate(() => {
		const b = document.querySelector('#rows tr.event .expand'), det = document.getElementById(b.getAttribute('aria-controls'));
		const dl = {};
		det.querySelectorAll('dt').forEach((dt) => { dl[dt.textContent] = dt.nextElementSibling.textContent; });
		return { expanded: b.getAttribute('aria-expanded'), hidden: det.hidden, dl,
		    tree: det.querySelector('.tree').innerText };
	});
	check(d.expanded === 'true' && !d.hidden, 'Enter opens the row');
	for (const [k, v] of [['Page URL', 'https://shop.example/pricing?x=1'], ['Host', 'shop.example'],
	    ['Referrer', 'https://news.example/item'], ['Title', 'Pricing'], ['Id', ev.id],
	    ['Browser', 'Mozilla/5.0 (page test)']])
		check(d.dl[k] === v, k + ': ' + JSON.stringify(d.dl[k]));
	check(d.dl.Address === ev.ip && ev.ip, 'the address as stored: ' + d.dl.Address);
	check(d.dl['Client clock'] && d.dl['Client clock'].includes(new Date(old).toISOString()),
	    'clientTs shown: ' + d.dl['Client clock']);
	check(d.dl.Received && d.dl.Happened, 'both times shown');
	for (const part of ['plan', '"pro"', 'seats', 'every', '"month"', 'vat', 'true', '[0]', '"a"'])
		check(d.tree.includes(part), 'the metadata tree holds ' + part + ': ' + d.tree);
	await page.keyboard.press('Space');
	// Polled, not read once: on a loaded machine the state was seen
	// before it changed.  What had the focus says why if it never does.
	const closed = await page.waitForFunction(() =>
	    document.querySelector('#rows tr.event .expand').getAttribute('aria-expanded') === 'false',
	    null, { timeout: 5000 }).then(() => true, () => false);
	check(closed, 'Space closes it (aria-expanded ' +
	    await page.getAttribute('#rows tr.event .expand', 'aria-expanded') + ', focus on ' +
	    await page.evaluate(() => (document.activeElement || {}).outerHTML || 'nothing').then((h) => h.slice(0, 120)) + ')');
	await page.keyboard.press('Enter');
	await axe(page, 'table view with a row open');
	await page.screenshot({ path: path.join(OUT, 'details.png'), fullPage: true });
	ok('a custom event\'s metadata in its summary; the row opens by keyboard to URL, host, referrer, title, ' +
	    'times, id, browser, address and the metadata tree');
	await ctx.close();
}

// Breakdowns over the range: pages, referrers, types, a metadata key.
async function breakdowns(browser) {
	const type = 'buy-' + RUN, list = [];
	for (let i = 0; i < 6; i++)
		list.push({ type, metadata: { plan: i < 4 ? 'gold-' + RUN : 'tin-' + RUN },
		    page: { path: '/bd-' + RUN + '/' + (i % 2), referrer: 'https://ref-' + RUN + '.test/' } });
	await post(list);
	await stored(type, 6);
	const { ctx, page } = await open(browser);
	await page.fill('#key', 'plan');
	await page.press('#key', 'Enter');
	await page.waitForFunction((run) => document.getElementById('by-key').textContent.includes('gold-' + run), RUN);
	const lists = await page.evaluate(() => {
		const o = {};
		for (const id of ['by-path', 'by-referrer', 'by-type', 'by-key'])
			o[id] = [...document.querySelectorAll('#' + id + ' li')].map((li) =>
			    (li.querySelector('.name') || li).textContent + '=' + (li.querySelector('.count') || {}).textContent);
		return o;
	});
	check(lists['by-path'].includes('/bd-' + RUN + '/0=3') && lists['by-path'].includes('/bd-' + RUN + '/1=3'),
	    'top pages: ' + lists['by-path']);
	check(lists['by-referrer'].includes('https://ref-' + RUN + '.test/=6'), 'top referrers: ' + lists['by-referrer']);
	check(lists['by-type'].includes(type + '=6'), 'types: ' + lists['by-type']);
	check(lists['by-key'].includes('gold-' + RUN + '=4') && lists['by-key'].includes('tin-' + RUN + '=2'),
	    'metadata values: ' + lists['by-key']);
	// A type picked from the breakdown filters everything.
	await page.click('#by-type button.name:text-is("' + type + '")');
	await page.waitForFunction((t) => {
		const ts = [...document.querySelectorAll('#rows td.type')].map((x) => x.textContent);
		return ts.length === 6 && ts.every((x) => x === t);
	}, type);
	check(await page.inputValue('#type') === type, 'the type filter is set');
	const opts = await page.$$eval('#types option', (o) => o.map((x) => x.value));
	check(opts.includes(type), 'types can be picked from those that exist: ' + opts.length);
	ok('breakdowns: top pages, referrers, types and a metadata key\'s values; a type picked from them filters');
	await ctx.close();
}

// Paging by keyboard to the last page and back: the focus stays on a
// pager control when the one it was on turns off.  The types breakdown
// says how many more types there are, and how many events they hold.
async function pagerAndMore(browser) {
	const type = 'pg-' + RUN, list = [];
	for (let i = 0; i < 30; i++)
		list.push({ type });
	await post(list);
	await stored(type, 30);
	const many = [];
	for (let i = 0; i < 12; i++)
		many.push({ type: 'more-' + i + '-' + RUN });
	await post(many);
	await stored('more-11-' + RUN, 1);
	const { ctx, page } = await open(browser);
	await page.click('#live');	// paused: no poll between the pages
	await page.fill('#type', type);
	await page.press('#type', 'Enter');
	// The filtered list, not the first one the page loaded.
	await page.waitForFunction((t) => {
		const ts = [...document.querySelectorAll('#rows td.type')].map((x) => x.textContent);
		return ts.length === 25 && ts.every((x) => x === t) && !document.getElementById('next').disabled;
	}, type);
	await page.focus('#next');
	await page.keyboard.press('Enter');
	await page.waitForFunction(() => document.getElementById('page-label').textContent === 'Page 2' &&
	    document.getElementById('next').disabled);
	let f = await page.evaluate(() => document.activeElement.id);
	check(f === 'prev', 'the last page: the focus went to ' + (f || 'the page') + ', not Newer');
	await page.keyboard.press('Enter');
	await page.waitForFunction(() => document.getElementById('page-label').textContent === 'Page 1' &&
	    document.getElementById('prev').disabled);
	f = await page.evaluate(() => document.activeElement.id);
	check(f === 'next', 'back on the first page: the focus went to ' + (f || 'the page') + ', not Older');
	ok('paging by keyboard: the focus stays on the pager at either end');
	await page.click('#live');
	await page.fill('#type', '');
	await page.press('#type', 'Enter');
	const more = await page.waitForFunction(() => {
		const li = document.querySelector('#by-type li.other');
		return li && li.textContent;
	});
	const text = await more.jsonValue();
	check(/^and \d+\+? more \(\d+ events?\)$/.test(text), 'the types left: "' + text + '"');
	ok('the types breakdown: "' + text + '"');
	await ctx.close();
}

// Filters say the truth, and the newest request wins.
async function filters(browser) {
	const { ctx, page } = await open(browser);
	await page.fill('#type', 'nosuch-' + RUN);
	await page.press('#type', 'Enter');
	await page.waitForFunction(() => /no events match/.test(document.querySelector('#rows').textContent));
	check(!/click somewhere/i.test(await page.textContent('#rows')), 'an empty filter is not "no events yet"');
	await page.fill('#type', 'bad type');
	await page.press('#type', 'Enter');
	await page.waitForFunction(() => document.getElementById('type-error').textContent !== '');
	check(await page.getAttribute('#type', 'aria-invalid') === 'true', 'the field is marked invalid');
	check(await page.$$eval('#rows tr.event', (r) => r.length) === 0, 'no events under an invalid filter');
	await page.waitForTimeout(4000);	// a poll would come by now
	check(await page.$$eval('#rows tr.event, #rows tr.new', (r) => r.length) === 0,
	    'still no rows, none highlighted as new');
	// Put right, with a slow answer: the list must not go on asking for
	// a fix while the answer comes.
	const slow = (route) => new Promise((r) => setTimeout(r, 2000)).then(() => route.continue()).catch(() => {});
	await page.route((u) => u.pathname === '/events', slow);
	await page.fill('#type', 'nosuch-' + RUN);
	await page.press('#type', 'Enter');
	await page.waitForFunction(() => document.getElementById('type-error').textContent === '');
	check(!/fix the filter/i.test(await page.textContent('#rows')),
	    'a valid filter, and the list still says: ' + await page.textContent('#rows'));
	await page.waitForFunction(() => /no events match/.test(document.querySelector('#rows').textContent));
	await page.unroute((u) => u.pathname === '/events', slow);
	ok('an empty filter says no events match; an invalid one shows its error and no list, until put right');

	// Hold the unfiltered list's answer; change the filter meanwhile.
	const type = 'late-' + RUN;
	await post([{ type }, { type: 'other-' + RUN }]);
	await stored(type, 1);
	await page.click('#live');	// paused: no poll to paper over a late answer
	await page.fill('#type', '');
	let held = 0;
	await page.route((u) => u.pathname === '/events' && !u.searchParams.has('type'), async (route) => {
		held++;
		await new Promise((r) => setTimeout(r, 2500));
		await route.continue().catch(() => {});
	});
	await page.press('#type', 'Enter');
	await page.waitForTimeout(300);
	await page.fill('#type', type);
	await page.press('#type', 'Enter');
	await page.waitForTimeout(3500);	// the held answer has come back
	check(held >= 1, 'the unfiltered request was held');
	const types = await rowTypes(page);
	check(types.length === 1 && types[0] === type, 'the newest filter\'s rows, not the late answer\'s: ' + types);
	ok('a filter changed while a request is in flight: the newest wins');
	await ctx.close();
}

// The chart: whole-number ticks, colours from names, the range drives it;
// Pause freezes the table and the chart.
async function chartAndPause(browser) {
	const type = 'tick-' + RUN;
	await post([{ type }, { type }, { type }]);
	await stored(type, 3);
	let { ctx, page } = await open(browser);
	await page.fill('#type', type);
	await page.press('#type', 'Enter');
	const legend = (t) => document.getElementById('legend').textContent.trim() === t + ' 3';
	await page.waitForFunction(legend, type);
	const ticks = await page.$$eval('#chart text.tick', (t) => t.map((x) => x.textContent));
	check(ticks.join() === '0,1,2,3', 'whole-number ticks for 3 events: ' + ticks);
	const fill = await page.getAttribute('#chart rect', 'fill');
	const badge = await page.$eval('#rows .badge', (b) => b.style.getPropertyValue('--c'));
	check(fill === color(type) && badge === color(type), 'the colour comes from the name: ' + fill + ' ' + badge);
	await page.selectOption('#range', '604800000');
	await page.waitForFunction(() => /per hour, the last 7 days/.test(document.getElementById('chart-title').textContent));
	await page.selectOption('#range', '');
	await page.waitForFunction(() => /per day, all time/.test(document.getElementById('chart-title').textContent));
	await ctx.close();
	({ ctx, page } = await open(browser));
	await page.fill('#type', type);
	await page.press('#type', 'Enter');
	await page.waitForFunction(legend, type);
	check(await page.getAttribute('#chart rect', 'fill') === fill, 'the same colour on another load');
	ok('whole-number ticks; colours from the type\'s name; the range drives the chart');

	await page.click('#live');
	check(await page.textContent('#live-label') === 'Paused', 'paused');
	const before = await page.evaluate(() => [document.getElementById('rows').innerHTML,
	    document.getElementById('chart').innerHTML]);
	await post([{ type }, { type }]);
	await stored(type, 5);
	await page.evaluate(() => window.dispatchEvent(new CustomEvent('tracker:sent')));
	await page.waitForTimeout(7000);	// two polls and the tracker's refresh
	const after = await page.evaluate(() => [document.getElementById('rows').innerHTML,
	    document.getElementById('chart').innerHTML]);
	check(after[0] === before[0] && after[1] === before[1], 'Paused: the table and the chart stay as they were');
	await page.click('#live');
	await page.waitForFunction(() => document.querySelectorAll('#rows tr.event').length === 5);
	check(await page.$$eval('#rows tr.new', (r) => r.length) === 2, 'resumed: the two new rows marked new');
	ok('Paused freezes the table and the chart; Live brings the new rows');
	await ctx.close();
}

// A store slow to count (statistics over many events, on FerretDB):
// modelled as the FastCGI program, answering one request at a time in
// the order they came, each count taking a second.  The latest events
// are asked for first, so they are not queued behind a count; and a
// look again (the tracker sent, the timer) never cancels a request in
// flight, which the server would finish all the same: it waits for the
// refresh in flight and runs once after it.
async function slowCounts(browser) {
	const { ctx, page } = await open(browser, { noGo: true });
	const order = [], aborted = [];
	let queue = Promise.resolve(), lists = 0, holding = 0;
	await page.route((u) => u.pathname === '/events' || u.pathname === '/events/stats', (route) => {
		if (route.request().method() !== 'GET')
			return route.fallback();
		const count = new URL(route.request().url()).pathname === '/events/stats';
		order.push(count ? 'count' : 'list');
		if (!count)
			lists++;
		queue = queue.then(async () => {
			if (count) {
				holding++;
				await new Promise((r) => setTimeout(r, 1000));
				holding--;
			}
			await route.continue().catch(() => {});
		});
	});
	page.on('requestfailed', (r) => { if (/\/events/.test(r.url())) aborted.push(r.url()); });
	const until = async (cond, what) => {
		for (let i = 0; i < 300 && !cond(); i++)
			await new Promise((r) => setTimeout(r, 100));
		check(cond(), 'never: ' + what);
	};
	await page.goto(BASE + '/');
	await page.waitForSelector('#rows tr');
	check(order[0] === 'list', 'the latest events are asked for before the counts: ' + order.join());
	// The first round done, a poll's count held: the tracker has sent.
	await until(() => order.length >= 5 && holding === 0, 'the first round answered');
	const n = lists;
	await until(() => lists > n && holding === 1, 'a poll with a count in flight');
	await page.evaluate(() => window.dispatchEvent(new CustomEvent('tracker:sent')));
	await until(() => lists > n + 1, 'a look again after the tracker sent');
	check(aborted.length === 0, 'no request cancelled by a look again: ' + aborted.join(' '));
	ok('slow counts: the latest events first; a look again waits for the requests in flight');
	await ctx.close();
}

// The page records its own clicks only when its switch is on (off in
// the installed page), and remembers the choice.
async function ownClicks(browser) {
	const { ctx, page } = await open(browser);
	const posts = [];
	page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
	check(await page.getAttribute('#own', 'aria-checked') === 'false', 'the switch is off by default');
	await page.click('h1');
	await page.click('.sub');
	await page.waitForTimeout(3000);
	check(posts.length === 0, 'no own clicks sent while off: ' + posts.length);
	await page.click('#own');
	check(await page.getAttribute('#own', 'aria-checked') === 'true', 'switched on');
	const b = await page.locator('h1').boundingBox();
	const x = Math.round(b.x + 10), y = Math.round(b.y + b.height / 2);
	await page.mouse.click(x, y);
	await page.waitForFunction(([x, y]) => [...document.querySelectorAll('#rows td.summary')]
	    .some((td) => td.textContent.endsWith('at ' + x + ', ' + y)), [x, y], { timeout: 10000 });
	await page.reload();
	await page.waitForSelector('#rows tr');
	check(await page.getAttribute('#own', 'aria-checked') === 'true', 'the choice is kept');
	await page.click('#own');
	ok('own clicks: off by default, recorded once switched on, the choice kept');
	await ctx.close();
}

// The snippet as printed works from another origin.
async function snippet(browser) {
	const { ctx, page } = await open(browser);
	const tag = await page.textContent('#snippet');
	check(tag === '<script src="' + BASE + '/track.js" defer data-endpoint="' + BASE + '/events"></script>',
	    'absolute URLs: ' + tag);
	// Another site: another origin (a port of its own), served by a
	// small server here on the same loopback address.
	const site = http.createServer((req, res) => {
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end('<!doctype html><title>other site</title>' + tag + '<p>x</p>');
	});
	await new Promise((r) => site.listen(0, '127.0.0.1', r));
	const other = 'http://127.0.0.1:' + site.address().port;
	const p2 = await ctx.newPage();
	await p2.goto(other + '/embed');
	await p2.waitForFunction(() => window.tracker);
	const type = 'embed-' + RUN;
	await p2.evaluate((t) => { window.tracker.track(t, { from: 'another site' }); window.tracker.flush(); }, type);
	const [ev] = await stored(type, 1);
	check(ev.page.url === other + '/embed' && ev.metadata.from === 'another site', 'stored from the other origin');
	site.close();
	ok('the embed snippet, as printed, works from another origin');
	await ctx.close();
}

// Markup in an event shows as text and runs nothing.
async function xss(browser) {
	const type = 'xss-' + RUN;
	await post([{ type, metadata: { selector: '<img src=x onerror="window.__pwned=1">',
	    text: '<script>window.__pwned=2</script>', '<b>k</b>': '<svg onload="window.__pwned=3">' },
	    page: { url: 'http://x.test/"><img src=x onerror=window.__pwned=4>',
	    path: '<img src=x onerror="window.__pwned=5">', title: '<b>t</b>' } }]);
	await stored(type, 1);
	const { ctx, page } = await open(browser);
	await page.fill('#type', type);
	await page.press('#type', 'Enter');
	await page.waitForFunction((t) => [...document.querySelectorAll('#rows td.type')].some((x) => x.textContent === t), type);
	await page.click('#rows tr.event .expand');
	check((await page.textContent('#rows td.page')) === '<img src=x onerror="window.__pwned=5">', 'path as text');
	await page.waitForTimeout(500);
	const found = await page.evaluate(() => ({ pwned: window.__pwned,
	    markup: document.querySelectorAll('#rows img, #rows script, #rows svg, #rows b, .bars img').length }));
	check(found.pwned === undefined && found.markup === 0, 'markup ran or became elements: ' + JSON.stringify(found));
	ok('markup in an event shows as text and runs nothing');
	await ctx.close();
}

// Phone width: cards, no sideways scrolling, axe; the screenshots.
async function phoneAndShots(browser) {
	let { ctx, page } = await open(browser);
	await page.waitForFunction(() => document.querySelectorAll('#chart rect').length > 0);
	await page.click('#rows tr.event .expand');
	await axe(page, 'desktop');
	await page.screenshot({ path: path.join(OUT, 'page.png'), fullPage: true });
	await ctx.close();
	({ ctx, page } = await open(browser, { viewport: { width: 390, height: 844 } }));
	await page.waitForSelector('#rows tr.event');
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	check(overflow <= 0, 'no sideways scrolling at phone width: ' + overflow + ' px too wide');
	check(await page.$eval('#events thead', (t) => getComputedStyle(t).display) === 'none', 'cards, not a table');
	await page.click('#rows tr.event .expand');
	await axe(page, 'phone cards');
	await page.screenshot({ path: path.join(OUT, 'page-phone.png'), fullPage: false });
	ok('phone width: cards, no horizontal overflow; axe-core: nothing serious at either width');
	await ctx.close();
}

// read_token set: the page asks, keeps it for the tab, sends it.
async function token(browser) {
	const { ctx, page } = await open(browser, { noGo: true });
	const auth = [];
	page.on('request', (r) => { if (r.method() === 'GET' && /\/events/.test(r.url())) auth.push(r.headers().authorization || ''); });
	await page.goto(BASE + '/');
	await page.waitForSelector('#token-form:not([hidden])');
	check(/read token is needed/.test(await page.textContent('#token-title')), 'asks for the token');
	await page.fill('#token', 'wrong-token-0123456789');
	await page.press('#token', 'Enter');
	await page.waitForFunction(() => /refused/.test(document.getElementById('token-title').textContent));
	// The counts held a while: the refusal's words must not stay on
	// show beside the events the right token brings.
	const hold = (route) => new Promise((r) => setTimeout(r, 3000)).then(() => route.continue()).catch(() => {});
	await page.route((u) => u.pathname === '/events/stats', hold);
	await page.fill('#token', TOKEN);
	await page.press('#token', 'Enter');
	await page.waitForSelector('#rows tr.event');
	const said = await page.textContent('#status');
	check(await page.isHidden('#token-form') && !/token/i.test(said),
	    'the events of the right token are shown, and the token form and the refusal still are: ' + said);
	await page.unroute((u) => u.pathname === '/events/stats', hold);
	await page.waitForSelector('#rows tr');
	check(auth.includes('Bearer ' + TOKEN), 'sent as a bearer token');
	check(await page.evaluate(() => sessionStorage.getItem('events.page.token')) === TOKEN, 'kept for the tab');
	check(await page.evaluate(() => localStorage.getItem('events.page.token')) === null, 'not kept beyond it');
	await page.reload();
	await page.waitForSelector('#rows tr');
	check(await page.isHidden('#token-form'), 'the tab keeps it across a reload');
	await axe(page, 'with a read token');
	const p2 = await (await browser.newContext()).newPage();
	await p2.goto(BASE + '/');
	await p2.waitForSelector('#token-form:not([hidden])');
	ok('read token: asked for, refused when wrong, kept for the tab only, sent as Bearer');
	await p2.context().close();
	await ctx.close();
}

run(async (browser) => {
	if (process.argv[2] === 'token') {
		await token(browser);
		return;
	}
	await details(browser);
	await breakdowns(browser);
	await pagerAndMore(browser);
	await filters(browser);
	await chartAndPause(browser);
	await slowCounts(browser);
	await ownClicks(browser);
	await snippet(browser);
	await xss(browser);
	await phoneAndShots(browser);
});
