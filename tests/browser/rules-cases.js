// The table of cases tests/browser/rules.sh puts through the tracker in
// Chromium and through event-ingest: events a page might try to record,
// each with what must become of it ("ok": stored, "drop": refused).
// A script for the page (it sets window.RULE_CASES), so that strings no
// test driver could carry intact (lone surrogates, NUL) are made here.
//
// known: "why": the server does not follow the rule yet (none today); the
// tracker must, and the test reports the server's answer without failing
// on it, and fails once the server follows it, so that the mark goes.
(function () {
	'use strict';
	var C = [];
	function add(name, want, type, metadata, more) {
		var c = { name: name, want: want, type: type, metadata: metadata };
		for (var k in more || {})
			c[k] = more[k];
		C.push(c);
	}
	// {"s":"..."} of exactly n bytes once serialized, from units of the
	// given string (u bytes each once serialized), padded with "x".
	function sized(n, unit, u) {
		var room = n - '{"s":""}'.length, k = Math.floor(room / u);
		return { s: unit.repeat(k) + 'x'.repeat(room - k * u) };
	}
	// leaf inside n objects.
	function nest(n, leaf) {
		for (var i = 0; i < n; i++)
			leaf = { n: leaf };
		return leaf;
	}
	var SIZE = 8192;

	// type
	add('type: plain', 'ok', 'signup', { plan: 'pro' });
	add('type: every allowed character', 'ok', 'a-Z_0.9:x', null);
	add('type: 64 characters', 'ok', 't'.repeat(64), null);
	add('type: 65 characters', 'drop', 't'.repeat(65), null);
	add('type: empty', 'drop', '', null);
	add('type: a space', 'drop', 'sign up', null);
	add('type: a slash', 'drop', 'a/b', null);
	add('type: non-ASCII', 'drop', 'caf\u00e9', null);
	add('type: a NUL', 'drop', 'a\u0000b', null);
	add('type: a number', 'drop', 42, null);
	add('type: missing', 'drop', null, null);

	// metadata: what it may be
	add('metadata: none', 'ok', 'a', null);
	add('metadata: empty object', 'ok', 'a', {});
	add('metadata: a string', 'drop', 'a', 'pro');
	add('metadata: an array', 'drop', 'a', [1, 2]);
	add('metadata: a number', 'drop', 'a', 5);
	add('metadata: toJSON makes it an array', 'drop', 'a', { toJSON: function () { return [1]; } });
	add('metadata: a Date inside becomes a string', 'ok', 'a', { at: new Date(0) });
	add('metadata: undefined and functions are left out', 'ok', 'a', { u: undefined, f: function () {}, k: 1 });
	add('metadata: NaN and Infinity become null', 'ok', 'a', { n: NaN, i: Infinity });
	add('metadata: a cycle', 'drop', 'a', (function () { var o = {}; o.self = o; return o; })(), { jsOnly: 1 });
	add('metadata: a BigInt', 'drop', 'a', { b: BigInt(1) }, { jsOnly: 1 });

	// metadata: size, as UTF-8 bytes of the compact JSON
	add('size: the README example', 'ok', 'a', { s: 'x'.repeat(100) });
	add('size: 9000 characters', 'drop', 'a', { s: 'x'.repeat(9000) });
	add('size: exactly the limit, ASCII', 'ok', 'a', sized(SIZE, 'x', 1));
	add('size: one byte over, ASCII', 'drop', 'a', sized(SIZE + 1, 'x', 1));
	add('size: exactly the limit, 2-byte characters', 'ok', 'a', sized(SIZE, '\u00e9', 2));
	add('size: one byte over, 2-byte characters', 'drop', 'a', sized(SIZE + 1, '\u00e9', 2));
	add('size: exactly the limit, 3-byte characters', 'ok', 'a', sized(SIZE, '\u20ac', 3));
	add('size: one byte over, 3-byte characters', 'drop', 'a', sized(SIZE + 1, '\u20ac', 3));
	add('size: exactly the limit, 4-byte characters', 'ok', 'a', sized(SIZE, '\ud83d\ude00', 4));
	add('size: one byte over, 4-byte characters', 'drop', 'a', sized(SIZE + 1, '\ud83d\ude00', 4));
	add('size: 5000 of them is 20000 bytes, not 10000 UTF-16 units', 'drop', 'a', { s: '\ud83d\ude00'.repeat(2500) });
	add('size: newlines count as their escape (2 bytes)', 'ok', 'a', sized(SIZE, '\n', 2));
	add('size: newlines, one byte over', 'drop', 'a', sized(SIZE + 1, '\n', 2));
	add('size: control characters count as \\u00XX (6 bytes)', 'ok', 'a', sized(SIZE, '\u0001', 6));
	add('size: control characters, one byte over', 'drop', 'a', sized(SIZE + 1, '\u0001', 6));
	add('size: quotes count as \\" (2 bytes)', 'ok', 'a', sized(SIZE, '"', 2));
	add('size: quotes, one byte over', 'drop', 'a', sized(SIZE + 1, '"', 2));
	add('size: DEL and U+2028 as they are (1 and 3 bytes)', 'ok', 'a', (function () {
		var m = sized(SIZE - 3, '\u007f', 1);
		m.s += '\u2028';
		return m;
	})());
	add('size: slashes count once (1 byte)', 'ok', 'a', sized(SIZE, '/', 1));
	add('size: slashes, one byte over', 'drop', 'a', sized(SIZE + 1, '/', 1));
	add('size: many keys', 'ok', 'a', (function () {
		var m = {};
		for (var i = 0; i < 700; i++)
			m['k' + i] = i;
		return m;
	})());

	// metadata: depth (the metadata object is level 1; arrays count)
	add('depth: 8 levels', 'ok', 'a', nest(8, 1));
	add('depth: 8 levels with an object last', 'ok', 'a', nest(7, { leaf: true }));
	add('depth: 9 levels', 'drop', 'a', nest(8, { leaf: true }));
	add('depth: 8 levels through arrays', 'ok', 'a', { a: [{ b: [{ c: [{ d: [1] }] }] }] });
	add('depth: 9 levels through arrays', 'drop', 'a', { a: [{ b: [{ c: [{ d: [{}] }] }] }] });
	add('depth: an empty array at level 9', 'drop', 'a', nest(8, []));

	// metadata: arrays
	add('arrays: of scalars', 'ok', 'a', { a: [1, 'x', true, null] });
	add('arrays: of objects holding arrays', 'ok', 'a', { a: [{ b: [1] }] });
	add('arrays: an array directly inside an array', 'drop', 'a', { a: [[1]] });
	add('arrays: an empty array inside an array', 'drop', 'a', { a: [1, []] });
	add('arrays: deeper down', 'drop', 'a', { a: { b: [{ c: [2, [3]] }] } });

	// metadata: keys
	add('keys: plain', 'ok', 'a', { plan: 'pro' });
	add('keys: empty', 'drop', 'a', { '': 1 });
	add('keys: empty, nested', 'drop', 'a', { a: { '': 1 } });
	add('keys: starting with $', 'drop', 'a', { $set: 1 });
	add('keys: $ later on', 'ok', 'a', { price$: 1 });
	add('keys: a dot', 'drop', 'a', { 'a.b': 1 });
	add('keys: a dot first', 'drop', 'a', { '.a': 1 });
	add('keys: a dot, nested in an array', 'drop', 'a', { a: [{ 'b.c': 1 }] });
	add('keys: 128 bytes', 'ok', 'a', { ['k'.repeat(128)]: 1 });
	add('keys: 129 bytes', 'drop', 'a', { ['k'.repeat(129)]: 1 });
	add('keys: 64 two-byte characters (128 bytes)', 'ok', 'a', { ['\u00e9'.repeat(64)]: 1 });
	add('keys: 65 two-byte characters (130 bytes)', 'drop', 'a', { ['\u00e9'.repeat(65)]: 1 });
	add('keys: __proto__ as a key of its own', 'ok', 'a', JSON.parse('{"__proto__":{"x":1}}'));
	add('keys: a NUL', 'drop', 'a', { 'k\u0000x': 1 });
	add('keys: a NUL hiding a dot', 'drop', 'a', { 'ok\u0000.$x': 1 });
	add('keys: a lone surrogate', 'drop', 'a', { 'k\ud83c': 1 });

	// strings
	add('strings: a NUL in a value', 'drop', 'a', { s: 'a\u0000b' });
	add('strings: a NUL deep down', 'drop', 'a', { a: [{ b: '\u0000' }] });
	add('strings: a high surrogate alone', 'drop', 'a', { s: 'x\ud83cy' });
	add('strings: a low surrogate alone', 'drop', 'a', { s: '\ude00' });
	add('strings: a pair the wrong way round', 'drop', 'a', { s: '\ude00\ud83d' });
	add('strings: a high surrogate at the end', 'drop', 'a', { s: 'x\ud83d' });
	add('strings: a lone surrogate in an array', 'drop', 'a', { a: ['\udfff'] });
	add('strings: a proper pair', 'ok', 'a', { s: '\ud83d\ude00' });
	add('strings: every other character', 'ok', 'a', { s: (function () {
		var s = '';
		for (var i = 1; i < 0x800; i++)
			s += String.fromCharCode(i);
		return s + '\uffff\ufffe\ue000';
	})() });

	// numbers
	add('numbers: small', 'ok', 'a', { i: 1, f: 1.5, n: -3, z: -0, e: 5e-324 });
	add('numbers: the largest below 2^63', 'ok', 'a', { i: 9223372036854774784, n: -9223372036854774784 });
	add('numbers: 2^63', 'drop', 'a', { i: 9223372036854775808 });
	add('numbers: -2^63', 'drop', 'a', { i: -9223372036854775808 });
	add('numbers: 2^64', 'drop', 'a', { i: 18446744073709551616 });
	add('numbers: just below 1e21', 'drop', 'a', { i: 999999999999999900000 });
	add('numbers: 1e21 and up have an exponent', 'ok', 'a', { i: 1e21, n: -1e21, m: Number.MAX_VALUE });

	// page fields: the tracker fills them in, cut and cleaned to fit
	function titled(t, want) {
		return { setup: function () { document.title = t; }, title: want };
	}
	add('page: a long title is cut on a character boundary', 'ok', 'a', null,
	    titled('\u00e9'.repeat(300), '\u00e9'.repeat(128)));
	add('page: a title of 4-byte characters', 'ok', 'a', null,
	    titled('\ud83d\ude00'.repeat(100), '\ud83d\ude00'.repeat(64)));
	// (What the document makes of these is the browser's business; what
	// the tracker sends must hold neither: rules.js checks every event.)
	add('page: a title with a NUL and a lone surrogate', 'ok', 'a', null,
	    titled('a\u0000b\ud83cc'));
	add('page: a long path', 'ok', 'a', null, { setup: function () {
		history.replaceState(null, '', '/' + '\u00e9'.repeat(1000) + '?q=' + 'x'.repeat(3000));
	} });

	window.RULE_CASES = C;
})();
