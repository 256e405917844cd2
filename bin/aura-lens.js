#!/usr/bin/env node
'use strict';
// The published CLI runs the esbuild bundle; `npm run build` makes it.
require('../dist/cli.js');
