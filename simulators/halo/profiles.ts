/**
 * Seed data of the Halo simulator as tenant profiles. Ids, names and the closed status differ per tenant in real
 * Halo (docs/api/halopsa.md#4-conventions-the-code-depends-on, #7-tickets), so the simulator ships three profiles that differ on purpose:
 * `default` (the ids seen in most client code: New 1, In Progress 2, Closed 9) and `acme` (other ids, the closed
 * status is 23 "Resolved", outcomes and ticket types renumbered) and `msp` (Halo's Datto integration has filled
 * `datto_id`; status 9 is "Waiting on Customer", Closed is 17). Profiles can also be passed in whole.
 */

export interface StatusSeed {
	id: number;
	name: string;
	/**
	 * Halo's status `type`. "Closed statuses are typically type 4" is UNCERTAIN in the real world; the simulator
	 * decides closed-ness with its own `closed` flag (never sent by the API) so tests can model tenants where
	 * the type does not tell.
	 */
	type: number;
	closed?: boolean;
	colour?: string;
	shortname?: string;
	sequence?: number;
}

export interface PrioritySeed {
	/** Halo keys priorities by GUID; tickets store the integer `priorityid`. */
	id: string;
	priorityid: number;
	name: string;
	slaid: number;
	colour?: string;
	responsetime?: number;
	fixtime?: number;
}

export interface TicketTypeSeed {
	id: number;
	name: string;
	workflow_id?: number;
	sla_id?: number;
	default_status?: number;
	inactive?: boolean;
}

export interface OutcomeSeed {
	id: number;
	outcome: string;
	buttonname?: string;
	/** Status an action with this outcome moves the ticket to; 0 = no change. */
	newstatus?: number;
	hiddenfromuser?: boolean;
}

export interface TeamSeed {
	id: number;
	name: string;
	department_id?: number;
	inactive?: boolean;
}

export interface AgentSeed {
	id: number;
	name: string;
	email?: string;
	team?: string;
	isdisabled?: boolean;
	is_api_agent?: boolean;
}

export interface ClientSeed {
	id: number;
	name: string;
	toplevel_id?: number;
	toplevel_name?: string;
	inactive?: boolean;
	main_site_id?: number;
	datto_id?: string;
	[key: string]: unknown;
}

export interface SiteSeed {
	id: number;
	name: string;
	client_id: number;
	inactive?: boolean;
	datto_id?: string;
	[key: string]: unknown;
}

/**
 * A Halo asset ("Device"). Halo's native Datto RMM sync fills `datto_id` (the Datto device UID) and
 * `datto_site_uid`; `inventory_number` and `key_field` usually hold the hostname (halopsa-api.md §10).
 */
export interface AssetSeed {
	id: number;
	client_id: number;
	site_id: number;
	inventory_number?: string;
	key_field?: string;
	datto_id?: string;
	datto_site_uid?: string;
	assettype_name?: string;
	inactive?: boolean;
	[key: string]: unknown;
}

/** An end user of a client (GET /api/Users). */
export interface UserSeed {
	id: number;
	name: string;
	client_id: number;
	site_id?: number;
	emailaddress?: string;
	inactive?: boolean;
	[key: string]: unknown;
}

export interface ApplicationSeed {
	clientId: string;
	clientSecret: string;
	/** Agent the application logs in as ("Agent to log in as" in Halo). */
	agentId: number;
}

export interface TenantProfile {
	name: string;
	statuses: StatusSeed[];
	priorities: PrioritySeed[];
	ticketTypes: TicketTypeSeed[];
	outcomes: OutcomeSeed[];
	teams: TeamSeed[];
	agents: AgentSeed[];
	clients: ClientSeed[];
	sites: SiteSeed[];
	/** Assets (GET /api/Asset); none when absent. */
	assets?: AssetSeed[];
	/** End users (GET /api/Users); none when absent. */
	users?: UserSeed[];
	/** Status of a new ticket when the POST has none. */
	newStatusId: number;
	/** The status a technician's close uses (the tenant's "Closed"). */
	closedStatusId: number;
	defaultTicketTypeId: number;
	defaultPriorityId: number;
	/** Client used when a ticket is created without client_id. */
	defaultClientId: number;
	/** Agent the default API application logs in as. */
	apiAgentId: number;
	/** Agent used by the admin API's "technician" actions. */
	technicianAgentId: number;
	/** Outcome used by a technician's close. */
	closeOutcomeId: number;
}

