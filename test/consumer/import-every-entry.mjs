// Consumer test: imports every entry point of every installed @sslclick package with plain Node,
// as a user's ES module would (the "default" export condition, so dist/, not the sources).
// scripts/consumer-test.sh copies this file into the temporary project where the tarballs are
// installed; it proves each entry loads and exports something, and each bin file is shipped.
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';

const scope = new URL('./node_modules/@sslclick/', import.meta.url);
const packageNames = readdirSync(scope);
if (packageNames.length === 0) throw new Error('No @sslclick package is installed next to this script.');

let entries = 0;
for (const packageName of packageNames) {
  const manifest = JSON.parse(readFileSync(new URL(`${packageName}/package.json`, scope), 'utf8'));
  const subpaths = typeof manifest.exports === 'object' && manifest.exports !== null ? Object.keys(manifest.exports) : ['.'];
  for (const subpath of subpaths) {
    if (subpath.includes('*') || subpath.endsWith('.json')) continue;
    const specifier = `${manifest.name}${subpath.slice(1)}`;
    const module = await import(specifier);
    const names = Object.keys(module);
    if (names.length === 0) throw new Error(`${specifier} loads but exports nothing.`);
    console.log(`${specifier}: ${names.length} exports`);
    entries += 1;
  }
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [binName, binPath] of Object.entries(bins)) {
    const file = new URL(`${packageName}/${binPath}`, scope);
    accessSync(file, constants.R_OK);
    if (!readFileSync(file, 'utf8').startsWith('#!')) throw new Error(`The ${binName} bin (${binPath}) has no #! line.`);
    console.log(`${manifest.name} bin ${binName}: ${binPath}`);
  }
}
console.log(`${entries} entries of ${packageNames.length} packages load.`);
