#!/usr/bin/env node
// Writes docs/rules.md and the rule table in README.md from the rule catalogue in src/core/rules/.
// `--check` fails when either is stale (used by the test suite).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The catalogue is plain data: esbuild bundles it from the source in memory, so neither `npm run build` nor
// `npm test` has to wait for tsc's emit before checking the docs.
const bundled = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/core/rules/index.ts'],
  bundle: true,
  write: false,
  platform: 'node',
  format: 'esm',
  logLevel: 'warning',
});
const { RULES } = await import(
  `data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`
);
const check = process.argv.includes('--check');

const doc = ['# chainproof rules', '', 'Generated from `src/core/rules/` by `npm run docs:rules`.', ''];
for (const r of RULES) {
  doc.push(
    `## ${r.id}`,
    '',
    `**${r.name}** — ${r.short}`,
    '',
    `Default level: \`${r.level}\` · security-severity ${r.severity} · tags: ${r.tags.join(', ')}`,
    '',
    r.full,
    '',
    '### How to fix',
    '',
    r.help,
    '',
  );
}
const table = ['| ID | name | level | severity | what |', '| --- | --- | --- | --- | --- |'];
for (const r of RULES)
  table.push(
    `| [${r.id}](docs/rules.md#${r.id.toLowerCase()}) | ${r.name} | ${r.level} | ${r.severity} | ${r.short.replace(/\|/g, '\\|')} |`,
  );

const readmePath = path.join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const newReadme = readme.replace(
  /<!-- rules:start -->[\s\S]*<!-- rules:end -->/,
  `<!-- rules:start -->\n${table.join('\n')}\n<!-- rules:end -->`,
);
const docPath = path.join(root, 'docs', 'rules.md');
const newDoc = doc.join('\n');
if (check) {
  let old = '';
  try {
    old = readFileSync(docPath, 'utf8');
  } catch {
    /* missing */
  }
  if (old !== newDoc || readme !== newReadme) {
    console.error('docs/rules.md or the README rule table is stale: run `npm run docs:rules`');
    process.exit(1);
  }
} else {
  mkdirSync(path.dirname(docPath), { recursive: true });
  writeFileSync(docPath, newDoc);
  writeFileSync(readmePath, newReadme);
}
