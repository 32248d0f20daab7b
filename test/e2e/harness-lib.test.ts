/* The harness's pure helpers (no n8n started): templates, the node-type comparison, port reservation, retries. */
import * as net from 'net';
import { httpRequest, whileDatabaseNotReady } from '../../harness/http';
import { checkNodeTypes, expectedNodeTypes, readPackageJson } from '../../harness/n8n/package';
import { loadTemplate, renderTemplate } from '../../harness/n8n/templates';
import { findFreePortBlock, releasePortBlock } from '../../harness/ports';
import { startService } from '../../harness/processes';
import { startReceiver } from '../../harness/receiver';
import { fixturePath, packageDir } from '../../harness/repo';

describe('renderTemplate', () => {
	test('fills strings (JSON-escaped), numbers and defaults; rejects missing values', () => {
		const out = renderTemplate('{"u":"{{URL}}/x","q":"{{Q}}","d":"{{D:def}}","n":"{{#N:5432}}","m":"{{#M}}"}', {
			URL: 'http://127.0.0.1:1',
			Q: 'a"b',
			M: 7,
		});
		expect(JSON.parse(out)).toEqual({ u: 'http://127.0.0.1:1/x', q: 'a"b', d: 'def', n: 5432, m: 7 });
		expect(() => renderTemplate('"{{MISSING}}"', {})).toThrow(/MISSING/);
		expect(() => renderTemplate('"{{#N}}"', { N: 'abc' })).toThrow(/not a number/);
	});

	test('the credentials fixture renders to credentials of this package', () => {
		const creds = loadTemplate<{ id: string; type: string; data: Record<string, unknown> }>(
			fixturePath('credentials.template.json'),
			{ HALO_URL: 'http://127.0.0.1:5601', DATTO_URL: 'http://127.0.0.1:5602', PGPORT: 5433 },
		);
		expect(creds.find((c) => c.type === 'haloPsaApi')?.data.instanceUrl).toBe('http://127.0.0.1:5601');
		expect(creds.find((c) => c.type === 'dattoRmmApi')?.data.customUrl).toBe('http://127.0.0.1:5602');
		expect(creds.find((c) => c.type === 'mappingStorePostgresApi')?.data.port).toBe(5433);
		for (const c of creds) expect(c.id.length).toBeLessThanOrEqual(21);
	});
});

describe('checkNodeTypes', () => {
	const pkg = readPackageJson(packageDir());
	const expected = expectedNodeTypes(packageDir());

	test('reports missing and unexpected package types, ignores other packages', () => {
		expect(expected.length).toBeGreaterThan(0);
		const all = expected.flatMap((t) => (t.usableAsTool ? [t.type, `${t.type}Tool`] : [t.type]));
		const exported = [...all, `${pkg.name}.somethingElse`, 'n8n-nodes-base.webhook'].map((name) => ({ name }));
		const check = checkNodeTypes(exported.slice(1), packageDir());
		expect(check.missing).toEqual([all[0]]);
		expect(check.unexpected).toEqual([`${pkg.name}.somethingElse`]);
	});
});

describe('findFreePortBlock', () => {
	test('reserves distinct blocks whose ports are free', async () => {
		const a = await findFreePortBlock(2);
		const b = await findFreePortBlock(2);
		expect(a).not.toBe(b);
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(a + 1, '127.0.0.1', resolve));
		server.close();
		releasePortBlock(a);
		releasePortBlock(b);
	});
});

describe('startService (simulator CLIs, as the workflow e2e tests and the demo start them)', () => {
	test('the Halo and Datto simulator CLIs start on a chosen port, answer, and stop with their process group', async () => {
		for (const [api, ready, probe, status] of [
			['halo', /Halo simulator listening on/, '/api/authinfo', 200],
			['datto', /Datto RMM simulator listening on/, '/api/v2/account', 401], // no token: rejected as Datto does
		] as const) {
			const port = await findFreePortBlock(1);
			const service = await startService({ args: [`dist/simulators/${api}/cli.js`, '--port', String(port)], ready });
			try {
				const res = await httpRequest('GET', `http://127.0.0.1:${port}${probe}`);
				expect({ api, status: res.status }).toEqual({ api, status });
			} finally {
				await service.stop();
				releasePortBlock(port);
			}
			expect(() => process.kill(-service.pid, 0)).toThrow(/ESRCH/);
		}
	});
});

describe('whileDatabaseNotReady (n8n refuses requests while a database ping has timed out)', () => {
	test('repeats a request answered 503 "Database is not ready!" until n8n answers, and not other 503s', async () => {
		const http = await import('http');
		let calls = 0;
		let otherCalls = 0;
		const server = http.createServer((req, res) => {
			if (req.url === '/other') {
				otherCalls++;
				res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service Unavailable"}');
				return;
			}
			calls++;
			if (calls <= 2) res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":503,"message":"Database is not ready!"}');
			else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
		try {
			const res = await whileDatabaseNotReady(() => httpRequest('POST', `${base}/rest/owner/setup`, { json: {} }));
			expect({ status: res.status, calls }).toEqual({ status: 200, calls: 3 });
			const other = await whileDatabaseNotReady(() => httpRequest('GET', `${base}/other`));
			expect({ status: other.status, otherCalls }).toEqual({ status: 503, otherCalls: 1 });
			calls = -1000; // never ready within the limit: the last 503 is returned, not an endless loop
			const gaveUp = await whileDatabaseNotReady(() => httpRequest('GET', `${base}/x`), 1_200);
			expect(gaveUp.status).toBe(503);
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});

describe('httpRequest', () => {
	test('sends json as JSON, a raw body (also an empty one) as it is without a Content-Type, nothing without either', async () => {
		const receiver = await startReceiver(200, '/x');
		try {
			await httpRequest('POST', receiver.url, { json: { a: 1 } });
			await httpRequest('POST', receiver.url, { body: 'not json {', headers: { 'content-type': 'text/plain' } });
			await httpRequest('POST', receiver.url, { body: Buffer.from([0xff, 0x00]) });
			await httpRequest('POST', receiver.url, { body: '' });
			const res = await httpRequest('GET', receiver.url);
			expect(res).toMatchObject({ status: 200, json: { ok: true } });
			expect(
				receiver.received.map((r) => [r.headers['content-type'], r.headers['content-length'], r.body.length]),
			).toEqual([
				['application/json', '7', 7],
				['text/plain', '10', 10],
				[undefined, '2', 2],
				[undefined, '0', 0],
				[undefined, undefined, 0],
			]);
			expect(receiver.received[0].json).toEqual({ a: 1 });
		} finally {
			await receiver.close();
		}
	});
});
