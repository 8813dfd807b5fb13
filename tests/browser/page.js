// The events page and track.js in headless Chromium: three clicks show as
// three rows with their x/y; markup in an event shows as text and runs
// nothing; clicks made while POST /events is blocked wait in localStorage
// and are delivered exactly once when it is back; screenshots.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const BASE = process.env.BASE_URL;
const OUT = process.env.ARTEFACTS;
let checks = 0;

function check(cond, msg) {
	checks++;
	if (!cond)
		throw new Error(msg);
}

async function newPage(browser, viewport) {
	const ctx = await browser.newContext({ viewport: viewport || { width: 1280, height: 860 } });
	const page = await ctx.newPage();
	page.on('dialog', (d) => { throw new Error('a dialog opened: ' + d.message()); });
	page.on('pageerror', (e) => { throw new Error('page error: ' + e.message); });
	await page.goto(BASE + '/');
	await page.waitForSelector('#rows tr');
	await page.waitForFunction(() => window.tracker && window.tracker.queued() === 0,
	    null, { timeout: 10000 });
	return { ctx, page };
}

// Rows of the table as {id, type, xy, target, page}.
function rows(page) {
	return page.$$eval('#rows tr[data-id]', (trs) => trs.map((tr) => ({
		id: tr.getAttribute('data-id'),
		type: tr.querySelector('td.type').textContent,
		xy: tr.querySelector('td.xy').textContent,
		target: tr.querySelector('td.target .sel').textContent,
		page: tr.querySelector('td.page').textContent,
	})));
}

async function clicks(browser) {
	const { ctx, page } = await newPage(browser);
	// Three places that are not controls: the heading, the chart, the
	// footer's text.
	const spots = [];
	for (const sel of ['h1', '#chart', '.sub']) {
		const b = await page.locator(sel).boundingBox();
		spots.push([Math.round(b.x + Math.min(b.width / 3, 60)), Math.round(b.y + b.height / 2)]);
	}
	const t0 = Date.now();
	for (const [x, y] of spots)
		await page.mouse.click(x, y);
	const want = spots.map(([x, y]) => x + ', ' + y);
	await page.waitForFunction((want) => {
		const xy = [...document.querySelectorAll('#rows tr[data-id]')]
		    .filter((tr) => tr.querySelector('td.type').textContent === 'click')
		    .map((tr) => tr.querySelector('td.xy').textContent);
		return want.every((w) => xy.includes(w));
	}, want, { timeout: 5000 });
	const took = Date.now() - t0;
	const r = (await rows(page)).filter((x) => x.type === 'click');
	check(r.length === 3, 'three click rows, got ' + r.length);
	// Newest first: the last click is the first row.
	check(JSON.stringify(r.map((x) => x.xy)) === JSON.stringify(want.slice().reverse()),
	    'rows newest first: ' + JSON.stringify(r.map((x) => x.xy)));
	check(r[0].target.endsWith('> p.sub') && r[1].target.startsWith('#chart') && r[2].target.endsWith('> h1'),
	    'targets: ' + JSON.stringify(r.map((x) => x.target)));
	console.log('ok - three clicks shown with their x/y in ' + took + ' ms');
	// Wait for the chart to count them, then keep a picture.
	await page.waitForFunction(() => document.querySelectorAll('#chart rect').length > 0, null, { timeout: 5000 });
	await page.screenshot({ path: path.join(OUT, 'page.png'), fullPage: true });
	await ctx.close();
}

async function phone(browser) {
	const { ctx, page } = await newPage(browser, { width: 390, height: 844 });
	await page.mouse.click(60, 40);
	await page.waitForFunction(() => [...document.querySelectorAll('#rows td.xy')]
	    .some((td) => td.textContent === '60, 40'), null, { timeout: 5000 });
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	check(overflow <= 0, 'no sideways scrolling at phone width: ' + overflow + ' px too wide');
	await page.screenshot({ path: path.join(OUT, 'page-phone.png') });
	console.log('ok - phone width: no horizontal overflow');
	await ctx.close();
}

