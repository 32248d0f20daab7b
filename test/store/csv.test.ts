import {
	decodeValueCell,
	encodeValueCell,
	MappingStoreError,
	parseImportCsv,
	parseImportJson,
	recordsToCsv,
	type StoreRecord,
} from '../../nodes/shared/store';
import { parseCsv } from '../../nodes/shared/store/csv';

describe('CSV and JSON import/export formats', () => {
	test('export escapes cells a spreadsheet would run as formulas (issue 18), import reverses it', () => {
		const at = '2026-01-01T00:00:00.000Z';
		const record = (key: string, value: StoreRecord['value'], status = 'open'): StoreRecord =>
			({ key, value, status, createdAt: at, updatedAt: at, closedAt: null, history: [] }) as unknown as StoreRecord;
		const records = [
			record('=HYPERLINK("http://evil.example","click")', '+cmd|\' /C calc\'!A0'),
			record('@SUM(A1)', '-2+3', '=1+1'),
			record('\tx', '\rmsg'),
			record("'=already quoted", "''@twice"),
			record('-5', -5),
			record('site-1', -1.5),
			record("it's fine", "'plain quote"),
		];
		const csv = recordsToCsv(records);
		const [, ...rows] = parseCsv(csv);
		// Every dangerous cell starts with a quote character in the file; numbers and harmless text do not.
		expect(rows.map((r) => r.slice(0, 3))).toEqual([
			['\'=HYPERLINK("http://evil.example","click")', "'+cmd|' /C calc'!A0", 'open'],
			["'@SUM(A1)", "'-2+3", "'=1+1"],
			["'\tx", "'\rmsg", 'open'],
			["''=already quoted", "'''@twice", 'open'],
			['-5', '-5', 'open'],
			['site-1', '-1.5', 'open'],
			["it's fine", "'plain quote", 'open'],
		]);
		expect(parseImportCsv(csv)).toEqual(records.map((r) => ({ key: r.key, value: r.value, status: r.status })));
	});


	test('parses RFC 4180: quotes, doubled quotes, CRLF and LF, newlines in fields, BOM, blank lines', () => {
		const text = '\ufeffkey,value\r\n"a,1","say ""hi"""\r\n\r\nb,"multi\nline"\nc,\n';
		expect(parseCsv(text)).toEqual([
			['key', 'value'],
			['a,1', 'say "hi"'],
			['b', 'multi\nline'],
			['c', ''],
		]);
	});

	test('import reads key, value and status and ignores other columns', () => {
		const rows = parseImportCsv(
			'status, key ,value,createdAt\nclosed,site-1,"{""clientId"": 7}",2026-01-01\n,site-2,Contoso,\n',
		);
		expect(rows).toEqual([
			{ key: 'site-1', value: { clientId: 7 }, status: 'closed' },
			{ key: 'site-2', value: 'Contoso' },
		]);
		expect(parseImportCsv('')).toEqual([]);
	});

	test('value cells: JSON when they parse as JSON, text otherwise, and export keeps that reversible', () => {
		expect(decodeValueCell('42')).toBe(42);
		expect(decodeValueCell('"42"')).toBe('42');
		expect(decodeValueCell('Contoso Ltd')).toBe('Contoso Ltd');
		for (const value of ['42', 'Contoso', '', 'null', ' 7 ', 'true', '{"a":1}', 42, null, { a: [1] }]) {
			expect(decodeValueCell(encodeValueCell(value))).toEqual(value);
		}
		const record: StoreRecord = {
			collection: 'sites',
			key: 'k,"1"',
			value: 'line\r\nbreak',
			status: 'open',
			createdAt: '2026-01-01T00:00:00.000Z',
			updatedAt: '2026-01-01T00:00:00.000Z',
			closedAt: null,
			history: [],
		};
		expect(recordsToCsv([record])).toBe(
			'key,value,status,createdAt,updatedAt,closedAt\r\n' +
				'"k,""1""","line\r\nbreak",open,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z,',
		);
		expect(parseImportCsv(recordsToCsv([record]))).toEqual([
			{ key: 'k,"1"', value: 'line\r\nbreak', status: 'open' },
		]);
	});

	test('unreadable CSV and JSON are rejected with the row that is wrong', () => {
		const invalid = (action: () => unknown, message: RegExp) => {
			expect(action).toThrow(MappingStoreError);
			expect(action).toThrow(message);
		};
		invalid(() => parseImportCsv('key,value\n"open,1'), /closing " is missing/);
		invalid(() => parseImportCsv('key,other\na,1'), /needs the columns "key" and "value"/);
		invalid(() => parseImportCsv('key,value\na,1,extra'), /row 1 has 3 fields/);
		invalid(() => parseImportJson('{"key": "a"}'), /must be an array/);
		invalid(() => parseImportJson('[1'), /cannot be parsed/);
		invalid(
			() => parseImportJson([{ key: 'a' }, { value: 1 }]),
			/row 2 is not an object with a string \(or number\) "key"/,
		);
		invalid(() => parseImportJson([{ key: true, value: 1 }]), /row 1 is not an object with a string/);
		expect(parseImportJson([{ key: 123, value: 'ticket' }])).toEqual([{ key: 123, value: 'ticket' }]);
		invalid(() => parseImportJson([{ key: 'a', status: 3 }]), /row 1 has a status that is not a string/);
		expect(parseImportJson([{ key: 'a' }, { key: 'b', value: [1], status: 'closed', extra: true }])).toEqual([
			{ key: 'a', value: null },
			{ key: 'b', value: [1], status: 'closed' },
		]);
	});
});
