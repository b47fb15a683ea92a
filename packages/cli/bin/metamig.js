#!/usr/bin/env node
// Committed shim so npm links `metamig` at install time, before the TypeScript build exists.
import '../dist/bin.js';
