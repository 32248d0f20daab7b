/*
 * JSON templates of credentials and workflows: `"{{NAME}}"`, `"{{NAME:default}}"` and `"{{#NAME:5432}}"` (a number)
 * placeholders, files or folders of them, read into objects for import into n8n.
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * Fill a JSON template: `"{{NAME}}"` / `"{{NAME:default}}"` inside JSON strings become vars[NAME] (JSON-escaped), and a
 * whole string `"{{#NAME}}"` / `"{{#NAME:5432}}"` becomes a bare number. A placeholder with neither a value nor a
 * default is an error. PG* and REDIS_* placeholders also read the environment (.ci/run exports them).
 */
export function renderTemplate(text: string, vars: Record<string, string | number>): string {
	const value = (name: string, fallback: string | undefined): string => {
		if (name in vars) return String(vars[name]);
		// Only service locations come from the environment (.ci/run exports PG*/REDIS_*): HALO_*/DATTO_* variables
		// describe real tenants for the demo and must not leak into tests against the simulators.
		if (/^(PG|REDIS_)/.test(name) && process.env[name]) return process.env[name] as string;
		if (fallback !== undefined) return fallback;
		throw new Error(`template placeholder {{${name}}} has no value`);
	};
	return text
		.replace(/"\{\{#([A-Z0-9_]+)(?::([^}]*))?\}\}"/g, (_m, name: string, fallback?: string) => {
			const v = value(name, fallback);
			if (!/^-?\d+(\.\d+)?$/.test(v)) throw new Error(`template placeholder {{#${name}}} is not a number: ${v}`);
			return v;
		})
		.replace(/\{\{([A-Z0-9_]+)(?::([^}]*))?\}\}/g, (_m, name: string, fallback?: string) =>
			JSON.stringify(value(name, fallback)).slice(1, -1),
		);
}

/** A JSON file (template), a folder of them, or objects. */
export type JsonSource = string | object | object[];

/** Objects of a source: files rendered with `vars`, folders read in name order (their *.json files). */
export function loadJsonArray(source: JsonSource, vars: Record<string, string | number>): object[] {
	if (typeof source !== 'string') return Array.isArray(source) ? source : [source];
	const stat = fs.statSync(source);
	if (stat.isDirectory()) {
		return fs
			.readdirSync(source)
			.filter((f) => f.endsWith('.json'))
			.sort()
			.flatMap((f) => loadJsonArray(path.join(source, f), vars));
	}
	const parsed = JSON.parse(renderTemplate(fs.readFileSync(source, 'utf8'), vars)) as object | object[];
	return Array.isArray(parsed) ? parsed : [parsed];
}

/** Read a JSON template file (see renderTemplate) into objects, e.g. to tweak credentials before provision(). */
export function loadTemplate<T = Record<string, unknown>>(file: string, vars: Record<string, string | number> = {}): T[] {
	return loadJsonArray(file, vars) as T[];
}
