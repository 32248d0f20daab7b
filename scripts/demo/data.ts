/* Demo data (simulator mode): Datto sites and devices, the Halo clients/sites of the simulator's default profile, the sample alerts. */

interface DemoSite {
	uid: string;
	name: string;
	/** Halo client/site of the simulator's default profile; undefined = unmapped (the catch-all fallback). */
	halo?: { clientId: number; siteId: number; clientName: string };
}

export const DEMO_SITES: DemoSite[] = [
	{
		uid: 'demo-site-contoso-ho',
		name: 'Contoso Ltd',
		halo: { clientId: 12, siteId: 34, clientName: 'Contoso Ltd' },
	},
	{
		uid: 'demo-site-fabrikam-ho',
		name: 'Fabrikam Inc',
		halo: { clientId: 13, siteId: 36, clientName: 'Fabrikam Inc' },
	},
	{
		uid: 'demo-site-northwind',
		name: 'Northwind Traders',
		halo: { clientId: 14, siteId: 38, clientName: 'Northwind Traders' },
	},
	{ uid: 'demo-site-tailspin', name: 'Tailspin Toys' },
];

export interface Sample {
	key: string;
	hostname: string;
	siteUid: string;
	priority: string;
	contextClass: string;
	context?: Record<string, unknown>;
	/**
	 * What the demo does with it after the ticket opened. `self-heal`: nothing; the workflow's remediation rule runs a
	 * Datto component that fixes it (the simulator resolves the alert). Without self-healing: resolve-in-datto.
	 */
	plan: 'resolve-in-datto' | 'close-in-halo' | 'stay-open' | 'self-heal';
	duplicates?: number;
}

export const DEMO_DEVICES = [
	{ hostname: 'CONTOSO-SRV01', siteUid: 'demo-site-contoso-ho' },
	{ hostname: 'FABRIKAM-SQL01', siteUid: 'demo-site-fabrikam-ho' },
	{ hostname: 'NORTHWIND-FS01', siteUid: 'demo-site-northwind' },
	{ hostname: 'TAILSPIN-LT03', siteUid: 'demo-site-tailspin' },
];

export const SAMPLES: Sample[] = [
	{
		key: 'A',
		hostname: 'CONTOSO-SRV01',
		siteUid: 'demo-site-contoso-ho',
		priority: 'Critical',
		contextClass: 'perf_disk_usage_ctx',
		context: {
			diskName: 'C:',
			diskNameDesignation: 'C:',
			freeSpace: 4.2,
			totalVolume: 237.9,
			unitOfMeasure: 'GB',
		},
		plan: 'resolve-in-datto',
		duplicates: 3,
	},
	{
		key: 'B',
		hostname: 'FABRIKAM-SQL01',
		siteUid: 'demo-site-fabrikam-ho',
		priority: 'High',
		contextClass: 'srvc_status_ctx',
		context: { serviceName: 'MSSQLSERVER', status: 'STOPPED' },
		plan: 'self-heal',
	},
	{
		key: 'C',
		hostname: 'NORTHWIND-FS01',
		siteUid: 'demo-site-northwind',
		priority: 'Moderate',
		contextClass: 'online_offline_status_ctx',
		context: { status: 'OFFLINE' },
		plan: 'close-in-halo',
	},
	{
		key: 'D',
		hostname: 'TAILSPIN-LT03',
		siteUid: 'demo-site-tailspin',
		priority: 'Low',
		contextClass: 'patch_ctx',
		plan: 'stay-open',
	},
];

/** The demo's remediation rule (simulator mode): stopped services → the Datto simulator's "Restart Service" component. */
export const DEMO_REMEDIATION_RULE = {
	id: 'restart-stopped-service',
	alertType: 'srvc_status_ctx',
	componentUid: 'c0a1b2c3-0001-4000-8000-000000000002',
	componentName: 'Restart Service',
	variables: { ServiceName: '{condition.detail}' },
	cooldownMinutes: 60,
	dailyCap: 10,
	timeoutMinutes: 2,
};
