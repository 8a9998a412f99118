// Checks one unpacked package tarball (the folder holding its package.json) holds what a user can
// use and nothing else: README (with an install line), LICENSE, CHANGELOG, every file its exports
// and bin point at, source maps only with the sources they point at, and no build or test debris.
// Usage: node scripts/check-tarball.mjs <unpacked package folder>. Exit 1 listing every problem.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const folder = resolve(process.argv[2] ?? '.');
const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
const problems = [];

function filesUnder(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
const files = filesUnder(folder).map((path) => relative(folder, path));

for (const required of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
  if (!files.includes(required)) problems.push(`${required} is missing`);
}
if (files.includes('README.md')) {
  const readme = readFileSync(join(folder, 'README.md'), 'utf8');
  if (!new RegExp(`npm (install|i)( [^\\n]*)? ${manifest.name.replace('/', '\\/')}\\b`).test(readme)) problems.push(`README.md has no "npm install ${manifest.name}" line`);
}
if (!files.some((file) => file.startsWith('dist/'))) problems.push('dist/ is missing: the package was packed without being built');

// Every target of exports and bin is shipped (the @sslclick/source condition included: src/ ships).
function targetsOf(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targetsOf);
  return [];
}
const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
for (const target of [...targetsOf(manifest.exports), ...bins]) {
  if (!target.includes('*') && !existsSync(join(folder, target))) problems.push(`${target} (exports or bin) is not in the tarball`);
}

for (const file of files) {
  if (/\.tsbuildinfo$/.test(file)) problems.push(`${file}: TypeScript build state, useless to a user`);
  if (/\.(test|spec)\.[cm]?[jt]s(\.map)?$|(^|\/)(test|tests|__tests__|coverage|node_modules|\.cache)\//.test(file)) problems.push(`${file}: test or build debris`);
  if (/(^|\/)\.env/.test(file)) problems.push(`${file}: an environment file`);
  if (file.endsWith('.map')) {
    const map = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    for (const source of map.sources ?? []) {
      const sourcePath = join(folder, dirname(file), map.sourceRoot ?? '', source);
      if (!existsSync(sourcePath)) problems.push(`${file} points at ${relative(folder, sourcePath)}, which is not shipped`);
    }
  }
}

if (problems.length > 0) {
  console.error(`${manifest.name}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`${manifest.name}: ${files.length} files, all usable.`);
