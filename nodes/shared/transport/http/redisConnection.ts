/**
 * A minimal Redis client (RESP2 over TCP or TLS) for the cross-process request budget (crossProcessBudget.ts): one
 * lazily opened connection per process and server, AUTH / SELECT on connect, commands answered in order, a timeout
 * per command, and a fresh connection after any error. It only needs EVAL, so it carries no Redis library.
 */
import * as net from 'net';
import * as tls from 'tls';

export interface RedisConnectionConfig {
	host: string;
	port: number;
	db?: number;
	username?: string;
	password?: string;
	tls?: boolean;
	/** Connect and per-command timeout (default 2000 ms). */
	timeoutMs?: number;
}

export type RedisReply = string | number | null | RedisReply[];

export class RedisError extends Error {}

interface Pending {
	resolve: (reply: RedisReply) => void;
	reject: (error: Error) => void;
	timer: NodeJS.Timeout;
}

function encode(args: Array<string | number>): Buffer {
	const parts: string[] = [`*${args.length}\r\n`];
	for (const arg of args) {
		const s = String(arg);
		parts.push(`$${Buffer.byteLength(s)}\r\n${s}\r\n`);
	}
	return Buffer.from(parts.join(''), 'utf8');
}

/** One reply from `offset`: the value (a RedisError for `-` replies) and where the next starts; undefined if incomplete. */
export function parseReply(buffer: Buffer, offset = 0): { value: RedisReply | RedisError; next: number } | undefined {
	const eol = buffer.indexOf('\r\n', offset);
	if (eol < 0) return undefined;
	const type = String.fromCharCode(buffer[offset]);
	const line = buffer.toString('utf8', offset + 1, eol);
	switch (type) {
		case '+':
			return { value: line, next: eol + 2 };
		case '-':
			return { value: new RedisError(line), next: eol + 2 };
		case ':':
			return { value: Number(line), next: eol + 2 };
		case '$': {
			const length = Number(line);
			if (length < 0) return { value: null, next: eol + 2 };
			if (buffer.length < eol + 2 + length + 2) return undefined;
			return { value: buffer.toString('utf8', eol + 2, eol + 2 + length), next: eol + 2 + length + 2 };
		}
		case '*': {
			const count = Number(line);
			if (count < 0) return { value: null, next: eol + 2 };
			const items: RedisReply[] = [];
			let next = eol + 2;
			for (let i = 0; i < count; i++) {
				const item = parseReply(buffer, next);
				if (!item) return undefined;
				if (item.value instanceof RedisError) return { value: item.value, next: item.next };
				items.push(item.value);
				next = item.next;
			}
			return { value: items, next };
		}
		default:
			throw new RedisError(`Unexpected reply from Redis (type byte ${JSON.stringify(type)})`);
	}
}

export class RedisConnection {
	private socket?: net.Socket;
	private connecting?: Promise<net.Socket>;
	private buffer: Buffer = Buffer.alloc(0);
	private readonly pending: Pending[] = [];

	constructor(readonly config: RedisConnectionConfig) {}

	private get timeoutMs(): number {
		return this.config.timeoutMs ?? 2000;
	}

	/** Sends one command; resolves with its reply, rejects on a Redis error reply, a timeout or a broken connection. */
	async command(args: Array<string | number>): Promise<RedisReply> {
		const socket = await this.connect();
		return await this.send(socket, args);
	}

	close(): void {
		this.fail(new RedisError('Redis connection closed'));
	}

	private send(socket: net.Socket, args: Array<string | number>): Promise<RedisReply> {
		return new Promise<RedisReply>((resolve, reject) => {
			const timer = setTimeout(() => this.fail(new RedisError(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
			this.pending.push({ resolve, reject, timer });
			socket.write(encode(args));
		});
	}

	private async connect(): Promise<net.Socket> {
		if (this.socket && !this.socket.destroyed) return this.socket;
		this.connecting ??= this.open().finally(() => (this.connecting = undefined));
		return await this.connecting;
	}

	private async open(): Promise<net.Socket> {
		const { host, port } = this.config;
		const socket = await new Promise<net.Socket>((resolve, reject) => {
			const s = this.config.tls ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
			const timer = setTimeout(() => {
				s.destroy();
				reject(new RedisError(`Could not connect to Redis at ${host}:${port} within ${this.timeoutMs} ms`));
			}, this.timeoutMs);
			s.once(this.config.tls ? 'secureConnect' : 'connect', () => {
				clearTimeout(timer);
				resolve(s);
			});
			s.once('error', (error) => {
				clearTimeout(timer);
				reject(new RedisError(`Could not connect to Redis at ${host}:${port}: ${error.message}`));
			});
		});
		socket.setNoDelay(true);
		socket.on('data', (chunk: Buffer) => this.onData(chunk));
		// Events of a connection that was already replaced must not break the new one.
		socket.on('error', (error) => {
			if (this.socket === socket) this.fail(new RedisError(`Redis connection error: ${error.message}`));
		});
		socket.on('close', () => {
			if (this.socket === socket) this.fail(new RedisError('Redis closed the connection'));
		});
		this.buffer = Buffer.alloc(0);
		this.socket = socket;
		try {
			if (this.config.password) {
				const auth = this.config.username ? ['AUTH', this.config.username, this.config.password] : ['AUTH', this.config.password];
				await this.send(socket, auth);
			}
			if (this.config.db) await this.send(socket, ['SELECT', this.config.db]);
		} catch (error) {
			// Never echo the password: Redis' own AUTH errors do not contain it, ours neither.
			this.fail(error as Error);
			throw error;
		}
		return socket;
	}

	private onData(chunk: Buffer): void {
		this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
		for (;;) {
			let parsed;
			try {
				parsed = parseReply(this.buffer, 0);
			} catch (error) {
				this.fail(error as Error);
				return;
			}
			if (!parsed) return;
			this.buffer = this.buffer.subarray(parsed.next);
			const waiter = this.pending.shift();
			if (!waiter) continue;
			clearTimeout(waiter.timer);
			if (parsed.value instanceof RedisError) waiter.reject(parsed.value);
			else waiter.resolve(parsed.value);
		}
	}

	/** Rejects everything in flight and drops the connection (the next command opens a new one). */
	private fail(error: Error): void {
		const socket = this.socket;
		this.socket = undefined;
		this.buffer = Buffer.alloc(0);
		for (const waiter of this.pending.splice(0)) {
			clearTimeout(waiter.timer);
			waiter.reject(error);
		}
		if (socket && !socket.destroyed) socket.destroy();
	}
}
