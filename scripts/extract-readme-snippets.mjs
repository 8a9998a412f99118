// Writes every ```ts block of the root README and of each package README into its own module in
// the given folder, so the consumer test type-checks them against the installed packages exactly
// as a user would paste them. Usage: node scripts/extract-readme-snippets.mjs <repository> <folder>
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [repository = '.', folder = '.'] = process.argv.slice(2);
const readmes = [['root', join(repository, 'README.md')]];
for (const name of readdirSync(join(repository, 'packages'))) {
  const path = join(repository, 'packages', name, 'README.md');
  if (existsSync(path)) readmes.push([name, path]);
}
let count = 0;
for (const [label, path] of readmes) {
  const blocks = [...readFileSync(path, 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)];
  blocks.forEach((block, index) => {
    // `export {}` makes each snippet a module, as in a user's ESM project (top-level await works).
    writeFileSync(join(folder, `readme-${label}-${index + 1}.ts`), `// From ${path}\n${block[1]}\nexport {};\n`);
    count += 1;
  });
}
console.log(`${count} README snippets from ${readmes.length} READMEs.`);
