import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { dattoSecretProblem } from '../shared/domain/webhookAuth';

/** The Datto RMM Webhook credential has nothing to call: its test checks the secret policy (length) instead. */
export async function dattoRmmWebhookSecretTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const secret = typeof data.secret === 'string' ? data.secret : '';
	const previous = typeof data.previousSecret === 'string' ? data.previousSecret : '';
	const problem = dattoSecretProblem(secret) ?? (previous === '' ? undefined : dattoSecretProblem(previous, 'Previous Webhook Secret'));
	if (problem) return { status: 'Error', message: problem };
	if (previous !== '' && previous === secret) return { status: 'Error', message: 'The Previous Webhook Secret is the same as the Webhook Secret' };
	return { status: 'OK', message: previous === '' ? 'The secret meets the policy' : 'Both secrets meet the policy (rotation in progress)' };
}
