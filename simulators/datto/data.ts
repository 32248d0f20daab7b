/**
 * Datto RMM simulator data: account, sites, devices and alerts shaped like the real API objects
 * (docs/api/datto-rmm.md#6-alerts, #7-sites-and-devices), plus a deterministic seed generator.
 * Alerts carry the human message that Datto only exposes as the webhook variable [alert_message].
 */
import { randomUUID } from 'crypto';

export type JsonObject = Record<string, unknown>;

export interface SimAccount {
	id: number;
	uid: string;
	name: string;
	currency: string;
	descriptor: JsonObject;
}

export interface SimSite extends JsonObject {
	id: number;
	uid: string;
	accountUid: string;
	name: string;
	description: string | null;
	notes: string | null;
	onDemand: boolean;
	splashtopAutoInstall: boolean;
	proxySettings: JsonObject | null;
	autotaskCompanyName: string | null;
	autotaskCompanyId: string | null;
	portalUrl: string;
}

export interface SimDevice extends JsonObject {
	id: number;
	uid: string;
	siteId: number;
	siteUid: string;
	siteName: string;
	hostname: string;
	deleted: boolean;
	online: boolean;
}

export interface SimAlert extends JsonObject {
	alertUid: string;
	priority: string;
	diagnostics: string | null;
	resolved: boolean;
	resolvedBy: string | null;
	resolvedOn: number | null;
	muted: boolean;
	ticketNumber: string | null;
	timestamp: number;
	alertMonitorInfo: { sendsEmails: boolean | null; createsTicket: boolean | null };
	alertContext: JsonObject & { '@class': string };
	alertSourceInfo: { deviceUid: string; deviceName: string; siteUid: string; siteName: string };
	responseActions: JsonObject[] | null;
	autoresolveMins: number | null;
}

/** An alert plus what only the simulator knows (its [alert_message] and creation order). */
export interface SimAlertRecord {
	alert: SimAlert;
	message: string;
	seq: number;
}

export const PRIORITIES = ['Critical', 'High', 'Moderate', 'Low', 'Information'] as const;

export const CONTEXT_CLASSES = [
	'perf_disk_usage_ctx',
	'online_offline_status_ctx',
	'comp_script_ctx',
	'srvc_status_ctx',
	'eventlog_ctx',
	'perf_resource_usage_ctx',
	'patch_ctx',
	'antivirus_ctx',
	'process_status_ctx',
	'ping_ctx',
	'endpoint_security_threat_ctx',
	'ransomware_ctx',
] as const;

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** GUID-shaped id from a PRNG (deterministic) or crypto (runtime-created objects). */
export function guid(random?: () => number): string {
	if (!random) return randomUUID();
	const hex = (n: number) =>
		Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
	return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length) % list.length];

const CUSTOMERS = [
	'Contoso Ltd',
	'Fabrikam B.V.',
	'Northwind Traders',
	'Tailspin Toys',
	'Woodgrove Bank',
	'Adventure Works',
	'Litware Inc',
	'Proseware GmbH',
	'Wide World Importers',
	'Coho Winery',
	'Alpine Ski House',
	'Blue Yonder Airlines',
];
const USERS = ['jdoe', 'asmith', 'CONTOSO\\mbrown', 'kvanderberg', null, 'Administrator'];
const SERVICES = ['Spooler', 'wuauserv', 'MSSQLSERVER', 'W32Time', 'Veeam Backup Service'];
const DISKS = ['C:', 'D:', 'E:'];