const defaultProfile: TenantProfile = {
	name: 'default',
	statuses: [
		{ id: 1, name: 'New', type: 1, colour: '#2f80ed', shortname: 'NEW', sequence: 1 },
		{ id: 2, name: 'In Progress', type: 2, colour: '#f2994a', shortname: 'INP', sequence: 2 },
		{ id: 3, name: 'Action Required', type: 2, colour: '#eb5757', shortname: 'ACT', sequence: 3 },
		{ id: 4, name: 'With User', type: 3, colour: '#9b51e0', shortname: 'USR', sequence: 4 },
		{ id: 28, name: 'On Hold', type: 3, colour: '#828282', shortname: 'HLD', sequence: 5 },
		{ id: 9, name: 'Closed', type: 4, closed: true, colour: '#27ae60', shortname: 'CLO', sequence: 9 },
		{ id: 21, name: 'Cancelled', type: 4, closed: true, colour: '#bdbdbd', shortname: 'CAN', sequence: 10 },
	],
	priorities: [
		{ id: '6f1d2b8e-0001-4c1a-9d2e-000000000001', priorityid: 1, name: 'Critical', slaid: 1, responsetime: 1, fixtime: 4 },
		{ id: '6f1d2b8e-0001-4c1a-9d2e-000000000002', priorityid: 2, name: 'High', slaid: 1, responsetime: 2, fixtime: 8 },
		{ id: '6f1d2b8e-0001-4c1a-9d2e-000000000003', priorityid: 3, name: 'Medium', slaid: 1, responsetime: 4, fixtime: 24 },
		{ id: '6f1d2b8e-0001-4c1a-9d2e-000000000004', priorityid: 4, name: 'Low', slaid: 1, responsetime: 8, fixtime: 72 },
		{ id: '6f1d2b8e-0002-4c1a-9d2e-000000000001', priorityid: 1, name: 'P1 - Critical', slaid: 2, responsetime: 0.5, fixtime: 2 },
		{ id: '6f1d2b8e-0002-4c1a-9d2e-000000000002', priorityid: 2, name: 'P2 - High', slaid: 2, responsetime: 1, fixtime: 4 },
		{ id: '6f1d2b8e-0002-4c1a-9d2e-000000000003', priorityid: 3, name: 'P3 - Medium', slaid: 2, responsetime: 2, fixtime: 12 },
		{ id: '6f1d2b8e-0002-4c1a-9d2e-000000000004', priorityid: 4, name: 'P4 - Low', slaid: 2, responsetime: 4, fixtime: 48 },
	],
	ticketTypes: [
		{ id: 1, name: 'Incident', workflow_id: 1, sla_id: 1, default_status: 1 },
		{ id: 3, name: 'Service Request', workflow_id: 2, sla_id: 1, default_status: 1 },
		{ id: 21, name: 'RMM Alert', workflow_id: 1, sla_id: 2, default_status: 1 },
		{ id: 4, name: 'Problem', workflow_id: 3, sla_id: 1, default_status: 1 },
	],
	outcomes: [
		{ id: 1, outcome: 'Note', buttonname: 'Add Note' },
		{ id: 7, outcome: 'Private Note', buttonname: 'Private Note', hiddenfromuser: true },
		{ id: 8, outcome: 'Email User', buttonname: 'Email User' },
		{ id: 9, outcome: 'Close', buttonname: 'Close Ticket', newstatus: 9 },
		{ id: 23, outcome: 'Remote', buttonname: 'Remote Session' },
		{ id: 24, outcome: 'Re-Open', buttonname: 'Re-Open', newstatus: 2 },
	],
	teams: [
		{ id: 1, name: 'Service Desk', department_id: 1 },
		{ id: 2, name: 'Second Line', department_id: 1 },
		{ id: 3, name: 'Projects', department_id: 2 },
	],
	agents: [
		{ id: 1, name: 'Unassigned', isdisabled: false },
		{ id: 5, name: 'Alice Technician', email: 'alice@msp.example', team: 'Service Desk' },
		{ id: 6, name: 'Bob Engineer', email: 'bob@msp.example', team: 'Second Line' },
		{ id: 42, name: 'API Agent (n8n)', email: 'api@msp.example', team: 'Service Desk', is_api_agent: true },
	],
	clients: [
		{ id: 1, name: 'Unallocated', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 1 },
		{ id: 12, name: 'Contoso Ltd', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 34, datto_id: 'a1b2c3d4-0000-4000-8000-000000000012' },
		{ id: 13, name: 'Fabrikam Inc', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 36, datto_id: 'a1b2c3d4-0000-4000-8000-000000000013' },
		{ id: 14, name: 'Northwind Traders', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 38 },
		{ id: 15, name: 'Old Customer', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 39, inactive: true },
	],
	sites: [
		{ id: 1, name: 'Main', client_id: 1 },
		{ id: 34, name: 'Head Office', client_id: 12, datto_id: 'site-uid-contoso-ho' },
		{ id: 35, name: 'Warehouse', client_id: 12, datto_id: 'site-uid-contoso-wh' },
		{ id: 36, name: 'Head Office', client_id: 13, datto_id: 'site-uid-fabrikam-ho' },
		{ id: 37, name: 'Lab', client_id: 13 },
		{ id: 38, name: 'Main', client_id: 14 },
		{ id: 39, name: 'Main', client_id: 15, inactive: true },
	],
	assets: [
		{ id: 901, client_id: 12, site_id: 34, inventory_number: 'CONTOSO-SRV01', key_field: 'CONTOSO-SRV01', datto_id: 'device-uid-contoso-srv01', datto_site_uid: 'site-uid-contoso-ho', assettype_name: 'Server' },
		{ id: 902, client_id: 12, site_id: 35, inventory_number: 'CONTOSO-WS002', key_field: 'CONTOSO-WS002', datto_id: '', assettype_name: 'Workstation' },
		{ id: 903, client_id: 13, site_id: 36, inventory_number: 'FABRIKAM-PC07', key_field: 'FABRIKAM-PC07', assettype_name: 'Workstation' },
		{ id: 904, client_id: 13, site_id: 37, inventory_number: 'LAB-PC', key_field: 'LAB-PC', assettype_name: 'Workstation' },
		{ id: 905, client_id: 13, site_id: 37, inventory_number: 'lab-pc', key_field: 'lab-pc', assettype_name: 'Workstation' },
	],
	newStatusId: 1,
	closedStatusId: 9,
	defaultTicketTypeId: 1,
	defaultPriorityId: 3,
	defaultClientId: 1,
	apiAgentId: 42,
	technicianAgentId: 5,
	closeOutcomeId: 9,
};

