#!/usr/bin/env node
/**
 * Starts the Datto RMM simulator from the command line and runs until SIGTERM / SIGINT.
 *
 *   node dist/simulators/datto/cli.js --port 5602 --api-key K --api-secret S [options]
 *
 * Prints one line "Datto RMM simulator listening on <base URL>" once it accepts requests. Run with --help for options.
 */
import { DattoSimulator, DattoSimulatorOptions } from './server';
import type { WebhookSubscription } from './webhookEmitter';
import type { DattoWebhookTemplateName } from '../../nodes/shared/domain/dattoWebhookTemplates';

const HELP = `Datto RMM API simulator

  --port N                 listen port (default 5602; 0 = any free port)
  --host H                 listen address (default 127.0.0.1)
  --api-key K              API key accepted by /auth/oauth/token (default sim-api-key)
  --api-secret S           API secret (default sim-api-secret)
  --platform P             platform name for portal URLs and [platform] (default merlot)
  --token-lifetime SEC     expires_in of tokens (default 360000)
  --max-page N             maximum page size "max" (default 250)
  --drop-next-page-params  nextPageUrl keeps only "page"
  --empty-next-page-url    nextPageUrl is "" (not null) on the last page
  --public-base-url URL    origin used in nextPageUrl (default: from the Host header)
  --window-ms MS           rate-limit window (default 60000)
  --read-limit N           reads per window (default 600)
  --write-limit N          writes per window (default 600)
  --resolve-limit N        alert-resolve writes per window (default 100)
  --single-bucket          reads and writes share one quota (legacy accounts)
  --retry-after MODE       always | never | alternate (default always)
  --block-after N          consecutive 429s before a 403 IP block (default 20; 0 = never)
  --block-ms MS            IP block length (default 300000)
  --near-limit-delay-ms MS delay above 90 % of the read quota (default 1000; 0 = off)
  --already-resolved MODE  ok | error: answer to resolving a resolved alert (default ok)
  --no-webhook-on-api-resolve  do not fire the resolved webhook for API resolves
  --seed N                 PRNG seed for the data (default 1)
  --sites N --devices N --alerts N --resolved-alerts N   seed data sizes (defaults 5, 20, 30, 10)
  --empty                  no seed data
  --webhook-url URL        subscribe a webhook receiver
  --webhook-secret S       secret appended to the webhook URL (?secret=S)
  --webhook-secret-param P query parameter name for the secret (default secret)
  --webhook-template T     recommended | minimal | legacyAegis (default recommended)
  --webhook-body MODE      json | text | jsonString (default json)
`;

function parseArgs(argv: string[]): Map<string, string | true> {
	const args = new Map<string, string | true>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) throw new Error(`Unexpected argument "${arg}"`);
		const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
		if (inline !== undefined) args.set(name, inline);
		else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args.set(name, argv[++i]);
		else args.set(name, true);
	}
	return args;
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	if (args.has('help') || args.has('h')) {
		process.stdout.write(HELP);
		return;
	}
	const str = (name: string): string | undefined => {
		const value = args.get(name);
		return typeof value === 'string' ? value : undefined;
	};
	const num = (name: string): number | undefined => {
		const value = str(name);
		if (value === undefined) return undefined;
		const n = Number(value);
		if (!Number.isFinite(n)) throw new Error(`--${name} needs a number`);
		return n;
	};
	const flag = (name: string): boolean | undefined => (args.has(name) ? args.get(name) !== 'false' : undefined);

	const options: DattoSimulatorOptions = {};
	const set = <K extends keyof DattoSimulatorOptions>(key: K, value: DattoSimulatorOptions[K] | undefined) => {
		if (value !== undefined) options[key] = value;
	};
	set('apiKey', str('api-key'));
	set('apiSecret', str('api-secret'));
	set('platform', str('platform'));
	set('tokenLifetimeSeconds', num('token-lifetime'));
	set('maxPageSize', num('max-page'));
	set('dropNextPageParams', flag('drop-next-page-params'));
	set('emptyNextPageUrlAtEnd', flag('empty-next-page-url'));
	set('publicBaseUrl', str('public-base-url'));
	set('windowMs', num('window-ms'));
	set('readLimit', num('read-limit'));
	set('writeLimit', num('write-limit'));
	if (num('resolve-limit') !== undefined) options.operationLimits = { 'alert-resolve': num('resolve-limit')! };
	set('singleBucket', flag('single-bucket'));
	set('retryAfter', str('retry-after') as DattoSimulatorOptions['retryAfter']);
	set('blockAfter429s', num('block-after'));
	set('blockMs', num('block-ms'));
	set('nearLimitDelayMs', num('near-limit-delay-ms'));
	set('alreadyResolved', str('already-resolved') as DattoSimulatorOptions['alreadyResolved']);
	if (args.has('no-webhook-on-api-resolve')) options.webhookOnApiResolve = false;
	if (args.has('empty')) options.seed = false;
	else {
		options.seed = {
			seed: num('seed'),
			sites: num('sites'),
			devices: num('devices'),
			openAlerts: num('alerts'),
			resolvedAlerts: num('resolved-alerts'),
		};
	}
	const webhookUrl = str('webhook-url');
	if (webhookUrl) {
		const webhook: WebhookSubscription = { url: webhookUrl };
		if (str('webhook-secret')) webhook.secret = str('webhook-secret');
		if (str('webhook-secret-param')) webhook.secretParam = str('webhook-secret-param');
		if (str('webhook-template')) webhook.template = str('webhook-template') as DattoWebhookTemplateName;
		if (str('webhook-body')) webhook.bodyMode = str('webhook-body') as WebhookSubscription['bodyMode'];
		options.webhook = webhook;
	}

	const simulator = new DattoSimulator(options);
	const url = await simulator.listen(num('port') ?? 5602, str('host') ?? '127.0.0.1');
	process.stdout.write(`Datto RMM simulator listening on ${url}\n`);

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		await simulator.close();
		process.exit(0);
	};
	process.on('SIGTERM', () => void stop());
	process.on('SIGINT', () => void stop());
}

main().catch((error) => {
	process.stderr.write(`Datto RMM simulator: ${(error as Error).message}\n`);
	process.exit(1);
});
