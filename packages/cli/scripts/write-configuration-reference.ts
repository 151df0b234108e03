// Regenerates docs/configuration.md from the option table (src/options.ts); a test fails when the two drift apart.
import { writeFileSync } from 'node:fs';
import { renderConfigurationReference } from '../src/reference.js';

writeFileSync(new URL('../../../docs/configuration.md', import.meta.url), renderConfigurationReference());
