import { DEFAULT_POLICY_CONFIG, PolicyConfigError, resolvePolicyConfig, formatDuration } from '../../nodes/shared/policy';

describe('policy configuration', () => {
	it('defaults: every policy on with the documented settings', () => {
		expect(resolvePolicyConfig()).toEqual({
			dryRun: false,
			flapDedupe: { enabled: true, foldMinutes: 10 },
			reopenWindow: { enabled: true, hours: 24 },
			closeRules: { enabled: true },
			graceClose: { enabled: true, minutes: 5 },
			storm: { enabled: true, threshold: 5, windowMinutes: 10, attachAs: 'note' },
			maintenance: { enabled: true },
			businessHours: { enabled: true, outsideHours: 'defer', lowPriorities: ['Low', 'Information'], lowerTo: 'Information' },
			integrationAgentIds: [],
		});
	});

	it('merges a partial configuration one level deep and never shares arrays with the defaults', () => {
		const c = resolvePolicyConfig({ storm: { threshold: 3 }, businessHours: { lowPriorities: ['Low'] } });
		expect(c.storm).toEqual({ enabled: true, threshold: 3, windowMinutes: 10, attachAs: 'note' });
		c.businessHours.lowPriorities.push('High');
		expect(DEFAULT_POLICY_CONFIG.businessHours.lowPriorities).toEqual(['Low', 'Information']);
	});

	it.each([
		[{ flapDedupe: { foldMinutes: -1 } }, 'flapDedupe.foldMinutes must be a number ≥ 0, got -1'],
		[{ reopenWindow: { hours: Number.NaN } }, 'reopenWindow.hours must be a number ≥ 0, got NaN'],
		[{ storm: { threshold: 1 } }, 'storm.threshold must be an integer ≥ 2, got 1'],
		[{ storm: { threshold: 2.5 } }, 'storm.threshold must be an integer ≥ 2, got 2.5'],
		[{ storm: { windowMinutes: 0 } }, 'storm.windowMinutes must be more than 0'],
		[{ storm: { attachAs: 'merge' as never } }, 'storm.attachAs must be "note" or "childTicket", got merge'],
		[{ businessHours: { lowerTo: 'Urgent' as never } }, 'businessHours.lowerTo must be one of Critical, High, Moderate, Low, Information, Unknown, got Urgent'],
		[{ integrationAgentIds: ['x' as never] }, 'integrationAgentIds must be a list of integer agent ids'],
	])('rejects %j', (input, message) => {
		expect(() => resolvePolicyConfig(input)).toThrow(new PolicyConfigError(message));
	});

	it('formats durations for reasons', () => {
		expect([0, 45_000, 12 * 60_000, 200 * 60_000, 49 * 3_600_000].map(formatDuration)).toEqual(['0 s', '45 s', '12 min', '3 h 20 min', '2 d 1 h']);
	});
});
