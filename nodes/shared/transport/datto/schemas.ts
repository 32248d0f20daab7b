/**
 * Lenient zod schemas for Datto RMM API v2 responses (see docs/api/datto-rmm.md#4-endpoints-used to #7-sites-and-devices).
 * Datto does not model nullability and its enums grow, so every field is optional and nullable, enums are plain
 * strings, and unknown fields are kept (`.passthrough()`). Only the shape that the client relies on is enforced:
 * objects are objects, list keys are arrays.
 */
import { z } from 'zod';

const str = z.string().nullish();
const num = z.number().nullish();
const bool = z.boolean().nullish();
/** Epoch milliseconds in practice; the spec says date-time, so strings are accepted too. */
const instant = z.union([z.number(), z.string()]).nullish();

export const pageDetailsSchema = z
	.object({
		count: num,
		totalCount: num,
		prevPageUrl: str,
		nextPageUrl: str,
	})
	.passthrough();

export const alertContextSchema = z.object({ '@class': str }).passthrough();

export const alertSourceInfoSchema = z
	.object({ deviceUid: str, deviceName: str, siteUid: str, siteName: str })
	.passthrough();

export const responseActionSchema = z
	.object({ actionTime: instant, actionType: str, description: str, actionReference: str, actionReferenceInt: num })
	.passthrough();

export const alertSchema = z
	.object({
		alertUid: str,
		priority: str,
		diagnostics: str,
		resolved: bool,
		resolvedBy: str,
		resolvedOn: instant,
		muted: bool,
		ticketNumber: z.union([z.string(), z.number()]).nullish(),
		timestamp: instant,
		alertMonitorInfo: z.object({ sendsEmails: bool, createsTicket: bool }).passthrough().nullish(),
		alertContext: alertContextSchema.nullish(),
		alertSourceInfo: alertSourceInfoSchema.nullish(),
		responseActions: z.array(responseActionSchema).nullish(),
		autoresolveMins: num,
	})
	.passthrough();

export const siteSchema = z
	.object({
		id: num,
		uid: str,
		accountUid: str,
		name: str,
		description: str,
		notes: str,
		onDemand: bool,
		splashtopAutoInstall: bool,
		proxySettings: z.unknown().optional(),
		devicesStatus: z
			.object({ numberOfDevices: num, numberOfOnlineDevices: num, numberOfOfflineDevices: num })
			.passthrough()
			.nullish(),
		autotaskCompanyName: str,
		autotaskCompanyId: str,
		portalUrl: str,
	})
	.passthrough();

export const deviceSchema = z
	.object({
		id: num,
		uid: str,
		siteId: num,
		siteUid: str,
		siteName: str,
		deviceType: z.object({ category: str, type: str }).passthrough().nullish(),
		hostname: str,
		intIpAddress: str,
		extIpAddress: str,
		operatingSystem: str,
		lastLoggedInUser: str,
		domain: str,
		description: str,
		online: bool,
		suspended: bool,
		deleted: bool,
		lastSeen: instant,
		lastReboot: instant,
		lastAuditDate: instant,
		creationDate: instant,
		deviceClass: str,
		portalUrl: str,
		webRemoteUrl: str,
		udf: z.record(z.unknown()).nullish(),
	})
	.passthrough();

export const accountSchema = z
	.object({
		id: num,
		uid: str,
		name: str,
		currency: str,
		descriptor: z.record(z.unknown()).nullish(),
		devicesStatus: z.record(z.unknown()).nullish(),
	})
	.passthrough();

export const systemStatusSchema = z.object({ version: str, status: str, started: instant }).passthrough();
export const paginationSchema = z.object({ max: num }).passthrough();
export const requestRateSchema = z
	.object({
		slidingTimeWindowSizeSeconds: num,
		accountUid: str,
		accountCount: num,
		accountRateLimit: num,
		accountCutOffRatio: num,
		accountWriteRateLimit: num,
		accountWriteCount: num,
		operationWriteStatus: z.record(z.object({ limit: num, count: num }).passthrough()).nullish(),
	})
	.passthrough();

/** Component (GET /v2/account/components; datto-rmm-api@0.1.0 types.d.ts `Component`, `ComponentVariable`). */
export const componentVariableSchema = z
	.object({ name: str, defaultVal: str, type: str, direction: bool, description: str, variablesIdx: num })
	.passthrough();
export const componentSchema = z
	.object({
		id: num,
		uid: str,
		name: str,
		description: str,
		categoryCode: str,
		credentialsRequired: bool,
		variables: z.array(componentVariableSchema).nullish(),
	})
	.passthrough();

/** `Job` (GET /v2/job/{jobUid}); status "active" | "completed". */
export const jobSchema = z.object({ id: num, uid: str, name: str, dateCreated: instant, status: str }).passthrough();
const jobComponentSchema = z
	.object({ uid: str, name: str, variables: z.array(z.object({ name: str, value: str }).passthrough()).nullish() })
	.passthrough();
/** `CreateQuickJobResponse` (PUT /v2/device/{deviceUid}/quickjob). */
export const quickJobResponseSchema = z
	.object({ job: jobSchema.nullish(), jobComponents: z.array(jobComponentSchema).nullish() })
	.passthrough();
/** `JobResults` (GET /v2/job/{jobUid}/results/{deviceUid}). */
export const jobResultsSchema = z
	.object({
		jobUid: str,
		deviceUid: str,
		ranOn: instant,
		jobDeploymentStatus: str,
		componentResults: z
			.array(
				z
					.object({ componentUid: str, componentName: str, componentStatus: str, numberOfWarnings: num, hasStdOut: bool, hasStdErr: bool })
					.passthrough(),
			)
			.nullish(),
	})
	.passthrough();
/** `JobStdData[]` (GET …/stdout and …/stderr). */
export const jobStdDataSchema = z.array(z.object({ componentUid: str, componentName: str, stdData: str }).passthrough()).nullish();

export const tokenResponseSchema = z
	.object({ access_token: z.string(), token_type: str, expires_in: z.union([z.number(), z.string()]).nullish() })
	.passthrough();

/** A page of a Datto list endpoint; `key` is "alerts", "sites" or "devices". */
export function pageSchema<T extends z.ZodTypeAny>(key: string, item: T) {
	return z
		.object({ pageDetails: pageDetailsSchema.nullish(), [key]: z.array(item).nullish() })
		.passthrough();
}

export type DattoPageDetails = z.infer<typeof pageDetailsSchema>;
export type DattoAlertRaw = z.infer<typeof alertSchema>;
export type DattoSiteRaw = z.infer<typeof siteSchema>;
export type DattoDeviceRaw = z.infer<typeof deviceSchema>;
export type DattoAccount = z.infer<typeof accountSchema>;
export type DattoSystemStatus = z.infer<typeof systemStatusSchema>;
export type DattoPagination = z.infer<typeof paginationSchema>;
export type DattoRequestRate = z.infer<typeof requestRateSchema>;
export type DattoComponent = z.infer<typeof componentSchema>;
export type DattoJob = z.infer<typeof jobSchema>;
export type DattoQuickJobResponse = z.infer<typeof quickJobResponseSchema>;
export type DattoJobResultsRaw = z.infer<typeof jobResultsSchema>;
