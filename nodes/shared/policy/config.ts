/**
 * Policy configuration: defaults, merging a partial configuration over them, validation.
 */
import { DATTO_PRIORITIES, type DattoPriority } from '../domain/priority';
import type { PolicyConfig, PolicyConfigInput } from './types';

export class PolicyConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PolicyConfigError';
	}
}

/** The defaults: every policy on. Business hours only act for clients that have a calendar. */
export const DEFAULT_POLICY_CONFIG: Readonly<PolicyConfig> = Object.freeze({
	dryRun: false,
	flapDedupe: { enabled: true, foldMinutes: 10 },
	reopenWindow: { enabled: true, hours: 24 },
	closeRules: { enabled: true },
	graceClose: { enabled: true, minutes: 5 },
	storm: { enabled: true, threshold: 5, windowMinutes: 10, attachAs: 'note' },
	maintenance: { enabled: true },
	businessHours: { enabled: true, outsideHours: 'defer', lowPriorities: ['Low', 'Information'], lowerTo: 'Information' },
	integrationAgentIds: [],
}) as PolicyConfig;

/** Every policy off: the plain lifecycle (triggered → create, resolved → close with a note). */
export const PLAIN_LIFECYCLE_CONFIG: PolicyConfigInput = {
	flapDedupe: { enabled: false },
	reopenWindow: { enabled: false },
	closeRules: { enabled: false },
	graceClose: { enabled: false },
	storm: { enabled: false },
	maintenance: { enabled: false },
	businessHours: { enabled: false },
};

function finite(name: string, value: number, min: number, integer = false): void {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
		throw new PolicyConfigError(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${String(value)}`);
	}
}

function priority(name: string, value: unknown): asserts value is DattoPriority {
	if (!DATTO_PRIORITIES.includes(value as DattoPriority)) {
		throw new PolicyConfigError(`${name} must be one of ${DATTO_PRIORITIES.join(', ')}, got ${String(value)}`);
	}
}

/** Throws PolicyConfigError naming the first invalid setting. */
export function validatePolicyConfig(config: PolicyConfig): void {
	finite('flapDedupe.foldMinutes', config.flapDedupe.foldMinutes, 0);
	finite('reopenWindow.hours', config.reopenWindow.hours, 0);
	finite('graceClose.minutes', config.graceClose.minutes, 0);
	finite('storm.threshold', config.storm.threshold, 2, true);
	finite('storm.windowMinutes', config.storm.windowMinutes, 0);
	if (config.storm.windowMinutes === 0 && config.storm.enabled) throw new PolicyConfigError('storm.windowMinutes must be more than 0');
	if (!['note', 'childTicket'].includes(config.storm.attachAs)) {
		throw new PolicyConfigError(`storm.attachAs must be "note" or "childTicket", got ${String(config.storm.attachAs)}`);
	}
	if (!['lowerPriority', 'defer'].includes(config.businessHours.outsideHours)) {
		throw new PolicyConfigError(`businessHours.outsideHours must be "lowerPriority" or "defer", got ${String(config.businessHours.outsideHours)}`);
	}
	if (!Array.isArray(config.businessHours.lowPriorities)) throw new PolicyConfigError('businessHours.lowPriorities must be a list');
	config.businessHours.lowPriorities.forEach((p, i) => priority(`businessHours.lowPriorities[${i}]`, p));
	priority('businessHours.lowerTo', config.businessHours.lowerTo);
	if (!Array.isArray(config.integrationAgentIds) || config.integrationAgentIds.some((id) => !Number.isInteger(id))) {
		throw new PolicyConfigError('integrationAgentIds must be a list of integer agent ids');
	}
}

/** The defaults with `input` merged over them (one level deep), validated. */
export function resolvePolicyConfig(input: PolicyConfigInput = {}): PolicyConfig {
	const d = DEFAULT_POLICY_CONFIG;
	const config: PolicyConfig = {
		dryRun: input.dryRun ?? d.dryRun,
		flapDedupe: { ...d.flapDedupe, ...input.flapDedupe },
		reopenWindow: { ...d.reopenWindow, ...input.reopenWindow },
		closeRules: { ...d.closeRules, ...input.closeRules },
		graceClose: { ...d.graceClose, ...input.graceClose },
		storm: { ...d.storm, ...input.storm },
		maintenance: { ...d.maintenance, ...input.maintenance },
		businessHours: {
			...d.businessHours,
			...input.businessHours,
			lowPriorities: [...(input.businessHours?.lowPriorities ?? d.businessHours.lowPriorities)],
		},
		integrationAgentIds: [...(input.integrationAgentIds ?? d.integrationAgentIds)],
	};
	validatePolicyConfig(config);
	return config;
}