/** A context of the given @class with the fields seen in production code (§6.2); unknown classes get a generic body. */
export function contextFor(cls: string, random: () => number = Math.random): JsonObject & { '@class': string } {
	switch (cls) {
		case 'perf_disk_usage_ctx': {
			const total = Math.round((100 + random() * 900) * 10) / 10;
			const free = Math.round(total * (0.02 + random() * 0.08) * 10) / 10;
			const disk = pick(random, DISKS);
			return { '@class': cls, diskName: disk, freeSpace: free, totalVolume: total, unitOfMeasure: 'GB', diskNameDesignation: disk };
		}
		case 'online_offline_status_ctx':
			return { '@class': cls, status: 'OFFLINE' };
		case 'comp_script_ctx':
			return random() < 0.3
				? { '@class': cls, samples: { '': 'Component returned exit code 1' } }
				: { '@class': cls, samples: { Alert: 'BSODView Command has Failed: "crash dump found" \\\\server\\share' } };
		case 'srvc_status_ctx':
			return { '@class': cls, serviceName: pick(random, SERVICES), status: 'STOPPED' };
		case 'eventlog_ctx':
			return {
				'@class': cls,
				logName: 'System',
				type: 'Error',
				code: 7031,
				source: 'Service Control Manager',
				description: 'The Print Spooler service terminated unexpectedly.\r\nIt has done this 1 time(s).',
			};
		case 'perf_resource_usage_ctx':
			return { '@class': cls, type: random() < 0.5 ? 'CPU' : 'MEMORY', percentage: Math.round((90 + random() * 9.9) * 10) / 10 };
		case 'patch_ctx':
			return { '@class': cls, result: 'FAILED', info: 'KB5034441 failed to install (0x80070643)', patchUid: guid(random), policyUid: guid(random) };
		case 'antivirus_ctx':
			return { '@class': cls, productName: 'Datto AV', status: 'NOT_RUNNING' };
		case 'process_status_ctx':
			return { '@class': cls, processName: 'backupagent.exe', status: 'NOT_RUNNING' };
		case 'ping_ctx':
			return { '@class': cls, roundtripTime: null, reasons: ['Request timed out'] };
		case 'endpoint_security_threat_ctx':
			return { '@class': cls, esAlertId: guid(random), description: 'Threat quarantined: Trojan:Win32/Wacatac' };
		default:
			return { '@class': cls };
	}
}

/** The human message Datto would put into [alert_message] for an alert (the API object has none). */
export function messageFor(context: JsonObject, hostname: string): string {
	const c = context as Record<string, unknown>;
	switch (c['@class']) {
		case 'perf_disk_usage_ctx':
		case 'disk_usage_ctx':
			return `Disk usage on ${String(c.diskName)} is above threshold: ${String(c.freeSpace)} ${String(c.unitOfMeasure ?? 'GB')} free of ${String(c.totalVolume)}`;
		case 'online_offline_status_ctx':
			return `Device ${hostname} is ${String(c.status ?? 'OFFLINE').toLowerCase()}`;
		case 'comp_script_ctx': {
			const samples = (c.samples ?? {}) as Record<string, unknown>;
			const first = Object.values(samples)[0];
			return typeof first === 'string' ? first : 'Component monitor alert';
		}
		case 'srvc_status_ctx':
			return `Service ${String(c.serviceName)} is ${String(c.status)}`;
		case 'eventlog_ctx':
			return `Event log ${String(c.logName)}: ${String(c.type)} ${String(c.code)} from ${String(c.source)} - ${String(c.description)}`;
		case 'perf_resource_usage_ctx':
			return `${String(c.type)} usage is ${String(c.percentage)}%`;
		case 'patch_ctx':
			return `Patch installation ${String(c.result)}: ${String(c.info)}`;
		case 'antivirus_ctx':
			return `Antivirus ${String(c.productName)} is ${String(c.status)}`;
		case 'process_status_ctx':
			return `Process ${String(c.processName)} is ${String(c.status)}`;
		case 'ping_ctx':
			return `Ping failed: ${Array.isArray(c.reasons) ? c.reasons.join(', ') : 'no response'}`;
		case 'endpoint_security_threat_ctx':
			return String(c.description ?? 'Endpoint security threat detected');
		default:
			return `Alert (${String(c['@class'])}) on ${hostname}`;
	}
}

export interface SeedOptions {
	/** PRNG seed (default 1). */
	seed?: number;
	/** Customer sites, not counting "Deleted Devices" (default 5). */
	sites?: number;
	/** Devices spread over the sites (default 20). */
	devices?: number;
	/** Open alerts (default 30). */
	openAlerts?: number;
	/** Resolved alerts (default 10). */
	resolvedAlerts?: number;
	platform?: string;
	/** Epoch ms the seeded timestamps count back from (default 2026-01-15T12:00:00Z, so data is deterministic). */
	epochMs?: number;
}

export interface SimData {
	account: SimAccount;
	sites: SimSite[];
	devices: SimDevice[];
	alerts: SimAlertRecord[];
}

export const DELETED_DEVICES_SITE = 'Deleted Devices';

