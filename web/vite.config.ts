import type { Connect, Plugin } from "vite";
import { defineConfig } from "vite";
import { servedConfig } from "./server-config";

// Serves /edgemint-config.json from the environment (see server-config.ts), in `vite` and `vite preview` alike.
function edgemintConfig(): Plugin {
  const handler: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url?.split("?")[0] !== "/edgemint-config.json") return next();
    const cfg = servedConfig();
    res.statusCode = "error" in cfg ? 503 : 200;
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Cache-Control", "no-store");
    res.end(JSON.stringify(cfg));
  };
  return {
    name: "edgemint-config",
    configureServer: (server) => void server.middlewares.use(handler),
    configurePreviewServer: (server) => void server.middlewares.use(handler),
  };
}

const oracle = process.env.EDGEMINT_ORACLE_URL;
// The oracle daemon answers without CORS headers: the dApp reaches it through this same-origin proxy.
const proxy = oracle
  ? { "/oracle": { target: oracle, changeOrigin: true, rewrite: (p: string) => p.replace(/^\/oracle/, "") } }
  : undefined;

export default defineConfig({
  plugins: [edgemintConfig()],
  server: { host: "127.0.0.1", strictPort: true, proxy },
  preview: { host: "127.0.0.1", strictPort: true, proxy },
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
});
