#!/usr/bin/env node
'use strict';
// The `conference` command. In a checkout it runs the TypeScript source (ts-node, a dev
// dependency); in an install without dev dependencies, the build (npm run build).
const path = require('node:path');

const root = path.join(__dirname, '..');
let cli;
try {
  require.resolve('ts-node');
  require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
  cli = require(path.join(root, 'src', 'tools', 'cli.ts'));
} catch (error) {
  if (error && error.code !== 'MODULE_NOT_FOUND') throw error;
  cli = require(path.join(root, 'dist', 'src', 'tools', 'cli.js'));
}
cli.main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
