#!/usr/bin/env node
// The installed command: the built CLI in dist/. A file of its own, rather than `bin` pointing into dist/, so that a
// fresh `pnpm install` of the workspace (before any build) links it without a "Failed to create bin" warning.
import '../dist/bin.js';
