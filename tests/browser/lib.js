// What the Chromium tests share: the browser as the project runs it
// (Debian's chromium driven by playwright-core), checks that count, and
// the build's htdocs/ served to a page without any web server.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

let checks = 0;

function check(cond, msg) {
	checks++;
	if (!cond)
		throw new Error(msg);
}

// Count a check made elsewhere (one that collects its failures).
function tally() {
	checks++;
}

function ok(msg) {
	console.log('ok - ' + msg);
}

async function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
		    '--disable-component-update', '--no-first-run'],
	});
}

// A page in a fresh context that fails the test on any error it throws.
async function newPage(browser, viewport) {
	const ctx = await browser.newContext({ viewport: viewport || { width: 1280, height: 860 } });
	const page = await ctx.newPage();
	page.on('dialog', (d) => { throw new Error('a dialog opened: ' + d.message()); });
	page.on('pageerror', (e) => { throw new Error('page error: ' + e.message); });
	return { ctx, page };
}

// Serve ORIGIN/ as the given HTML, ORIGIN/<file> from the build's
// htdocs/ (or from the path files maps "/<file>" to), in this context
// only: no web server, the tracker's own logic.  Anything else goes on
// to the routes set after (or the network).
async function serveHtdocs(ctx, origin, html, files) {
	const dir = process.env.HTDOCS;
	await ctx.route(origin + '/**', (route) => {
		const u = new URL(route.request().url());
		if (route.request().method() !== 'GET')
			return route.fallback();
		if (u.pathname === '/')
			return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
		const f = files && files[u.pathname] || path.join(dir, path.basename(u.pathname));
		if (fs.existsSync(f))
			return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8',
			    body: fs.readFileSync(f) });
		return route.fallback();
	});
}

// Run main(browser), then report; any exception fails the script.
function run(main) {
	(async () => {
		const browser = await launch();
		try {
			await main(browser);
		} finally {
			await browser.close();
		}
		console.log(checks + ' checks');
	})().catch((e) => {
		console.error('FAIL: ' + (e && e.stack || e));
		process.exit(1);
	});
}

module.exports = { check, tally, ok, launch, newPage, serveHtdocs, run, checks: () => checks };