export function makeSite(
	input: Partial<SimSite> & { name: string },
	context: { id: number; accountUid: string; platform: string; random?: () => number },
): SimSite {
	const uid = input.uid ?? guid(context.random);
	return {
		id: context.id,
		uid,
		accountUid: context.accountUid,
		description: null,
		notes: null,
		onDemand: false,
		splashtopAutoInstall: false,
		proxySettings: null,
		autotaskCompanyName: null,
		autotaskCompanyId: null,
		portalUrl: `https://${context.platform}.centrastage.net/csm/search?qs=uid%3A${uid}`,
		...input,
	};
}

export function makeDevice(
	input: Partial<SimDevice> & { hostname: string },
	site: SimSite,
	context: { id: number; platform: string; random?: () => number; epochMs: number },
): SimDevice {
	const random = context.random ?? Math.random;
	const uid = input.uid ?? guid(context.random);
	const server = /SRV/i.test(input.hostname);
	const udf: Record<string, string | null> = {};
	for (let i = 1; i <= 30; i++) udf[`udf${i}`] = i === 1 ? `Customer ${site.name}` : null;
	return {
		id: context.id,
		uid,
		siteId: site.id,
		siteUid: site.uid,
		siteName: site.name,
		deviceType: { category: server ? 'Server' : 'Desktop', type: server ? 'Main System Chassis' : 'Desktop' },
		intIpAddress: `10.${site.id % 250}.0.${(context.id % 250) + 2}`,
		extIpAddress: `203.0.113.${(site.id % 250) + 1}`,
		operatingSystem: server ? 'Microsoft Windows Server 2022 Standard 20348' : 'Microsoft Windows 11 Pro 22631',
		lastLoggedInUser: pick(random, USERS),
		domain: server ? 'CORP' : null,
		cagVersion: null,
		displayVersion: '4.4.2200',
		description: null,
		a64Bit: true,
		rebootRequired: random() < 0.2,
		online: random() < 0.85,
		suspended: false,
		deleted: site.name === DELETED_DEVICES_SITE,
		lastSeen: context.epochMs - Math.floor(random() * 3_600_000),
		lastReboot: context.epochMs - Math.floor(random() * 7 * 86_400_000),
		lastAuditDate: context.epochMs - Math.floor(random() * 86_400_000),
		creationDate: context.epochMs - Math.floor(365 * 86_400_000 * (0.1 + random())),
		snmpEnabled: false,
		deviceClass: 'device',
		portalUrl: `https://${context.platform}.centrastage.net/csm/search?qs=uid%3A${uid}`,
		warrantyDate: null,
		antivirus: { antivirusProduct: 'Datto AV', antivirusStatus: 'RunningAndUpToDate' },
		patchManagement: { patchStatus: 'FullyPatched', patchesApprovedPending: 0, patchesNotApproved: 0, patchesInstalled: 120 },
		softwareStatus: 'Compliant',
		webRemoteUrl: `https://${context.platform}.centrastage.net/csm/remote/rto/${context.id}`,
		networkProbe: false,
		onboardedViaNetworkMonitor: false,
		udf,
		...input,
	};
}

export interface AlertInput {
	alertUid?: string;
	priority?: string;
	context?: JsonObject & { '@class'?: string };
	contextClass?: string;
	diagnostics?: string | null;
	message?: string;
	autoresolveMins?: number | null;
	muted?: boolean;
	timestamp?: number;
	ticketNumber?: string | null;
	resolved?: boolean;
	resolvedOn?: number | null;
	resolvedBy?: string | null;
}

