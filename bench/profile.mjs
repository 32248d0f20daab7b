/*
 * Where n8n spends its CPU during a benchmark: a CPU profile of the n8n main process taken through its inspector,
 * and a summary of it (self time, inclusive time, by package). Runs on Node 22+ (global WebSocket): use the Node 24
 * that scripts/n8n-install.sh put into the cache.
 *
 *   # 1. start a benchmark with n8n's inspector open (one throughput round, alert + bare only):
 *   BENCH_SKIP_BUILD=1 BENCH_ONLY=throughput BENCH_QUICK=1 THROUGHPUT_ROUNDS=1 THROUGHPUT_DIAGNOSTICS=0 \
 *     BENCH_RESULTS_DIR=/tmp/bx BENCH_N8N_ENV='{"NODE_OPTIONS":"--inspect=127.0.0.1:9239"}' npm run bench &
 *   # 2. when the log says "bare round 0", record 18 s (the alert round follows):
 *   $NODE24 bench/profile.mjs record 9239 18 /tmp/alert-round.cpuprofile
 *   # 3. summarise:
 *   $NODE24 bench/profile.mjs summary /tmp/alert-round.cpuprofile
 *   # 4. the cost of n8n's default-parameter resolution (NodeHelpers.getNodeParameters, run for every node each time
 *   #    n8n builds a Workflow object) per node type of a workflow, with the installed n8n's own code (after npm run build):
 *   $NODE24 bench/profile.mjs defaults ~/.cache/n8n-nodes-halo-datto/n8n-2.41.1/node_modules workflows/datto-halo-sync.json
 *
 * Start `record` only once n8n is ready: n8n's import commands, run before n8n starts, open the same inspector port.
 */
/* global WebSocket -- Node 22+ global (see above); the eslint globals package does not list it yet */
import fs from 'node:fs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function record(port = '9239', seconds = '15', out = 'n8n.cpuprofile') {
	let target;
	for (let i = 0; i < 1200 && !target; i++) {
		try {
			target = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json())[0];
		} catch {
			// not listening yet
		}
		if (!target) await sleep(500);
	}
	if (!target) throw new Error(`no inspector on 127.0.0.1:${port}`);
	const ws = new WebSocket(target.webSocketDebuggerUrl);
	await new Promise((resolve, reject) => {
		ws.onopen = resolve;
		ws.onerror = reject;
	});
	let id = 0;
	const pending = new Map();
	ws.onmessage = (message) => {
		const data = JSON.parse(message.data);
		pending.get(data.id)?.(data);
		pending.delete(data.id);
	};
	const send = (method, params = {}) =>
		new Promise((resolve) => {
			const i = ++id;
			pending.set(i, resolve);
			ws.send(JSON.stringify({ id: i, method, params }));
		});
	await send('Profiler.enable');
	await send('Profiler.setSamplingInterval', { interval: 500 });
	await send('Profiler.start');
	await sleep(Number(seconds) * 1000);
	const result = await send('Profiler.stop');
	fs.writeFileSync(out, JSON.stringify(result.result.profile));
	console.log(`wrote ${out}`);
	ws.close();
}

function summary(file, count = '30') {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const hits = new Map();
	for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
	const total = profile.samples.length;
	const where = (n) => n.callFrame.url.replace(/.*node_modules\//, '');
	const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}:${n.callFrame.lineNumber}`;
	const pkg = (n) => where(n).split('/').slice(0, where(n).startsWith('@') ? 2 : 1).join('/') || '(native)';
	const self = new Map();
	const inclusive = new Map();
	const packages = new Map();
	const add = (map, key, n) => map.set(key, (map.get(key) ?? 0) + n);
	for (const [id, n] of hits) {
		add(self, label(byId.get(id)), n);
		const seen = new Set();
		const seenPkg = new Set();
		for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
			const node = byId.get(cur);
			if (!seen.has(label(node))) add(inclusive, label(node), n), seen.add(label(node));
			if (!seenPkg.has(pkg(node))) add(packages, pkg(node), n), seenPkg.add(pkg(node));
		}
	}
	const top = (map) =>
		[...map]
			.sort((a, b) => b[1] - a[1])
			.slice(0, Number(count))
			.map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
			.join('\n');
	console.log(`${total} samples\n\n-- self time\n${top(self)}\n\n-- inclusive time\n${top(inclusive)}\n\n-- by package (inclusive)\n${top(packages)}`);
}

async function defaults(nodeModules, workflowFile) {
	const { createRequire } = await import('node:module');
	const path = await import('node:path');
	const require = createRequire(import.meta.url);
	const helpers = require(path.join(nodeModules, 'n8n-workflow/dist/cjs/node-helpers.js'));
	const workflow = JSON.parse(fs.readFileSync(workflowFile, 'utf8'));
	const ours = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).n8n.nodes;
	const descriptionOf = (node) => {
		const [prefix, name] = node.type.split('.');
		const file =
			prefix === 'n8n-nodes-base'
				? require(path.join(nodeModules, 'n8n-nodes-base/package.json')).n8n.nodes.find((f) => f.endsWith(`/${name[0].toUpperCase()}${name.slice(1)}.node.js`))
				: ours.find((f) => f.endsWith(`/${name[0].toUpperCase()}${name.slice(1)}.node.js`));
		if (!file) return undefined;
		const root = prefix === 'n8n-nodes-base' ? path.join(nodeModules, 'n8n-nodes-base') : new URL('..', import.meta.url).pathname;
		const Type = Object.values(require(path.join(root, file)))[0];
		let type = new Type();
		if (type.nodeVersions) type = type.nodeVersions[node.typeVersion] ?? Object.values(type.nodeVersions).pop();
		return type.description;
	};
	const perType = new Map();
	let total = 0;
	for (const node of workflow.nodes) {
		const description = descriptionOf(node);
		if (!description) {
			console.log(`(no description found for ${node.type})`);
			continue;
		}
		const run = () => helpers.getNodeParameters(description.properties, node.parameters, true, false, node, description);
		for (let i = 0; i < 20; i++) run();
		const rounds = 300;
		const start = process.hrtime.bigint();
		for (let i = 0; i < rounds; i++) run();
		const ms = Number(process.hrtime.bigint() - start) / 1e6 / rounds;
		const entry = perType.get(node.type) ?? { nodes: 0, ms: 0 };
		perType.set(node.type, { nodes: entry.nodes + 1, ms: entry.ms + ms });
		total += ms;
	}
	for (const [type, { nodes, ms }] of [...perType].sort((a, b) => b[1].ms - a[1].ms)) {
		console.log(`${type.padEnd(40)} ${String(nodes).padStart(3)} nodes  ${ms.toFixed(3)} ms  (${((100 * ms) / total).toFixed(0)} %)`);
	}
	console.log(`all ${workflow.nodes.length} nodes: ${total.toFixed(2)} ms per Workflow object`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'record') await record(...args);
else if (command === 'summary') summary(...args);
else if (command === 'defaults') await defaults(...args);
else {
	console.error('usage: profile.mjs record <port> <seconds> <out.cpuprofile> | summary <file.cpuprofile> [count] | defaults <n8n node_modules> <workflow.json>');
	process.exit(2);
}
