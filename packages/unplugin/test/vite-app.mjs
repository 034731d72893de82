// Runs test/projects/app's browser page (index.html, browser.ts) in headless Chromium with
// @spanfn/unplugin/vite, and prints what the page hands back on `window` as one JSON line:
//   node vite-app.mjs build <outDir>   production build, served by `vite preview`
//   node vite-app.mjs dev <copyDir>    the dev server on a copy of the app; then an edit to the
//                                      copy (HMR reloads the page) and the page's result again
//   node vite-app.mjs trace <outDir>   the trace pages (BrowserTraceSink), built: JSON and Perfetto
//                                      with a worker, and JSON where the page's CSP forbids one
//   node vite-app.mjs workers <outDir> production build where the user's worker plugins list spanfn
//                                      too, beside a plugin of their own (it must still run)
//   node vite-app.mjs babel <outDir>   production build without the unplugin: the main README's
//                                      @rollup/plugin-babel config for Vite (enforce: "pre")
// A child process, not jest: Vite is an ES module only.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, createServer, preview } from "vite";
import { chromium } from "playwright-core";
import spanfn from "@spanfn/unplugin/vite";
import { babel } from "@rollup/plugin-babel";

const [mode, dir] = process.argv.slice(2);
const app = fileURLToPath(new URL("./projects/app/", import.meta.url));
const quiet = { configFile: false, logLevel: "error" };

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
const servers = [];
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const result = async () => {
    const value = await page.waitForFunction(() => window.spanfnResult, null, { timeout: 20_000 });
    const settled = await page.evaluate(() => window.spanfnResult);
    await value.dispose();
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join("; ")}`);
    return settled;
  };

  if (mode === "build" || mode === "workers") {
    // The user's own worker plugin marks what the worker returns, so the page shows it ran.
    const own = { name: "user-worker-plugin", transform: (code, id) => (id.endsWith("web-worker.ts") ? code.replace("shelf:", "shelf (user):") : null) };
    const worker = mode === "workers" ? { plugins: () => [spanfn(), own] } : undefined;
    await build({ ...quiet, root: app, plugins: [spanfn()], worker, build: { outDir: dir, emptyOutDir: true, sourcemap: true } });
    const server = await preview({ ...quiet, root: app, build: { outDir: dir }, preview: { port: 0, host: "127.0.0.1" } });
    servers.push(server);
    await page.goto(server.resolvedUrls.local[0]);
    process.stdout.write(JSON.stringify({ page: await result() }) + "\n");
  } else if (mode === "babel") {
    // The user's Babel config, as the main README writes it (without preset-env's Node target:
    // this is a page), handed to @rollup/plugin-babel as the README says to list it in Vite.
    const babelOptions = {
      babelHelpers: "bundled",
      extensions: [".js", ".ts"],
      babelrc: false,
      configFile: false,
      presets: ["@babel/preset-typescript"],
      plugins: [["@spanfn/babel-plugin", { instrument: "marked", root: app }]],
    };
    await build({ ...quiet, root: app, plugins: [{ ...babel(babelOptions), enforce: "pre" }], build: { outDir: dir, emptyOutDir: true, sourcemap: true } });
    const server = await preview({ ...quiet, root: app, build: { outDir: dir }, preview: { port: 0, host: "127.0.0.1" } });
    servers.push(server);
    await page.goto(server.resolvedUrls.local[0]);
    process.stdout.write(JSON.stringify({ page: await result() }) + "\n");
  } else if (mode === "trace") {
    const input = { trace: join(app, "trace.html"), csp: join(app, "trace-csp.html") };
    await build({ ...quiet, root: app, plugins: [spanfn()], build: { outDir: dir, emptyOutDir: true, rollupOptions: { input } } });
    const server = await preview({ ...quiet, root: app, build: { outDir: dir }, preview: { port: 0, host: "127.0.0.1" } });
    servers.push(server);
    const pages = {};
    for (const [name, path] of [["json", "trace.html"], ["perfetto", "trace.html?format=perfetto"], ["csp", "trace-csp.html"]]) {
      await page.goto(new URL(path, server.resolvedUrls.local[0]).href);
      pages[name] = await result();
    }
    process.stdout.write(JSON.stringify(pages) + "\n");
  } else if (mode === "dev") {
    // The dev server watches the copy, which the test edits: the repository's files stay put.
    cpSync(app, dir, { recursive: true });
    const server = await createServer({ ...quiet, root: dir, plugins: [spanfn()], server: { port: 0, host: "127.0.0.1" } });
    servers.push(server);
    await server.listen();
    await page.goto(server.resolvedUrls.local[0]);
    const before = await result();
    // Two lines above every function of service.ts: HMR must re-instrument it at its new lines.
    const reloaded = page.waitForEvent("load", { timeout: 20_000 });
    const service = join(dir, "service.ts");
    writeFileSync(service, `// edited\n// by the test\n${readFileSync(service, "utf8")}`);
    await reloaded;
    const after = await result();
    process.stdout.write(JSON.stringify({ page: before, edited: after }) + "\n");
  } else {
    throw new Error(`vite-app: mode must be build, workers, babel, trace or dev; got ${mode}`);
  }
} finally {
  for (const server of servers) await (server.close?.() ?? server.httpServer?.close());
  await browser.close();
}
