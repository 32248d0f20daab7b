/*
 * The real-n8n harness's command line: node dist/scripts/n8n-harness.js <pack|verify|start> (npm run harness --).
 * The harness itself is harness/n8n/ (docs/testing.md#the-harness-harness); the commands are in harness/n8n/cli.ts.
 */
import { main } from '../harness/n8n/cli';

main(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error: Error) => {
		process.stderr.write(`[n8n-harness] ${error.stack ?? error.message}\n`);
		process.exit(1);
	},
);
