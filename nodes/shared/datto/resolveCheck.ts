/**
 * Verify resolves: before a "resolved" webhook closes anything, ask Datto RMM whether the alert really is resolved
 * (GET /v2/alert/{alertUid}, field `resolved`; docs/security.md#integrity). The webhook URL and its secret are
 * all a sender needs, so a delivery alone is not proof: with this check, whoever holds the URL cannot close a ticket
 * whose alert Datto still reports open. Anything but a confirmed `resolved: true` (open, unknown alert, API error,
 * timeout) is "not confirmed": the delivery is recorded as such and left to the reconciliation, which closes the
 * ticket once Datto reports the alert resolved. n8n-free (used by the Datto RMM Trigger).
 */
import type { DattoAlert } from '../transport/datto';
import { isApiRequestError } from '../transport/http/errors';
import { redactSecrets } from '../transport/http/redact';

export interface ResolveCheck {
	confirmed: boolean;
	/** Why not confirmed (null when confirmed). */
	reason: string | null;
}

const describe = (error: unknown): string =>
	isApiRequestError(error) ? error.message : redactSecrets(error instanceof Error ? error.message : String(error));

/** Asks Datto whether `alertUid` is resolved; never throws. */
export async function confirmResolved(
	client: { getAlert(alertUid: string): Promise<Pick<DattoAlert, 'resolved'>> },
	alertUid: string,
	timeoutMs = 10_000,
): Promise<ResolveCheck> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<'timeout'>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), timeoutMs);
	});
	const read = client.getAlert(alertUid);
	try {
		const alert = await Promise.race([read, timeout]);
		if (alert === 'timeout') {
			read.catch(() => undefined);
			return { confirmed: false, reason: `Datto RMM did not answer GET /v2/alert/${alertUid} within ${timeoutMs / 1000} s` };
		}
		if (alert.resolved === true) return { confirmed: true, reason: null };
		return { confirmed: false, reason: `Datto RMM still reports alert ${alertUid} open` };
	} catch (error) {
		return { confirmed: false, reason: `Datto RMM could not confirm alert ${alertUid} resolved: ${describe(error)}` };
	} finally {
		if (timer) clearTimeout(timer);
	}
}
