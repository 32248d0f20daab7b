/**
 * Sync policies (issue 8): a pure decision engine shared by every node that needs it, plus thin store helpers for
 * the n8n glue. See README.md in this folder for the policies, their settings, the storage layout and the glue.
 */
export * from './types';
export { DEFAULT_POLICY_CONFIG, PLAIN_LIFECYCLE_CONFIG, PolicyConfigError, resolvePolicyConfig, validatePolicyConfig } from './config';
export {
	decide,
	deviceKeyOf,
	dueGraceCloses,
	dueWork,
	EXTERNAL_ACTION_TYPES,
	formatDuration,
	isExternalAction,
	MAX_STORM_ENTRIES,
	MAX_TRACKED_ALERTS,
	needsTicketFacts,
	snapshotOf,
} from './decide';
export { bindActions, isTicketRef, PolicyBindError, ticketRefsIn, type CreatedTickets } from './bind';
export { explain, type ExplainOptions, type Explanation, type TimelineEntry } from './explain';
export {
	alertRecordStatus,
	DEFAULT_CALENDAR_KEY,
	DRY_RUN_PREFIX,
	lockKey,
	POLICY_COLLECTIONS,
	policyLayout,
	ticketKey,
	ticketRecordStatus,
	type PolicyLayout,
} from './layout';
export {
	activeWindows,
	isInWindow,
	isWithinBusinessHours,
	nextBusinessHoursStart,
	validateBusinessHours,
	validateMaintenanceWindow,
	windowCoversAlert,
	windowOccurrenceAt,
	WEEKDAY_NAMES,
	type ActiveWindow,
	type Interval,
} from './windows';
export { isValidTimeZone, localParts, localToInstant, offsetAt, parseClock, parseInstant } from './zonedTime';
export {
	applyStoreActions,
	claimGuards,
	GUARD_PENDING_STATUS,
	loadPolicyState,
	loadTimeline,
	MAX_CONDITIONS_PER_TICKET,
	releaseGuards,
	type ClaimGuardsOptions,
	type ClaimGuardsResult,
	type ExplainSubject,
	type PolicyStore,
	type PolicyStoreReader,
} from './policyStore';
