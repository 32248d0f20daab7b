/**
 * Limits both triggers enforce on a delivery before the expensive work (JSON.parse, normalising, API calls, starting
 * an execution): body size (413), nesting depth and batch length (400). Pure and linear: the depth and batch length
 * are read from the text in one forward scan before it is parsed, and from an object n8n already parsed with an
 * iterative walk that stops at the first level past the limit.
 */

export const DEFAULT_MAX_DEPTH = 32;
/** HaloPSA batches several events into one array delivery (webhook "batch limit"); more than this is refused. */
export const DEFAULT_MAX_BATCH = 100;
/** HaloPSA re-fetches (GET ticket + actions) running at once for one delivery. */
export const DEFAULT_REFETCH_CONCURRENCY = 4;

export interface WebhookLimits {
	/** Body size in bytes (413 above). */
	maxBytes: number;
	/** Nesting depth of objects/arrays, the outermost counting 1 (400 above). */
	maxDepth: number;
	/** Elements of a top-level array (400 above); 1 refuses arrays of more than one element. */
	maxBatch: number;
}

/** A delivery over a limit: `status` is the HTTP status to answer (413 size, 400 shape). */
export class WebhookLimitError extends Error {
	constructor(
		message: string,
		readonly status: 400 | 413,
	) {
		super(message);
		this.name = 'WebhookLimitError';
	}
}

export function checkBodySize(bytes: number, maxBytes: number): void {
	if (Number.isFinite(bytes) && bytes > maxBytes) {
		throw new WebhookLimitError(`Body too large: ${bytes} bytes (limit ${maxBytes})`, 413);
	}
}

function tooDeep(maxDepth: number): WebhookLimitError {
	return new WebhookLimitError(`Body is nested deeper than ${maxDepth} levels (limit ${maxDepth})`, 400);
}

function tooManyElements(count: number | string, maxBatch: number): WebhookLimitError {
	return new WebhookLimitError(`Batch too large: ${count} elements (limit ${maxBatch} per delivery)`, 400);
}

/**
 * Checks a JSON (or JSON-like) text before it is parsed: size, nesting depth of `{`/`[` outside strings, and the
 * number of elements of a top-level array. One pass, no allocation; text that is not JSON passes through (the parser
 * names the problem).
 */
export function checkJsonText(text: string, limits: WebhookLimits): void {
	checkBodySize(Buffer.byteLength(text), limits.maxBytes);
	let depth = 0;
	let inString = false;
	let topLevelArray = false;
	let elements = 0;
	let elementOpen = false;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (inString) {
			if (code === 0x5c) i++;
			else if (code === 0x22) inString = false;
			continue;
		}
		if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) continue;
		if (topLevelArray && depth === 1 && code !== 0x2c && code !== 0x5d && !elementOpen) {
			elementOpen = true;
			if (++elements > limits.maxBatch) throw tooManyElements(`more than ${limits.maxBatch}`, limits.maxBatch);
		}
		if (code === 0x22) inString = true;
		else if (code === 0x7b || code === 0x5b) {
			if (depth === 0 && code === 0x5b) topLevelArray = true;
			if (++depth > limits.maxDepth) throw tooDeep(limits.maxDepth);
		} else if (code === 0x7d || code === 0x5d) depth--;
		else if (code === 0x2c && depth === 1) elementOpen = false;
	}
}

/**
 * Checks a value n8n already parsed: nesting depth (iterative, stops past the limit) and top-level array length.
 * Size is checked on the bytes received (checkBodySize), not here.
 */
export function checkParsedShape(value: unknown, limits: Pick<WebhookLimits, 'maxDepth' | 'maxBatch'>): void {
	if (Array.isArray(value) && value.length > limits.maxBatch) throw tooManyElements(value.length, limits.maxBatch);
	const stack: Array<[unknown, number]> = [[value, 1]];
	while (stack.length) {
		const [node, depth] = stack.pop()!;
		if (node === null || typeof node !== 'object') continue;
		if (depth > limits.maxDepth) throw tooDeep(limits.maxDepth);
		for (const child of Array.isArray(node) ? node : Object.values(node as Record<string, unknown>)) {
			if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
		}
	}
}

/**
 * Runs `work` over `items` with at most `concurrency` calls in flight; results keep the input order.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const lanes = Array.from({ length: Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length)) }, async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await work(items[index], index);
		}
	});
	await Promise.all(lanes);
	return results;
}