const acmeProfile: TenantProfile = {
	name: 'acme',
	statuses: [
		{ id: 11, name: 'Open', type: 1, colour: '#2f80ed', shortname: 'OPN', sequence: 1 },
		{ id: 12, name: 'Working', type: 2, colour: '#f2994a', shortname: 'WRK', sequence: 2 },
		{ id: 15, name: 'Waiting on Customer', type: 3, colour: '#9b51e0', shortname: 'WOC', sequence: 3 },
		{ id: 23, name: 'Resolved', type: 4, closed: true, colour: '#27ae60', shortname: 'RES', sequence: 8 },
		{ id: 24, name: 'Cancelled', type: 4, closed: true, colour: '#bdbdbd', shortname: 'CAN', sequence: 9 },
		// A pending-closure status with type 4 that does not close the ticket: type alone is not a safe signal.
		{ id: 26, name: 'Pending Closure', type: 4, closed: false, colour: '#6fcf97', shortname: 'PCL', sequence: 7 },
	],
	priorities: [
		{ id: '9a7c0d11-1111-4e2f-8a3b-00000000000a', priorityid: 5, name: 'Sev 1', slaid: 7, responsetime: 0.25, fixtime: 2 },
		{ id: '9a7c0d11-1111-4e2f-8a3b-00000000000b', priorityid: 6, name: 'Sev 2', slaid: 7, responsetime: 1, fixtime: 8 },
		{ id: '9a7c0d11-1111-4e2f-8a3b-00000000000c', priorityid: 7, name: 'Sev 3', slaid: 7, responsetime: 4, fixtime: 24 },
		{ id: '9a7c0d11-1111-4e2f-8a3b-00000000000d', priorityid: 8, name: 'Sev 4', slaid: 7, responsetime: 8, fixtime: 80 },
	],
	ticketTypes: [
		{ id: 31, name: 'Alert', workflow_id: 11, sla_id: 7, default_status: 11 },
		{ id: 32, name: 'Incident', workflow_id: 11, sla_id: 7, default_status: 11 },
		{ id: 33, name: 'Request', workflow_id: 12, sla_id: 7, default_status: 11 },
	],
	outcomes: [
		{ id: 101, outcome: 'Internal Note', buttonname: 'Internal Note', hiddenfromuser: true },
		{ id: 102, outcome: 'Customer Update', buttonname: 'Update Customer' },
		{ id: 103, outcome: 'Resolve', buttonname: 'Resolve', newstatus: 23 },
		{ id: 104, outcome: 'Reopen', buttonname: 'Reopen', newstatus: 12 },
	],
	teams: [
		{ id: 61, name: 'NOC', department_id: 5 },
		{ id: 62, name: 'Field Engineers', department_id: 5 },
	],
	agents: [
		{ id: 71, name: 'Carol NOC', email: 'carol@acme.example', team: 'NOC' },
		{ id: 72, name: 'Dan Field', email: 'dan@acme.example', team: 'Field Engineers' },
		{ id: 77, name: 'Integration Agent', email: 'integration@acme.example', team: 'NOC', is_api_agent: true },
	],
	clients: [
		{ id: 501, name: 'Acme Internal', toplevel_id: 2, toplevel_name: 'Internal', main_site_id: 601 },
		{ id: 502, name: 'Globex Corporation', toplevel_id: 3, toplevel_name: 'Customers', main_site_id: 602, datto_id: 'b2c3d4e5-0000-4000-8000-000000000502' },
		{ id: 503, name: 'Initech', toplevel_id: 3, toplevel_name: 'Customers', main_site_id: 604 },
	],
	sites: [
		{ id: 601, name: 'HQ', client_id: 501 },
		{ id: 602, name: 'Springfield', client_id: 502, datto_id: 'site-uid-globex-spr' },
		{ id: 603, name: 'Cypress Creek', client_id: 502, datto_id: 'site-uid-globex-cyp' },
		{ id: 604, name: 'Austin', client_id: 503 },
	],
	newStatusId: 11,
	closedStatusId: 23,
	defaultTicketTypeId: 32,
	defaultPriorityId: 7,
	defaultClientId: 501,
	apiAgentId: 77,
	technicianAgentId: 71,
	closeOutcomeId: 103,
};


