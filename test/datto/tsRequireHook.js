// Lets a child `node` process run the simulator's TypeScript sources directly (used by the CLI test):
//   node -r ./test/datto/tsRequireHook.js simulators/datto/cli.ts --port 0
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compile(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, {
		fileName: filename,
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true },
	});
	module._compile(outputText, filename);
};
