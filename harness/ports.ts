/*
 * Local TCP ports: is one free to listen on, does something answer on it, and blocks of free ports reserved across
 * processes (harness, demo, e2e tests).
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { keepOnExit, pidAlive, removeOnExit } from './processes';

/** True when 127.0.0.1:`port` can be listened on exclusively right now. */
export function portFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
	});
}

/** True when something accepts a connection on 127.0.0.1:`port`. */
export function portAnswers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({ port, host: '127.0.0.1' });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

const reservedPorts = new Map<number, string>();

/**
 * A free block of `span` consecutive ports (n8n uses PORT and PORT+1 for the task broker), reserved with a lock file
 * in the OS temp dir so that parallel jest workers never pick the same block.
 */
export async function findFreePortBlock(span = 2): Promise<number> {
	const lockDir = path.join(os.tmpdir(), 'n8n-harness-ports');
	fs.mkdirSync(lockDir, { recursive: true });
	for (const entry of fs.readdirSync(lockDir)) {
		// Locks of runs that died without releasing them.
		try {
			const owner = fs.readFileSync(path.join(lockDir, entry), 'utf8'); // empty: being written right now
			if (owner !== '' && !pidAlive(Number(owner))) fs.rmSync(path.join(lockDir, entry));
		} catch {
			// raced with its owner
		}
	}
	for (let attempt = 0; attempt < 200; attempt++) {
		const base = 20000 + Math.floor(Math.random() * 2000) * 20;
		const lock = path.join(lockDir, String(base));
		if (fs.existsSync(lock)) {
			// A lock whose process is gone (or older than 2 hours) belongs to a run that died.
			let owner = 0;
			try {
				owner = Number(fs.readFileSync(lock, 'utf8')) || 0;
			} catch {
				// unreadable: treat as stale when old
			}
			const alive = owner === 0 || pidAlive(owner); // 0: unreadable or being written: leave it
			const old = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 2 * 3600_000;
			if (alive && !old) continue;
			fs.rmSync(lock, { force: true });
		}
		let fd: number;
		try {
			fd = fs.openSync(lock, 'wx');
		} catch {
			continue;
		}
		fs.writeSync(fd, String(process.pid));
		fs.closeSync(fd);
		let ok = true;
		for (let p = base; p < base + span && ok; p++) ok = await portFree(p);
		if (ok) {
			reservedPorts.set(base, lock);
			removeOnExit(lock);
			return base;
		}
		fs.rmSync(lock, { force: true });
	}
	throw new Error('n8n-harness: no free port block found');
}

export function releasePortBlock(base: number): void {
	const lock = reservedPorts.get(base);
	if (lock) {
		fs.rmSync(lock, { force: true });
		keepOnExit(lock);
	}
	reservedPorts.delete(base);
}
