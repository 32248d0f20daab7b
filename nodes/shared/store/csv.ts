/**
 * Import and export formats, e.g. to seed the site → client collection from a spreadsheet.
 *
 * CSV (RFC 4180: comma-separated, `"` quoting, `""` for a quote, CRLF or LF line ends, optional BOM) has a header row.
 * Import reads the columns `key` and `value` (required) and `status` (optional) and ignores any other column, so an
 * export can be imported again. A value cell holding valid JSON is read as that JSON (`42`, `{"id":7}`, `"text"`),
 * any other cell as plain text. Export writes plain text for strings that do not parse as JSON and JSON otherwise, so
 * values round-trip unchanged.
 *
 * Formula escaping (OWASP "CSV injection"): a cell that a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, tab or carriage return, e.g. a key `=HYPERLINK("http://evil","click")`) is exported with a leading `'`,
 * which spreadsheets show as text. Numbers (`-5`, `-1.5e3`) are left alone. The escape is reversible: a cell that
 * starts with one or more `'` followed by such a character gets one more `'` on export, and import removes one, so
 * every key and value round-trips unchanged.
 *
 * JSON import takes an array (or its JSON text) of objects with `key`, `value` and optionally `status`; other
 * properties are ignored, so exported records can be imported again.
 */
import { MappingStoreError } from './errors';
import type { ImportRow, JsonValue, StoreRecord } from './types';

export type TransferFormat = 'csv' | 'json';

const EXPORT_COLUMNS = ['key', 'value', 'status', 'createdAt', 'updatedAt', 'closedAt'] as const;

function invalidData(message: string): MappingStoreError {
	return new MappingStoreError('invalidImportData', message);
}

function parsesAsJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

export function encodeValueCell(value: JsonValue): string {
	return typeof value === 'string' && !parsesAsJson(value) ? value : JSON.stringify(value);
}

export function decodeValueCell(cell: string): JsonValue {
	try {
		return JSON.parse(cell) as JsonValue;
	} catch {
		return cell;
	}
}

const FORMULA_START = /^'*[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** A cell a spreadsheet could run as a formula gets a leading `'` (see the header). */
export function escapeFormula(cell: string): string {
	return FORMULA_START.test(cell) && !NUMBER.test(cell) ? `'${cell}` : cell;
}

/** Reverses escapeFormula on import. */
export function unescapeFormula(cell: string): string {
	return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) && !NUMBER.test(cell.slice(1)) ? cell.slice(1) : cell;
}

function csvField(raw: string): string {
	const text = escapeFormula(raw);
	return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function recordsToCsv(records: StoreRecord[]): string {
	const lines = [EXPORT_COLUMNS.join(',')];
	for (const record of records) {
		const cells = [
			record.key,
			encodeValueCell(record.value),
			record.status,
			record.createdAt,
			record.updatedAt,
			record.closedAt ?? '',
		];
		lines.push(cells.map(csvField).join(','));
	}
	return lines.join('\r\n');
}

/** Splits CSV text into rows of fields; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;
	const endRow = () => {
		row.push(field);
		if (row.length > 1 || row[0] !== '') rows.push(row);
		row = [];
		field = '';
	};
	while (index < text.length) {
		const char = text[index];
		if (quoted) {
			if (char === '"' && text[index + 1] === '"') {
				field += '"';
				index += 2;
				continue;
			}
			if (char === '"') quoted = false;
			else field += char;
			index++;
			continue;
		}
		if (char === '"' && field === '') quoted = true;
		else if (char === ',') {
			row.push(field);
			field = '';
		} else if (char === '\n' || char === '\r') {
			endRow();
			if (char === '\r' && text[index + 1] === '\n') index++;
		} else field += char;
		index++;
	}
	if (quoted) throw invalidData('The CSV ends inside a quoted field (a closing " is missing)');
	if (field !== '' || row.length > 0) endRow();
	return rows;
}

export function parseImportCsv(text: string): ImportRow[] {
	if (typeof text !== 'string') throw invalidData('CSV import data must be text');
	const [header, ...rows] = parseCsv(text);
	if (header === undefined) return [];
	const columns = header.map((name) => name.trim());
	const keyColumn = columns.indexOf('key');
	const valueColumn = columns.indexOf('value');
	const statusColumn = columns.indexOf('status');
	if (keyColumn < 0 || valueColumn < 0) {
		throw invalidData(`The CSV header needs the columns "key" and "value" (found: ${columns.join(', ')})`);
	}
	return rows.map((cells, index) => {
		if (cells.length > columns.length) {
			throw invalidData(
				`CSV row ${index + 1} has ${cells.length} fields but the header has ${columns.length}`,
			);
		}
		const status = statusColumn < 0 ? '' : unescapeFormula(cells[statusColumn] ?? '');
		return {
			key: unescapeFormula(cells[keyColumn] ?? ''),
			value: decodeValueCell(unescapeFormula(cells[valueColumn] ?? '')),
			...(status === '' ? {} : { status }),
		};
	});
}

export function parseImportJson(data: unknown): ImportRow[] {
	let rows = data;
	if (typeof data === 'string') {
		try {
			rows = JSON.parse(data);
		} catch (error) {
			throw invalidData(`The JSON import data cannot be parsed: ${(error as Error).message}`);
		}
	}
	if (!Array.isArray(rows))
		throw invalidData('JSON import data must be an array of {key, value, status?} objects');
	return rows.map((row: unknown, index) => {
		const rowKey = (row as Partial<ImportRow> | null)?.key;
		if (
			typeof row !== 'object' ||
			row === null ||
			(typeof rowKey !== 'string' && typeof rowKey !== 'number')
		) {
			throw invalidData(`JSON import row ${index + 1} is not an object with a string (or number) "key"`);
		}
		const { key, value, status } = row as Partial<ImportRow>;
		if (status !== undefined && typeof status !== 'string') {
			throw invalidData(`JSON import row ${index + 1} has a status that is not a string`);
		}
		return {
			key: key as ImportRow['key'],
			value: value ?? null,
			...(status === undefined ? {} : { status }),
		};
	});
}
