/*
 * The harness on the command line (scripts/n8n-harness.ts → node dist/scripts/n8n-harness.js, or npm run harness --):
 * pack the package as n8n would, verify that n8n loads every node type, or provision and start an n8n in the
 * foreground. docs/testing.md#using-real-n8n-by-hand.
 */
import * as fs from 'fs';
import * as path from 'path';

import { log } from '../log';
import { DEFAULT_N8N_VERSION, SUPPORTED_N8N_VERSIONS } from './env';
import { N8nInstance, OWNER } from './instance';
import { checkNodeTypes, preparePackage } from './package';

function parseArgs(argv: string[]): { command: string; flags: Map<string, string[]> } {
	const [command = 'help', ...rest] = argv;
	const flags = new Map<string, string[]>();
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
		const eq = arg.indexOf('=');
		let key: string;
		let value: string;
		if (eq > 0) {
			key = arg.slice(2, eq);
			value = arg.slice(eq + 1);
		} else if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) {
			key = arg.slice(2);
			value = rest[++i];
		} else {
			key = arg.slice(2);
			value = 'true';
		}
		flags.set(key, [...(flags.get(key) ?? []), value]);
	}
	return { command, flags };
}

const USAGE = `Usage: node dist/scripts/n8n-harness.js <command> [options]     (npm run harness -- <command> [options])

  pack [--out DIR]                      npm pack + install as n8n would; prints the prepared folder
  verify [--keep]                       fresh user folder: install the package, n8n export:nodes, check every
                                        node type of package.json's n8n.nodes loads (exit 1 if not)
  start [options]                       provision and start n8n in the foreground until SIGINT/SIGTERM
      --port N                          HTTP port (N+1: task broker); default 5678 with --user-folder, else free
      --user-folder DIR                 persistent user folder: provisioned only when it has no database yet
      --credentials FILE|DIR            credentials JSON (templates with {{VARS}}), repeatable
      --workflows FILE|DIR              workflow JSON, repeatable
      --publish all|ID[,ID]             workflows to publish (default all)
      --var NAME=VALUE                  template value, repeatable
      --owner                           create the owner and an API key; printed in the JSON line
      --ready-file FILE                 write the JSON line there too
  Environment: N8N_VERSION (default ${DEFAULT_N8N_VERSION}; supported: ${SUPPORTED_N8N_VERSIONS.join(', ')}),
  HALO_DATTO_CACHE, E2E_KEEP=1.`;

/** Runs one command; resolves to the process exit code (`start` runs until SIGINT/SIGTERM). */
export async function main(argv: string[]): Promise<number> {
	const { command, flags } = parseArgs(argv);
	const one = (name: string) => flags.get(name)?.slice(-1)[0];
	const many = (name: string) => flags.get(name) ?? [];
	switch (command) {
		case 'pack': {
			const dir = await preparePackage({ dir: one('out') ? path.resolve(one('out') as string) : undefined });
			process.stdout.write(`${dir}\n`);
			return 0;
		}
		case 'verify': {
			const instance = await N8nInstance.create({ keep: one('keep') === 'true' });
			const prepared = process.env.HALO_DATTO_PREPARED_PACKAGE || (await preparePackage());
			try {
				instance.installPackage(prepared);
				const check = checkNodeTypes(await instance.exportNodes());
				process.stdout.write(`${JSON.stringify(check, null, 2)}\n`);
				return check.missing.length === 0 && check.unexpected.length === 0 && check.expected.length > 0 ? 0 : 1;
			} finally {
				await instance.stop();
				if (!process.env.HALO_DATTO_PREPARED_PACKAGE) fs.rmSync(prepared, { recursive: true, force: true });
			}
		}
		case 'start': {
			const userFolder = one('user-folder') ? path.resolve(one('user-folder') as string) : undefined;
			// Graceful stop on Ctrl-C / SIGTERM (registered first, so the harness's own signal hook stays out of the way).
			// The handlers exist before the instance does: they read it through this holder.
			const started: { instance?: N8nInstance } = {};
			let stopping = false;
			const shutdown = async () => {
				if (stopping) return;
				stopping = true;
				await started.instance?.stop({ keepFolder: Boolean(userFolder) });
				process.exit(0);
			};
			process.on('SIGINT', () => void shutdown());
			process.on('SIGTERM', () => void shutdown());
			const port = one('port') ? Number(one('port')) : userFolder ? 5678 : undefined;
			const instance = await N8nInstance.create({ port, userFolder });
			started.instance = instance;
			const vars: Record<string, string> = {};
			for (const v of many('var')) {
				const eq = v.indexOf('=');
				vars[v.slice(0, eq)] = v.slice(eq + 1);
			}
			const publishFlag = one('publish') ?? 'all';
			if (!instance.hasDatabase) {
				await instance.provision({
					credentials: many('credentials').map((f) => path.resolve(f)),
					workflows: many('workflows').map((f) => path.resolve(f)),
					publish: publishFlag === 'all' ? 'all' : publishFlag.split(','),
					vars,
				});
			} else {
				log(`reusing provisioned user folder ${instance.userFolder}; reinstalling the package`);
				const prepared = process.env.HALO_DATTO_PREPARED_PACKAGE || (await preparePackage());
				instance.installPackage(prepared);
				if (!process.env.HALO_DATTO_PREPARED_PACKAGE) fs.rmSync(prepared, { recursive: true, force: true });
			}
			await instance.start({ probe: true });
			const info: Record<string, unknown> = {
				url: instance.baseUrl,
				port: instance.port,
				userFolder: instance.userFolder,
				pid: process.pid,
				log: instance.logFile,
				timings: instance.timings,
			};
			if (one('owner') === 'true') {
				info.apiKey = await instance.createApiKey();
				info.owner = { email: OWNER.email, password: OWNER.password };
			}
			const line = JSON.stringify(info);
			process.stdout.write(`${line}\n`);
			if (one('ready-file')) fs.writeFileSync(one('ready-file') as string, `${line}\n`);
			await new Promise(() => undefined); // until a signal
			return 0;
		}
		default:
			process.stdout.write(`${USAGE}\n`);
			return command === 'help' || command === '--help' ? 0 : 2;
	}
}
