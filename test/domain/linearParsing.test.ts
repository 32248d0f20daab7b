/**
 * Every parser that sees webhook or API input is linear (issue 18, finding 1): adversarial bodies up to the size
 * limit are parsed (or refused by name) under a watchdog, and the linear scanners behave like the regular
 * expressions they replace on small inputs (which those handled in time).
 *
 * The watchdog is a hang detector, not a speed figure: 5 s against the ~56 s the quadratic recovery took on 256 KB
 * (the speed itself is measured by bench/adversarial.bench.ts). Against the old code the "whitespace run after a
 * value" case and the "unclosed tags" case are terminated by the watchdog (ERR_SCRIPT_EXECUTION_TIMEOUT).
 */
import * as vm from 'vm';

import { AlertInputError, normaliseWebhookAlert, parseWebhookPayload } from '../../nodes/shared/domain/dattoAlert';
import { stripTags } from '../../nodes/shared/domain/html';
import { HaloEventInputError, normaliseHaloWebhookBody } from '../../nodes/shared/domain/haloTicketEvent';
import { WebhookLimitError } from '../../nodes/shared/domain/webhookLimits';
import { haloErrorMessage } from '../../nodes/shared/transport/halo/messages';
import { redactSecrets } from '../../nodes/shared/transport/http/redact';
import { dattoAdversarialBodies, errorBodyAdversarialBodies, haloAdversarialBodies } from '../fixtures/adversarial';

const LIMIT = 256 * 1024;
const WATCHDOG_MS = 5_000;

/** Runs `work` and terminates it (throwing ERR_SCRIPT_EXECUTION_TIMEOUT) if it blocks the thread for WATCHDOG_MS. */
function underWatchdog<T>(work: () => T): T {
	return vm.runInNewContext('work()', { work }, { timeout: WATCHDOG_MS }) as T;
}

function outcome(work: () => unknown): string {
	try {
		underWatchdog(work);
		return 'ok';
	} catch (error) {
		if (error instanceof AlertInputError || error instanceof HaloEventInputError || error instanceof WebhookLimitError) return 'refused';
		throw error;
	}
}

describe('adversarial bodies at the size limit finish (parsed or refused by name)', () => {
	test.each(dattoAdversarialBodies(LIMIT - 16).map((b) => [b.name, b] as const))('Datto RMM Trigger: %s', (_name, { body }) => {
		expect(['ok', 'refused']).toContain(outcome(() => normaliseWebhookAlert(parseWebhookPayload(body, LIMIT))));
	});

	test.each(haloAdversarialBodies(LIMIT - 16).map((b) => [b.name, b] as const))('HaloPSA Trigger: %s', (_name, { body }) => {
		expect(['ok', 'refused']).toContain(outcome(() => normaliseHaloWebhookBody(body)));
	});

	test.each(errorBodyAdversarialBodies(LIMIT).map((b) => [b.name, b] as const))('API error body: %s', (_name, { body }) => {
		expect(outcome(() => redactSecrets(haloErrorMessage(500, body), ['S3cr3t-v4lue-with-more']))).toBe('ok');
	});
});

// ---------------------------------------------------------------------------------------------------------------
// The scanners against the patterns they replace (the old code, kept here as the reference on small inputs)

function oldRecover(text: string): Record<string, unknown> | 'none' {
	const out: Record<string, unknown> = {};
	const pair = /"([A-Za-z_][\w]*)"\s*:\s*("((?:[^"\\]|\\.)*)"|true|false|null|-?\d+(?:\.\d+)?)\s*(?=,\s*"[A-Za-z_]\w*"\s*:|\s*})/g;
	let match: RegExpExecArray | null;
	while ((match = pair.exec(text))) {
		out[match[1]] = match[3] !== undefined ? match[3].replace(/\\"/g, '"').replace(/\\\\/g, '\\') : JSON.parse(match[2]);
	}
	const message = /"(alertMessage|alert_message|message)"\s*:\s*"([\s\S]*?)"\s*,\s*"[A-Za-z_]\w*"\s*:/.exec(text);
	if (message) out[message[1]] = message[2];
	if (Object.keys(out).length === 0) return 'none';
	out.__recoveredFromInvalidJson = true;
	return out;
}

