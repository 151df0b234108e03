import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  // No maps: they would name src/, which is not published; dist is unminified ESM that reads like it.
  sourcemap: false,
  clean: true,
});
