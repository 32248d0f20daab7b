import * as fs from 'fs';

export default async function globalTeardown(): Promise<void> {
	const dir = process.env.HALO_DATTO_PREPARED_BY_SETUP;
	if (dir && process.env.E2E_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
}
