/* The harness's progress lines on stderr (`[n8n-harness] …`); N8N_HARNESS_QUIET=1 silences them (the demo does). */

export function log(message: string): void {
	if (process.env.N8N_HARNESS_QUIET !== '1') process.stderr.write(`[n8n-harness] ${message}\n`);
}
