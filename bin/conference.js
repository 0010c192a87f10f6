#!/usr/bin/env node
'use strict';
// The `conference` command. In a checkout it runs the TypeScript source (ts-node, a dev
// dependency); in a release (make dist: no src/) or an install without dev dependencies, the
// build (dist/). A release never loads ts-node, not even one found above its folder.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function fromSource() {
  const source = path.join(root, 'src', 'tools', 'cli.ts');
  if (!fs.existsSync(source)) return undefined;
  try {
    require.resolve('ts-node');
  } catch {
    return undefined;
  }
  require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
  return require(source);
}

const cli = fromSource() ?? require(path.join(root, 'dist', 'src', 'tools', 'cli.js'));
cli.main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
