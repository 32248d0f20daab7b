/* Local TCP ports: is one free to listen on, does something answer on it (harness, demo, e2e tests). */
import * as net from 'net';

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
