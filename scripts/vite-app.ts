import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

/** Vite settings shared by the kiosk and console apps, served by signaling under `base`. */
export function appConfig(base: '/kiosk/' | '/console/'): UserConfig {
  return defineConfig({
    base,
    plugins: [react()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      sourcemap: true,
      chunkSizeWarningLimit: 1024,
      rollupOptions: {
        // zod ships /*#__PURE__*/ comments in places Rollup cannot use; harmless, and noise in every build.
        onwarn(warning, warn) {
          if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
        },
      },
    },
    server: { proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true } } },
  });
}