/**
 * A typical MSP tenant running Halo's own Datto RMM integration: `datto_id` filled on some sites, clients and
 * assets (Halo names differ from Datto's), and status 9 is "Waiting on Customer", not Closed (the closed status is
 * 17). No "Private Note" outcome: the usual private one is "Internal Note". Datto site UIDs match the e2e fixtures.
 */
const mspProfile: TenantProfile = {
	name: 'msp',
	statuses: [
		{ id: 1, name: 'New', type: 1, colour: '#2f80ed', shortname: 'NEW', sequence: 1 },
		{ id: 2, name: 'In Progress', type: 2, colour: '#f2994a', shortname: 'INP', sequence: 2 },
		{ id: 9, name: 'Waiting on Customer', type: 3, colour: '#9b51e0', shortname: 'WOC', sequence: 3 },
		{ id: 17, name: 'Closed', type: 4, closed: true, colour: '#27ae60', shortname: 'CLO', sequence: 9 },
		{ id: 18, name: 'Cancelled', type: 4, closed: true, colour: '#bdbdbd', shortname: 'CAN', sequence: 10 },
	],
	priorities: defaultProfile.priorities,
	ticketTypes: [
		{ id: 1, name: 'Incident', workflow_id: 1, sla_id: 1, default_status: 1 },
		{ id: 21, name: 'RMM Alert', workflow_id: 1, sla_id: 2, default_status: 1 },
	],
	outcomes: [
		{ id: 3, outcome: 'Update', buttonname: 'Update' },
		{ id: 5, outcome: 'Internal Note', buttonname: 'Internal Note', hiddenfromuser: true },
		{ id: 6, outcome: 'Close', buttonname: 'Close Ticket', newstatus: 17 },
		{ id: 10, outcome: 'Awaiting Customer', buttonname: 'Awaiting Customer', newstatus: 9 },
	],
	teams: [{ id: 1, name: 'Service Desk', department_id: 1 }],
	agents: [
		{ id: 5, name: 'Alice Technician', email: 'alice@msp.example', team: 'Service Desk' },
		{ id: 42, name: 'API Agent (n8n)', email: 'api@msp.example', team: 'Service Desk', is_api_agent: true },
	],
	clients: [
		{ id: 1, name: 'Catch-All', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 1, datto_id: '' },
		{ id: 12, name: 'Contoso (Managed)', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 34, datto_id: '' },
		{ id: 13, name: 'Fabrikam, Inc.', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 36 },
		{ id: 14, name: 'Northwind', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 38, datto_id: 'e2e-site-northwind' },
		{ id: 15, name: 'Old Customer', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 39, inactive: true, datto_id: 'e2e-site-old' },
		{ id: 16, name: 'Tailspin Toys Ltd', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 40 },
		{ id: 17, name: 'Tailspin Toys GmbH', toplevel_id: 1, toplevel_name: 'Clients', main_site_id: 41 },
	],
	sites: [
		{ id: 1, name: 'Main', client_id: 1 },
		{ id: 34, name: 'Head Office', client_id: 12, datto_id: 'e2e-site-contoso' },
		{ id: 35, name: 'Warehouse', client_id: 12, datto_id: '' },
		{ id: 36, name: 'Main', client_id: 13 },
		{ id: 38, name: 'Main', client_id: 14 },
		{ id: 39, name: 'Main', client_id: 15, datto_id: 'e2e-site-old-site' },
		{ id: 40, name: 'Main', client_id: 16 },
		{ id: 41, name: 'Main', client_id: 17 },
	],
	assets: [
		{ id: 901, client_id: 12, site_id: 34, inventory_number: 'CONTOSO-SRV01', key_field: 'CONTOSO-SRV01', datto_id: 'e2e-device-contoso-srv01', datto_site_uid: 'e2e-site-contoso', assettype_name: 'Server' },
		{ id: 902, client_id: 12, site_id: 35, inventory_number: 'CONTOSO-WS002', key_field: 'CONTOSO-WS002', datto_id: '', assettype_name: 'Workstation' },
		{ id: 906, client_id: 14, site_id: 38, inventory_number: 'NORTHWIND-PC01', key_field: 'NORTHWIND-PC01', assettype_name: 'Workstation' },
	],
	users: [
		{ id: 301, name: 'Jane Doe', client_id: 12, site_id: 34, emailaddress: 'jdoe@contoso.example' },
		{ id: 302, name: 'John Smith', client_id: 12, site_id: 35, emailaddress: 'jsmith@contoso.example' },
		{ id: 303, name: 'J Smith', client_id: 12, site_id: 34, emailaddress: 'j.smith@contoso.example' },
		{ id: 304, name: 'Jane Doe', client_id: 13, site_id: 36, emailaddress: 'jdoe@fabrikam.example' },
	],
	newStatusId: 1,
	closedStatusId: 17,
	defaultTicketTypeId: 1,
	defaultPriorityId: 3,
	defaultClientId: 1,
	apiAgentId: 42,
	technicianAgentId: 5,
	closeOutcomeId: 6,
};

export const TENANT_PROFILES: Record<string, TenantProfile> = {
	default: defaultProfile,
	acme: acmeProfile,
	msp: mspProfile,
};

/** A deep copy of a named profile (so a simulator can mutate its data freely). */
export function tenantProfile(name: string): TenantProfile {
	const profile = TENANT_PROFILES[name.toLowerCase()];
	if (!profile) throw new Error(`Unknown Halo tenant profile "${name}" (known: ${Object.keys(TENANT_PROFILES).join(', ')})`);
	return JSON.parse(JSON.stringify(profile)) as TenantProfile;
}
