import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      setupFiles: ['./src/lib/test/setup.ts'],
      include: ['src/**/*.test.{ts,tsx}'],
      testTimeout: 20000,
      css: false,
      environmentOptions: { happyDOM: { url: 'http://localhost:5173/' } },
    },
  }),
);
