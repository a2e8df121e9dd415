/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

// The build lands inside the Python package that serves it at /desk (framework_m_desk).
const outDir = fileURLToPath(new URL("../apps/desk/src/framework_m_desk/static", import.meta.url));

export default defineConfig({
  base: "/desk/",
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev` talks to an `m start` on :8000 through the dev server, same origin.
    proxy: {
      "/api": { target: "http://127.0.0.1:8000", ws: true, changeOrigin: false },
      "/desk/config.js": { target: "http://127.0.0.1:8000" },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./vitest.setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // Processed by Vite rather than loaded by Node: @refinedev/react-router must share the
    // app's react-router instance (else its hooks see no <Router>).
    server: { deps: { inline: [/@refinedev\//] } },
  },
});
