/**
 * Sends Datto RMM alert webhooks (triggered and resolved) the way Datto does: the user's template with Datto's
 * [placeholders] substituted, POSTed to the configured URL. Options reproduce the known trouble cases
 * (docs/api/datto-rmm.md#8-webhooks-datto--datto-rmm-trigger, #9-duplicates-and-flapping): raw string bodies, unescaped quotes in [alert_message],
 * duplicate concurrent deliveries, placeholders Datto does not substitute, and a secret in the query string.
 */
import {
	DATTO_PLACEHOLDERS,
	DATTO_WEBHOOK_TEMPLATES,
	DattoWebhookEvent,
	DattoWebhookTemplateName,
} from '../../nodes/shared/domain/dattoWebhookTemplates';

/** Variable values keyed by placeholder name without brackets (e.g. alert_uid). */
export type WebhookVariables = Record<string, string | number | boolean | null | undefined>;

export interface WebhookSubscription {
	/** Receiver URL (e.g. the n8n production webhook URL). */
	url: string;
	/** Template pair from DATTO_WEBHOOK_TEMPLATES (default "recommended"); ignored for bodies given below. */
	template?: DattoWebhookTemplateName;
	/** Custom template for the triggered body. */
	triggeredTemplate?: string;
	/** Custom template for the resolved body. */
	resolvedTemplate?: string;
	/** Send the resolved webhook at all (Datto makes it optional; default true). */
	sendResolved?: boolean;
	/** Shared secret appended to the URL as ?<secretParam>=<secret>. */
	secret?: string;
	/** Query parameter name for the secret (default "secret"). */
	secretParam?: string;
	/** Extra request headers (Datto's header support is unconfirmed; proxies may add one). */
	headers?: Record<string, string>;
	/**
	 * json: the rendered text with Content-Type application/json (default);
	 * text: the same text as text/plain;
	 * jsonString: the rendered text wrapped in a JSON string literal ("{\"alertUid\":...}") as application/json.
	 */
	bodyMode?: 'json' | 'text' | 'jsonString';
	/** json: values are JSON-escaped (default); none: substituted raw, so quotes/backslashes/CRLF break the JSON. */
	escape?: 'json' | 'none';
	/** Which placeholders Datto substitutes: all known (default), only the verified ones, or only [alert_uid]. */
	substitute?: 'all' | 'verified' | 'alertUidOnly';
	/** Deliveries per event, sent concurrently (default 1). */
	duplicates?: number;
	/** Give up on a delivery after this many ms (default 10000). */
	timeoutMs?: number;
	/** Format of [timestamp]: ISO 8601 (default) or epoch ms. */
	timestampFormat?: 'iso' | 'epochMs';
}

export interface WebhookDelivery {
	seq: number;
	at: number;
	event: DattoWebhookEvent;
	alertUid: string;
	/** URL with the secret masked. */
	url: string;
	contentType: string;
	body: string;
	status?: number;
	responseBody?: string;
	error?: string;
	ms: number;
}

const VERIFIED = new Set(DATTO_PLACEHOLDERS.filter((p) => p.verified).map((p) => p.placeholder.slice(1, -1)));

/** JSON-escapes a value for use inside a JSON string literal (without the surrounding quotes). */
export function jsonEscape(value: string): string {
	return JSON.stringify(value).slice(1, -1);
}

/**
 * Substitutes [placeholders] like Datto: known variables are replaced, unknown or not-substituted ones are left as
 * they are (so a template keeps working when only [alert_uid] is real).
 */
export function renderTemplate(
	template: string,
	variables: WebhookVariables,
	options: Pick<WebhookSubscription, 'escape' | 'substitute'> = {},
): string {
	const substitute = options.substitute ?? 'all';
	return template.replace(/\[([a-z][a-z0-9_]*)\]/gi, (whole, rawName: string) => {
		const name = rawName.toLowerCase();
		if (substitute === 'alertUidOnly' && name !== 'alert_uid') return whole;
		if (substitute === 'verified' && !VERIFIED.has(name)) return whole;
		const value = variables[name];
		if (value === undefined) return whole;
		const text = value === null ? '' : String(value);
		return options.escape === 'none' ? text : jsonEscape(text);
	});
}

export function templatesFor(subscription: WebhookSubscription): { triggered: string; resolved: string } {
	const pair = DATTO_WEBHOOK_TEMPLATES[subscription.template ?? 'recommended'] ?? DATTO_WEBHOOK_TEMPLATES.recommended;
	return {
		triggered: subscription.triggeredTemplate ?? pair.triggered,
		resolved: subscription.resolvedTemplate ?? pair.resolved,
	};
}