async function xss(browser) {
	const { ctx, page } = await newPage(browser);
	const payload = '<img src=x onerror="window.__pwned=1">';
	const ev = {
		type: 'xss-probe',
		metadata: {
			selector: payload, text: '<script>window.__pwned=2</script>', x: 7, y: 8,
			html: '<svg onload="window.__pwned=3">',
		},
		page: { url: 'http://x.test/"><img src=x onerror=window.__pwned=4>',
		    path: '<img src=x onerror="window.__pwned=5">', title: '<b>t</b>' },
	};
	const st = await page.evaluate(async (ev) => (await fetch('/events', {
		method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(ev) })).status, ev);
	check(st === 202, 'POST of the probe: ' + st);
	await page.waitForFunction(() => [...document.querySelectorAll('#rows td.type')]
	    .some((td) => td.textContent === 'xss-probe'), null, { timeout: 8000 });
	const row = (await rows(page)).find((x) => x.type === 'xss-probe');
	check(row.target === payload, 'selector shown as text: ' + row.target);
	check(row.page === ev.page.path, 'page path shown as text: ' + row.page);
	const text = await page.$eval('#rows tr[data-id="' + row.id.replace(/"/g, '') + '"] td.target .text',
	    (e) => e.textContent);
	check(text === ev.metadata.text, 'text shown as text');
	const found = await page.evaluate(() => ({
		pwned: window.__pwned,
		markup: document.querySelectorAll('#rows img, #rows script, #rows svg, #rows b, #legend img').length,
	}));
	check(found.pwned === undefined, 'script ran: __pwned=' + found.pwned);
	check(found.markup === 0, 'markup from an event became elements: ' + found.markup);
	await page.waitForTimeout(500);	// an onerror would fire by now
	check(await page.evaluate(() => window.__pwned) === undefined, 'script ran late');
	console.log('ok - markup in an event shows as text and runs nothing');
	await ctx.close();
}

async function outage(browser) {
	const { ctx, page } = await newPage(browser);
	const acked = [];	// ids in the bodies of POSTs answered 202
	let refused = 0;
	page.on('response', async (r) => {
		if (r.request().method() === 'POST' && r.url().endsWith('/events') && r.status() === 202) {
			const body = JSON.parse(r.request().postData());
			for (const e of body.events)
				acked.push(e.id);
		}
	});
	const block = (route) => {
		if (route.request().method() === 'POST') {
			refused++;
			return route.abort('internetdisconnected');
		}
		return route.continue();
	};
	await page.route('**/events', block);
	for (const [x, y] of [[300, 70], [320, 90], [340, 110]]) {
		await page.mouse.click(x, y);
		await page.waitForTimeout(150);
	}
	await page.waitForTimeout(3000);
	const queued = await page.evaluate(() =>
	    JSON.parse(localStorage.getItem('tracker.queue.v1')).filter((e) => e.type === 'click'));
	check(queued.length === 3, 'three clicks queued in localStorage, got ' + queued.length);
	check(refused >= 1, 'the tracker tried to send while blocked');
	const ids = queued.map((e) => e.id);
	await page.unroute('**/events', block);
	await page.waitForFunction(() => window.tracker.queued() === 0, null, { timeout: 20000 });
	for (const id of ids)
		check(acked.filter((a) => a === id).length === 1,
		    'click ' + id + ' acknowledged ' + acked.filter((a) => a === id).length + ' times');
	// And the store holds each once.
	let stored = [];
	for (let i = 0; i < 50; i++) {
		const r = await page.evaluate(async () => (await (await fetch('/events?type=click&limit=500')).json()).events.map((e) => e.id));
		stored = r.filter((id) => ids.includes(id));
		if (stored.length >= 3)
			break;
		await page.waitForTimeout(200);
	}
	check(stored.length === 3 && new Set(stored).size === 3, 'stored once each: ' + JSON.stringify(stored));
	console.log('ok - ' + refused + ' refused sends; the 3 queued clicks delivered once each after the network came back');
	await ctx.close();
}

(async () => {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
		    '--disable-component-update', '--no-first-run'],
	});
	try {
		await clicks(browser);
		await xss(browser);
		await outage(browser);
		await phone(browser);
	} finally {
		await browser.close();
	}
	console.log(checks + ' checks');
})().catch((e) => {
	console.error('FAIL: ' + (e && e.stack || e));
	process.exit(1);
});
