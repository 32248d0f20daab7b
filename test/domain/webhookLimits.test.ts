import { parseWebhookPayload } from '../../nodes/shared/domain/dattoAlert';
import { normaliseHaloWebhookBody, parseHaloWebhookBody } from '../../nodes/shared/domain/haloTicketEvent';
import { WebhookLimitError, checkJsonText, checkParsedShape, mapWithConcurrency } from '../../nodes/shared/domain/webhookLimits';

const limits = { maxBytes: 1024, maxDepth: 4, maxBatch: 3 };
const nested = (depth: number, inner = '1') => `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;

function refusal(work: () => unknown): { status: number; message: string } | 'accepted' {
	try {
		work();
		return 'accepted';
	} catch (error) {
		if (error instanceof WebhookLimitError) return { status: error.status, message: error.message };
		throw error;
	}
}

describe('checkJsonText (before JSON.parse)', () => {
	it.each([
		['at the depth limit', nested(4), 'accepted'],
		['one level deeper', nested(5), { status: 400, message: 'Body is nested deeper than 4 levels (limit 4)' }],
		['arrays count as levels', '[[[[[1]]]]]', { status: 400, message: 'Body is nested deeper than 4 levels (limit 4)' }],
		['brackets inside strings do not count', `{"a":"${'{['.repeat(50)}"}`, 'accepted'],
		['escaped quotes keep the string open', `{"a":"\\"{{{{{{\\""}`, 'accepted'],
		['a batch at the limit', '[{"a":1},{"a":2},{"a":3}]', 'accepted'],
		['a batch one over', '[{"a":1},{"a":2},{"a":3},4]', { status: 400, message: 'Batch too large: more than 3 elements (limit 3 per delivery)' }],
		['commas inside elements do not count', '[{"a":1,"b":2,"c":3,"d":4},[1,2,3,4,5]]', 'accepted'],
		['white space and a trailing comma do not count', '[ 1 , 2 ,\n 3 , ]', 'accepted'],
		['over the size', `{"a":"${'x'.repeat(1100)}"}`, { status: 413, message: 'Body too large: 1108 bytes (limit 1024)' }],
		['size counts bytes, not characters', `"${'é'.repeat(600)}"`, { status: 413, message: 'Body too large: 1202 bytes (limit 1024)' }],
	])('%s', (_name, text, expected) => {
		expect(refusal(() => checkJsonText(text, limits))).toEqual(expected);
	});
});

describe('checkParsedShape (a value n8n already parsed)', () => {
	it.each([
		['at the depth limit', JSON.parse(nested(4)), 'accepted'],
		['one level deeper', JSON.parse(nested(5)), { status: 400, message: 'Body is nested deeper than 4 levels (limit 4)' }],
		['20,000 levels, without recursion', JSON.parse(nested(20_000)), { status: 400, message: 'Body is nested deeper than 4 levels (limit 4)' }],
		['a batch one over', [1, 2, 3, 4], { status: 400, message: 'Batch too large: 4 elements (limit 3 per delivery)' }],
	])('%s', (_name, value, expected) => {
		expect(refusal(() => checkParsedShape(value, limits))).toEqual(expected);
	});
});

describe('HaloPSA bodies: limits before normalising (issue 18: a 20,000-deep body carrying a ticket id was acted on)', () => {
	const deepWithTicket = `{"event":"Ticket Closed","ticket":{"id":7,"status_id":9},"x":${nested(20_000)}}`;

	it.each([
		['text', deepWithTicket],
		['parsed by n8n', JSON.parse(deepWithTicket)],
	])('a 20,000-deep body with a ticket id is refused (%s)', (_name, body) => {
		expect(refusal(() => normaliseHaloWebhookBody(body))).toEqual({ status: 400, message: 'Body is nested deeper than 32 levels (limit 32)' });
	});

	it('a 20,000-element batch is refused before one element is normalised', () => {
		const batch = Array.from({ length: 20_000 }, (_, i) => ({ event: 'Ticket Closed', ticket: { id: i + 1 } }));
		expect(refusal(() => normaliseHaloWebhookBody(batch))).toEqual({ status: 400, message: 'Batch too large: 20000 elements (limit 100 per delivery)' });
		expect(refusal(() => normaliseHaloWebhookBody(JSON.stringify(batch)))).toEqual({
			status: 400,
			message: 'Batch too large: more than 100 elements (limit 100 per delivery)',
		});
	});

	it('a batch of 100 is accepted; configured limits apply', () => {
		const batch = Array.from({ length: 100 }, (_, i) => ({ event: 'Ticket Closed', ticket: { id: i + 1 } }));
		expect(normaliseHaloWebhookBody(batch).events).toHaveLength(100);
		expect(refusal(() => parseHaloWebhookBody(batch, { maxBytes: 1 << 20, maxDepth: 32, maxBatch: 10 }))).toMatchObject({ status: 400 });
	});

	it('a text body over 1 MiB is refused with 413', () => {
		expect(refusal(() => normaliseHaloWebhookBody(JSON.stringify({ ticket: { id: 1 }, pad: 'x'.repeat(1024 * 1024) })))).toMatchObject({
			status: 413,
			message: expect.stringMatching(/^Body too large: \d+ bytes \(limit 1048576\)$/),
		});
	});
});

describe('Datto RMM bodies: depth refused before JSON.parse, status kept', () => {
	it('a 20,000-deep text body → 400 naming the limit', () => {
		expect(() => parseWebhookPayload(nested(20_000))).toThrow(expect.objectContaining({ status: 400, message: 'Body is nested deeper than 32 levels (limit 32)' }));
	});
});

describe('mapWithConcurrency', () => {
	it('never runs more than the bound at once, keeps the order', async () => {
		let running = 0;
		let most = 0;
		const out = await mapWithConcurrency(Array.from({ length: 50 }, (_, i) => i), 4, async (n) => {
			running++;
			most = Math.max(most, running);
			await new Promise((resolve) => setImmediate(resolve));
			running--;
			return n * 2;
		});
		expect(most).toBe(4);
		expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
	});
});