/** The HTTP body and content type Datto would send for an event. */
export function buildWebhookBody(
	subscription: WebhookSubscription,
	event: DattoWebhookEvent,
	variables: WebhookVariables,
): { body: string; contentType: string } {
	const text = renderTemplate(templatesFor(subscription)[event], variables, subscription);
	switch (subscription.bodyMode ?? 'json') {
		case 'text':
			return { body: text, contentType: 'text/plain; charset=utf-8' };
		case 'jsonString':
			return { body: JSON.stringify(text), contentType: 'application/json' };
		default:
			return { body: text, contentType: 'application/json' };
	}
}

export function deliveryUrl(subscription: WebhookSubscription): string {
	if (!subscription.secret) return subscription.url;
	const url = new URL(subscription.url);
	url.searchParams.set(subscription.secretParam ?? 'secret', subscription.secret);
	return url.toString();
}

export class DattoWebhookEmitter {
	private subscription?: WebhookSubscription;
	private readonly log: WebhookDelivery[] = [];
	private seq = 0;
	private readonly pending = new Set<Promise<unknown>>();

	subscribe(subscription: WebhookSubscription): void {
		if (!subscription?.url) throw new Error('A webhook subscription needs a url');
		new URL(subscription.url);
		this.subscription = { ...subscription };
	}

	unsubscribe(): void {
		this.subscription = undefined;
	}

	/** The current subscription with its secret masked. */
	describe(): (Omit<WebhookSubscription, 'secret'> & { secret?: string }) | undefined {
		if (!this.subscription) return undefined;
		return { ...this.subscription, secret: this.subscription.secret ? '***' : undefined };
	}

	get subscribed(): boolean {
		return this.subscription !== undefined;
	}

	deliveries(sinceSeq = 0): WebhookDelivery[] {
		return this.log.filter((d) => d.seq > sinceSeq);
	}

	clearDeliveries(): void {
		this.log.length = 0;
	}

	/** Resolves when every delivery started so far has finished. */
	async idle(): Promise<void> {
		while (this.pending.size) await Promise.allSettled([...this.pending]);
	}

	/**
	 * Sends the event (N concurrent copies with `duplicates`). `overrides` change the subscription for this call only.
	 * Returns the deliveries; none when not subscribed or when resolved webhooks are off.
	 */
	async emit(
		event: DattoWebhookEvent,
		variables: WebhookVariables,
		overrides: Partial<WebhookSubscription> = {},
	): Promise<WebhookDelivery[]> {
		if (!this.subscription && !overrides.url) return [];
		const subscription = { ...(this.subscription ?? { url: overrides.url! }), ...overrides };
		if (event === 'resolved' && subscription.sendResolved === false) return [];
		const copies = Math.max(1, Math.floor(subscription.duplicates ?? 1));
		const work = Promise.all(Array.from({ length: copies }, async () => await this.deliver(subscription, event, variables)));
		this.pending.add(work);
		try {
			return await work;
		} finally {
			this.pending.delete(work);
		}
	}

	private async deliver(subscription: WebhookSubscription, event: DattoWebhookEvent, variables: WebhookVariables): Promise<WebhookDelivery> {
		const { body, contentType } = buildWebhookBody(subscription, event, variables);
		const url = deliveryUrl(subscription);
		const masked = subscription.secret ? url.split(encodeURIComponent(subscription.secret)).join('***').split(subscription.secret).join('***') : url;
		const delivery: WebhookDelivery = {
			seq: ++this.seq,
			at: Date.now(),
			event,
			alertUid: String(variables.alert_uid ?? ''),
			url: masked,
			contentType,
			body,
			ms: 0,
		};
		this.log.push(delivery);
		if (this.log.length > 10_000) this.log.splice(0, this.log.length - 10_000);
		const started = Date.now();
		try {
			const response = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': contentType, 'user-agent': 'Datto-RMM-Webhook-Simulator', ...(subscription.headers ?? {}) },
				body,
				signal: AbortSignal.timeout(subscription.timeoutMs ?? 10_000),
			});
			delivery.status = response.status;
			delivery.responseBody = (await response.text()).slice(0, 2000);
		} catch (error) {
			delivery.error = (error as Error).message;
		}
		delivery.ms = Date.now() - started;
		return delivery;
	}
}