function newRecover(text: string): Record<string, unknown> | 'none' {
	try {
		return parseWebhookPayload(text);
	} catch (error) {
		if (error instanceof AlertInputError && /no fields could be recovered/.test(error.message)) return 'none';
		throw error;
	}
}

/** Deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const BROKEN_BODIES = [
	'{"event":"triggered","alertUid":"u-1","alertMessage":"Service "Spooler" stopped","platform":"merlot"}',
	'{"alertUid":"u-2", "alertMessage" : "a "quoted" word" , "priority": "High" }',
	'{"alertUid":"u-3","resolvedAlert":true,"n":-12.5,"x":null,"message":"He said "hi"", "z":1}',
	'{"alertUid":"u-4","alertMessage":"path C:\\\\temp "x"","deviceHostname":"H\\"1"}',
	'{"alertUid":"u-5","alert_message":"unterminated',
	'{"alertUid":"u-6","a":"b" "c":"d"}',
	'{"alertUid":"u-7",\n\t"alertMessage":"line\n"two"",\n\t"siteName":"S"\n}',
	'{"alertUid" : "u-8" ,"message":"","x":"y" x}',
];

describe('broken-JSON recovery: the linear scanner recovers what the old pattern did', () => {
	test.each(BROKEN_BODIES.map((b) => [b]))('%s', (body) => {
		expect(newRecover(body)).toEqual(oldRecover(body));
	});

	it('on 3,000 random broken bodies made of JSON punctuation, keys and white space', () => {
		const next = random(18);
		const parts = ['"', '"alertUid"', '"alertMessage"', '"message"', '"k"', ':', ',', ' ', '\n', '}', '{', '\\', 'x', '1', '-2.5', 'true', 'null', '"v"', '""'];
		const bodies = Array.from({ length: 3000 }, () => `{${Array.from({ length: 1 + Math.floor(next() * 24) }, () => parts[Math.floor(next() * parts.length)]).join('')}`);
		const broken = bodies.filter((b) => {
			try {
				JSON.parse(b);
				return false;
			} catch {
				return true;
			}
		});
		expect(broken.length).toBeGreaterThan(2500);
		const differing = broken.filter((b) => JSON.stringify(newRecover(b)) !== JSON.stringify(oldRecover(b)));
		expect(differing).toEqual([]);
	});
});

describe('form-encoded detection', () => {
	it('accepts and refuses what the old pattern did, on 3,000 random bodies', () => {
		const next = random(5);
		const parts = ['a', '=', '&', ' ', 'alertUid', '\u00a0', 'x=y', '%20'];
		const form = /^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/;
		for (let i = 0; i < 3000; i++) {
			const text = Array.from({ length: 1 + Math.floor(next() * 12) }, () => parts[Math.floor(next() * parts.length)]).join('').trim();
			if (text === '' || /^[{"[]/.test(text) || /^(true|false|null|-?\d[\d.eE+-]*)$/.test(text)) continue;
			const accepted = (() => {
				try {
					parseWebhookPayload(text);
					return true;
				} catch (error) {
					return !/neither JSON nor form-encoded/.test((error as Error).message);
				}
			})();
			expect([text, accepted]).toEqual([text, form.test(text)]);
		}
	});
});

describe('stripTags', () => {
	it('removes tags like the old pattern /<[^>]*>/g → " "', () => {
		const next = random(7);
		const parts = ['<', '>', 'a', ' ', '<b>', '</p>', 'x<y', '\n'];
		for (let i = 0; i < 2000; i++) {
			const html = Array.from({ length: Math.floor(next() * 16) }, () => parts[Math.floor(next() * parts.length)]).join('');
			expect(stripTags(html)).toBe(html.replace(/<[^>]*>/g, ' '));
		}
	});

	it('Halo error bodies in HTML still read as text', () => {
		expect(haloErrorMessage(500, '<html><body><h1>Server Error</h1><p>Try again</p></body></html>')).toBe('Server Error Try again');
	});
});
