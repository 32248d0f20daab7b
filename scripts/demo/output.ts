/* The demo's console output: coloured progress lines with the elapsed time, warnings, timed steps, DemoError. */

const t0 = Date.now();
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s`;

export function say(message: string): void {
	process.stdout.write(`${dim(`[demo ${elapsed()}]`)} ${message}\n`);
}
export function warn(message: string): void {
	process.stdout.write(`${dim(`[demo ${elapsed()}]`)} ${yellow('warning:')} ${message}\n`);
}

export class DemoError extends Error {}

export async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
	const started = Date.now();
	const result = await fn();
	say(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	return result;
}
