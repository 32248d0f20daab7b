/*
 * A minimal Redis client for tests (RESP2 over a socket): enough to check that Redis answers and to delete the keys
 * of a queue prefix after a queue-mode run. REDIS_HOST / REDIS_PORT (set by .ci/run), default 127.0.0.1:6379.
 */
import * as net from 'net';

export function redisLocation(): { host: string; port: number } {
	return { host: process.env.REDIS_HOST || '127.0.0.1', port: Number(process.env.REDIS_PORT || 6379) };
}

type Reply = string | number | null | Reply[] | Error;

function encode(args: Array<string | number>): Buffer {
	const parts = [`*${args.length}\r\n`];
	for (const a of args) {
		const s = String(a);
		parts.push(`$${Buffer.byteLength(s)}\r\n${s}\r\n`);
	}
	return Buffer.from(parts.join(''));
}

/** Parses one reply at `offset`; returns undefined when the buffer is incomplete. */
function parse(buf: Buffer, offset: number): { value: Reply; next: number } | undefined {
	const eol = buf.indexOf('\r\n', offset);
	if (eol < 0) return undefined;
	const type = String.fromCharCode(buf[offset]);
	const line = buf.toString('utf8', offset + 1, eol);
	switch (type) {
		case '+':
			return { value: line, next: eol + 2 };
		case '-':
			return { value: new Error(line), next: eol + 2 };
		case ':':
			return { value: Number(line), next: eol + 2 };
		case '$': {
			const len = Number(line);
			if (len < 0) return { value: null, next: eol + 2 };
			if (buf.length < eol + 2 + len + 2) return undefined;
			return { value: buf.toString('utf8', eol + 2, eol + 2 + len), next: eol + 2 + len + 2 };
		}
		case '*': {
			const count = Number(line);
			if (count < 0) return { value: null, next: eol + 2 };
			const items: Reply[] = [];
			let next = eol + 2;
			for (let i = 0; i < count; i++) {
				const item = parse(buf, next);
				if (!item) return undefined;
				items.push(item.value);
				next = item.next;
			}
			return { value: items, next };
		}
		default:
			throw new Error(`unexpected RESP type ${type}`);
	}
}

/** Runs commands one after another on one connection; returns the replies. */
export async function redisCommands(commands: Array<Array<string | number>>, location = redisLocation()): Promise<Reply[]> {
	const socket = net.connect(location.port, location.host);
	socket.setTimeout(10_000);
	let buffer = Buffer.alloc(0);
	const replies: Reply[] = [];
	try {
		await new Promise<void>((resolve, reject) => {
			socket.once('connect', resolve);
			socket.once('error', reject);
			socket.once('timeout', () => reject(new Error('Redis: timeout')));
		});
		for (const command of commands) {
			socket.write(encode(command));
			const reply = await new Promise<Reply>((resolve, reject) => {
				const onData = (chunk: Buffer) => {
					buffer = Buffer.concat([buffer, chunk]);
					const parsed = parse(buffer, 0);
					if (parsed) {
						buffer = buffer.subarray(parsed.next);
						socket.off('data', onData);
						resolve(parsed.value);
					}
				};
				socket.on('data', onData);
				socket.once('error', reject);
			});
			if (reply instanceof Error) throw reply;
			replies.push(reply);
		}
		return replies;
	} finally {
		socket.destroy();
	}
}

export async function redisPing(location = redisLocation()): Promise<void> {
	const [reply] = await redisCommands([['PING']], location);
	if (reply !== 'PONG') throw new Error(`Redis at ${location.host}:${location.port} answered ${String(reply)}`);
}

/** Deletes every key matching `pattern` (SCAN + DEL); returns how many. */
export async function redisDeleteMatching(pattern: string, location = redisLocation()): Promise<number> {
	let cursor = '0';
	let deleted = 0;
	do {
		const [reply] = await redisCommands([['SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000]], location);
		const [next, keys] = reply as [string, string[]];
		cursor = next;
		if (keys.length) {
			const [n] = await redisCommands([['DEL', ...keys]], location);
			deleted += Number(n);
		}
	} while (cursor !== '0');
	return deleted;
}
