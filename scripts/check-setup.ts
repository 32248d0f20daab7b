#!/usr/bin/env node
/**
 * Check Setup from the command line: the same checks as the Sync Policy node's Check Setup operation
 * (nodes/shared/setup/checkSetup.ts), printed as text, optionally written as an HTML report.
 *
 *   node dist/scripts/check-setup.js [--html report.html] [--json] config.json
 *
 * config.json: { "halo": <the HaloPSA API credential's fields: instanceUrl, tenant, clientId, clientSecret, …>,
 *                "datto": <the Datto RMM API credential's fields: platform or customUrl, apiKey, apiSecret>,
 *                "settings": { closedStatusId?, closeOutcomeId?, priorityMap?, ticketTypeId?, teamId?, agentId?,
 *                              catchAllClientId?, dattoWebhookUrl?, dattoSecretParameter?, haloWebhookUrl?, haloEvents? } }
 * The report never contains a secret. Exit status: 0 no problem, 1 problems found, 2 usage or unreadable config.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { checkSetup, type CheckSetupSettings } from '../nodes/shared/setup/checkSetup';
import { renderSetupReportHtml, renderSetupReportText } from '../nodes/shared/setup/reportHtml';
import { getDattoClientForCredentials } from '../nodes/shared/transport/datto';
import { getHaloClient, haloConfigFromCredentials } from '../nodes/shared/transport/halo';

export interface CheckSetupIo {
	stdout: (line: string) => void;
	stderr: (line: string) => void;
	readFile: (path: string) => string;
	writeFile: (path: string, text: string) => void;
}

const USAGE = 'Usage: halo-datto-check-setup [--html FILE] [--json] config.json';

export async function main(argv: string[], io: CheckSetupIo = defaultIo()): Promise<number> {
	let html: string | undefined;
	let json = false;
	const files: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--html') {
			html = argv[++i];
			if (!html) {
				io.stderr(USAGE);
				return 2;
			}
		} else if (arg === '--json') json = true;
		else if (arg === '--help' || arg === '-h') {
			io.stdout(USAGE);
			return 0;
		} else if (arg.startsWith('-')) {
			io.stderr(`Unknown option ${arg}\n${USAGE}`);
			return 2;
		} else files.push(arg);
	}
	if (files.length !== 1) {
		io.stderr(USAGE);
		return 2;
	}
	let config: { halo?: Record<string, unknown>; datto?: Record<string, unknown>; settings?: CheckSetupSettings };
	try {
		config = JSON.parse(io.readFile(files[0])) as typeof config;
	} catch (error) {
		io.stderr(`Cannot read ${files[0]}: ${(error as Error).message}`);
		return 2;
	}
	const report = await checkSetup(
		{
			halo: config.halo ? getHaloClient(haloConfigFromCredentials(config.halo)) : undefined,
			datto: config.datto ? getDattoClientForCredentials(config.datto) : undefined,
		},
		config.settings ?? {},
	);
	io.stdout(json ? JSON.stringify(report, null, 2) : renderSetupReportText(report));
	if (html) {
		io.writeFile(html, renderSetupReportHtml(report));
		io.stderr(`HTML report written to ${html}`);
	}
	return report.ok ? 0 : 1;
}

function defaultIo(): CheckSetupIo {
	return {
		stdout: (line) => process.stdout.write(`${line}\n`),
		stderr: (line) => process.stderr.write(`${line}\n`),
		readFile: (path) => readFileSync(path, 'utf8'),
		writeFile: (path, text) => writeFileSync(path, text),
	};
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error: unknown) => {
			process.stderr.write(`check-setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
			process.exit(1);
		},
	);
}
