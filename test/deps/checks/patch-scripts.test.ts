import { describe, expect, it } from 'vitest';
import { installChangesOf } from '../../../src/deps/checks/patch-scripts.js';

const header = (file: string, from = `a/${file}`) => `diff --git a/${file} b/${file}\n--- ${from}\n+++ b/${file}\n`;

describe('installChangesOf reads what a patch adds to the build', () => {
  it.each([
    {
      name: 'postinstall added to package.json',
      patch: `${header('package.json')}@@ -1,2 +1,3 @@\n {\n+  "scripts": { "x": "y" },\n+  "postinstall": "node x"\n }\n`,
      want: { scripts: ['postinstall'], bindingGyp: false, line: 7 },
    },
    {
      name: 'an install script set on the same line as "scripts" (one-line JSON is the same manifest)',
      patch: `${header('package.json')}@@ -1,2 +1,3 @@\n {\n+  "scripts": { "test": "x", "preinstall": "node x" },\n   "name": "p"\n`,
      want: { scripts: ['preinstall'], bindingGyp: false, line: 6 },
    },
    {
      name: 'a value that only mentions "install" sets no script',
      patch: `${header('package.json')}@@ -1,2 +1,3 @@\n {\n+  "description": "run \\"install\\": later, or {install}",\n   "name": "p"\n`,
      want: { scripts: [], bindingGyp: false, line: undefined },
    },
    {
      name: 'a removed install script is no addition',
      patch: `${header('package.json')}@@ -1,3 +1,2 @@\n {\n-  "install": "node x"\n }\n`,
      want: { scripts: [], bindingGyp: false, line: undefined },
    },
    {
      name: 'a nested package.json is not the package manifest',
      patch: `${header('lib/package.json')}@@ -1 +1 @@\n+  "preinstall": "x"\n`,
      want: { scripts: [], bindingGyp: false, line: undefined },
    },
    {
      name: 'a hunk line that starts with +++ is content, not a header',
      patch: `${header('package.json')}@@ -1 +1,2 @@\n {\n+++ b/README.md\n+  "install": "x"\n`,
      want: { scripts: ['install'], bindingGyp: false, line: 7 },
    },
    {
      name: 'a new binding.gyp (CRLF, timestamp after a tab)',
      patch:
        'diff --git a/binding.gyp b/binding.gyp\r\n--- /dev/null\t2024-01-01\r\n+++ b/binding.gyp\t2024-01-01\r\n+{}\r\n',
      want: { scripts: [], bindingGyp: true, line: 3 },
    },
    {
      name: 'an edited existing binding.gyp adds no build',
      patch: `${header('binding.gyp')}@@ -1 +1 @@\n-{}\n+{ "targets": [] }\n`,
      want: { scripts: [], bindingGyp: false, line: undefined },
    },
  ])('$name', ({ patch, want }) => {
    expect(installChangesOf(patch)).toEqual(want);
  });
});
