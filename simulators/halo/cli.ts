#!/usr/bin/env node
/**
 * Starts the Halo simulator from the command line and keeps it up until SIGTERM/SIGINT.
 *
 *   node dist/simulators/halo/cli.js --port 5601 --tenant default --client-id X --client-secret Y \
 *     --rate-limit 300/300 [--retry-after] [--token-lifetime 3600] [--profile acme] [--on-premise] \
 *     [--auth-path /auth] [--no-authinfo] [--write-response array] [--seed-tickets 10] [--host 127.0.0.1]
 *
 * `--tenant` is the tenant name (checked in `?tenant=`); when it names a profile (`default`, `acme`) and no
 * `--profile` is given, that profile is loaded. `--rate-limit N/S` = N requests per rolling S seconds (0 disables).
 * Prints `Halo simulator listening on <baseUrl>` and a JSON line with the details once it is up.
 */
import { HaloSimulator, HaloSimulatorOptions } from './simulator';
import { TENANT_PROFILES } from './profiles';

interface ParsedArgs {
	port: number;
	host: string;
	options: HaloSimulatorOptions;
}

function usage(message?: string): never {
	if (message) process.stderr.write(`${message}\n`);
	process.stderr.write(
		'Usage: halo-sim [--port N] [--host H] [--tenant NAME] [--profile default|acme] [--client-id ID] [--client-secret S]\n' +
			'                [--rate-limit N/SECONDS|0] [--retry-after] [--token-lifetime SECONDS] [--on-premise]\n' +
			'                [--auth-path PATH] [--no-authinfo] [--write-response object|array] [--seed-tickets N]\n',
	);
	process.exit(message ? 2 : 0);
}

export function parseArgs(argv: string[]): ParsedArgs {
	const out: ParsedArgs = { port: 5601, host: '127.0.0.1', options: {} };
	const env = process.env;
	if (env.HALO_SIM_CLIENT_ID) out.options.clientId = env.HALO_SIM_CLIENT_ID;
	if (env.HALO_SIM_CLIENT_SECRET) out.options.clientSecret = env.HALO_SIM_CLIENT_SECRET;
	let profile: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = (): string => {
			const v = inline ?? argv[++i];
			if (v === undefined) usage(`Missing value for ${flag}`);
			return v;
		};
		switch (flag) {
			case '--port':
				out.port = Number(value());
				break;
			case '--host':
				out.host = value();
				break;
			case '--tenant':
				out.options.tenant = value();
				break;
			case '--profile':
				profile = value();
				break;
			case '--client-id':
				out.options.clientId = value();
				break;
			case '--client-secret':
				out.options.clientSecret = value();
				break;
			case '--rate-limit': {
				const v = value();
				if (v === '0' || v === 'off') {
					out.options.rateLimit = false;
					break;
				}
				const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(v);
				if (!m) usage(`--rate-limit expects N/SECONDS, got ${v}`);
				out.options.rateLimit = { limit: Number(m[1]), windowMs: Math.round(Number(m[2]) * 1000) };
				break;
			}
			case '--retry-after':
				out.options.retryAfter = true;
				break;
			case '--token-lifetime':
				out.options.tokenLifetimeSeconds = Number(value());
				break;
			case '--on-premise':
				out.options.onPremise = true;
				break;
			case '--auth-path':
				out.options.authPath = value();
				break;
			case '--no-authinfo':
				out.options.authInfo = false;
				break;
			case '--write-response': {
				const v = value();
				if (v !== 'object' && v !== 'array') usage('--write-response expects object or array');
				out.options.writeResponse = v;
				break;
			}
			case '--seed-tickets':
				out.options.seedTickets = Number(value());
				break;
			case '--help':
			case '-h':
				usage();
				break;
			default:
				usage(`Unknown option ${arg}`);
		}
	}
	if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) usage('--port must be 0..65535');
	const tenant = out.options.tenant;
	out.options.profile = profile ?? (tenant && TENANT_PROFILES[tenant.toLowerCase()] ? tenant.toLowerCase() : 'default');
	return out;
}

async function main(): Promise<void> {
	const { port, host, options } = parseArgs(process.argv.slice(2));
	const sim = new HaloSimulator(options);
	const baseUrl = await sim.listen(port, host);
	process.stdout.write(`Halo simulator listening on ${baseUrl}\n`);
	process.stdout.write(
		`${JSON.stringify({
			baseUrl,
			tenant: sim.tenant,
			profile: sim.profile.name,
			authUrl: `${baseUrl}${sim.authPath}`,
			resourceUrl: `${baseUrl}/api`,
			closedStatusId: sim.profile.closedStatusId,
			apiAgentId: sim.profile.apiAgentId,
			rateLimit: sim.rateLimit ?? null,
			retryAfter: sim.retryAfter,
		})}\n`,
	);
	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		void sim.close().then(() => process.exit(0));
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`Halo simulator failed to start: ${(error as Error).message}\n`);
		process.exit(1);
	});
}
