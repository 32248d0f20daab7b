// Copies node and credential icons (SVG/PNG) and codex JSON next to the compiled files in dist/.
const path = require('path');
const { task, src, dest, series } = require('gulp');

function copyIcons() {
	const nodeIcons = src(['nodes/**/*.{png,svg}', 'icons/**/*.{png,svg}'], { base: '.', encoding: false });
	return nodeIcons.pipe(dest(path.resolve('dist')));
}

function copyCredentialIcons() {
	return src('credentials/**/*.{png,svg}', { base: '.', encoding: false }).pipe(dest(path.resolve('dist')));
}

task('build:icons', series(copyIcons, copyCredentialIcons));