export function makeAlert(
	input: AlertInput,
	device: SimDevice,
	context: { random?: () => number; now: number; seq: number },
): SimAlertRecord {
	const random = context.random ?? Math.random;
	const cls = input.context?.['@class'] ?? input.contextClass ?? pick(random, CONTEXT_CLASSES);
	const alertContext = { ...contextFor(cls, random), ...(input.context ?? {}), '@class': cls };
	const resolved = input.resolved ?? false;
	const alert: SimAlert = {
		alertUid: input.alertUid ?? guid(context.random),
		priority: input.priority ?? pick(random, PRIORITIES),
		diagnostics: input.diagnostics !== undefined ? input.diagnostics : random() < 0.3 ? null : `Monitor output:\r\n${cls} threshold exceeded`,
		resolved,
		resolvedBy: resolved ? (input.resolvedBy ?? 'sim.technician') : null,
		resolvedOn: resolved ? (input.resolvedOn ?? context.now) : null,
		muted: input.muted ?? false,
		ticketNumber: input.ticketNumber ?? null,
		timestamp: input.timestamp ?? context.now,
		alertMonitorInfo: { sendsEmails: random() < 0.5, createsTicket: random() < 0.1 ? null : false },
		alertContext,
		alertSourceInfo: { deviceUid: device.uid, deviceName: device.hostname, siteUid: device.siteUid, siteName: device.siteName },
		responseActions: random() < 0.2 ? null : [],
		autoresolveMins: input.autoresolveMins !== undefined ? input.autoresolveMins : pick(random, [null, 1, 30, 60]),
	};
	return { alert, message: input.message ?? messageFor(alertContext, device.hostname), seq: context.seq };
}

/** Deterministic data set: same options → same sites, devices, alerts and uids. */
export function generateSeedData(options: SeedOptions = {}): SimData {
	const random = prng(options.seed ?? 1);
	const platform = options.platform ?? 'merlot';
	const epochMs = options.epochMs ?? Date.UTC(2026, 0, 15, 12, 0, 0);
	const account: SimAccount = {
		id: 4242,
		uid: 'ab1c0002',
		name: 'Simulated MSP',
		currency: 'EUR',
		descriptor: { billingEmail: 'billing@msp.example', deviceLimit: 5000, timeZone: 'Europe/Amsterdam' },
	};
	const sites: SimSite[] = [];
	const siteCount = Math.max(0, options.sites ?? 5);
	for (let i = 0; i < siteCount; i++) {
		const customer = CUSTOMERS[i % CUSTOMERS.length] + (i >= CUSTOMERS.length ? ` ${Math.floor(i / CUSTOMERS.length) + 1}` : '');
		sites.push(
			makeSite(
				{
					name: customer,
					description: random() < 0.5 ? `Managed customer ${customer}` : null,
					autotaskCompanyName: random() < 0.3 ? customer : null,
					autotaskCompanyId: random() < 0.3 ? String(1000 + i) : null,
				},
				{ id: 218140 + i, accountUid: account.uid, platform, random },
			),
		);
	}
	const deletedSite = makeSite({ name: DELETED_DEVICES_SITE }, { id: 218139, accountUid: account.uid, platform, random });
	sites.push(deletedSite);

	const devices: SimDevice[] = [];
	const deviceCount = Math.max(0, options.devices ?? 20);
	for (let i = 0; i < deviceCount; i++) {
		const site = siteCount ? sites[i % siteCount] : deletedSite;
		const prefix = site.name.split(/\s+/)[0].replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 10);
		const server = i % 5 === 0;
		const number = String(Math.floor(i / Math.max(1, siteCount)) + 1).padStart(3, '0');
		devices.push(makeDevice({ hostname: `${prefix}-${server ? 'SRV' : 'WS'}${number}` }, site, { id: 700000 + i, platform, random, epochMs }));
	}
	if (deviceCount > 0) {
		devices.push(makeDevice({ hostname: 'OLD-LAPTOP-017' }, deletedSite, { id: 699999, platform, random, epochMs }));
	}

	const alerts: SimAlertRecord[] = [];
	const live = devices.filter((d) => !d.deleted);
	const total = (options.openAlerts ?? 30) + (options.resolvedAlerts ?? 10);
	if (live.length) {
		for (let i = 0; i < total; i++) {
			const device = live[Math.floor(random() * live.length)];
			const resolved = i >= (options.openAlerts ?? 30);
			const timestamp = epochMs - (total - i) * 600_000 - Math.floor(random() * 60_000);
			alerts.push(
				makeAlert(
					{
						contextClass: CONTEXT_CLASSES[i % CONTEXT_CLASSES.length],
						priority: PRIORITIES[i % PRIORITIES.length],
						timestamp,
						resolved,
						resolvedOn: resolved ? timestamp + 300_000 : null,
						muted: i % 11 === 3,
					},
					device,
					{ random, now: timestamp, seq: i + 1 },
				),
			);
		}
	}
	return { account, sites, devices, alerts };
}
