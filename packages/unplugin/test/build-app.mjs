// Builds test/projects/app with one bundler in production mode, configured the way a user's
// config would be, with @spanfn/unplugin: `node build-app.mjs <bundler> <outDir> [marked|all]`. Entries
// `main`, `worker`, `crash` and `trace-file` land in outDir (`.cjs` for webpack and rspack, `.mjs` otherwise, webpack-esm included).
// Bundlers: webpack (the plugin strips the types), webpack-esm, webpack-ts-loader, rspack (swc), rollup, esbuild.
// A child process, not jest: the bundlers are ES modules and load their own workers and binaries.
import { fileURLToPath } from "node:url";

const [bundler, outDir, instrument = "marked"] = process.argv.slice(2);
const app = fileURLToPath(new URL("./projects/app/", import.meta.url));
const entry = { main: `${app}main.ts`, worker: `${app}worker.ts`, crash: `${app}crash.ts`, "trace-file": `${app}trace-file.ts` };

const builders = {
  webpack: () => buildWithWebpack({ output: { path: outDir, filename: "[name].cjs" } }),
  // webpack's ES module output (a Node ESM bundle): namespace reads become named imports there.
  "webpack-esm": () =>
    buildWithWebpack({
      experiments: { outputModule: true },
      output: { path: outDir, filename: "[name].mjs", module: true, chunkFormat: "module", library: { type: "module" } },
    }),
  // webpack as most TypeScript projects have it: ts-loader strips the types the plugin read first
  // (the plugin keeps them for the bundler's loader, its default for webpack).
  "webpack-ts-loader": () =>
    buildWithWebpack(
      {
        output: { path: outDir, filename: "[name].cjs" },
        module: {
          rules: [
            {
              test: /\.ts$/,
              loader: "ts-loader",
              options: { transpileOnly: true, onlyCompileBundledFiles: true, configFile: fileURLToPath(new URL("./projects/tsconfig.ts-loader.json", import.meta.url)) },
            },
          ],
        },
      },
      {},
    ),
  async rspack() {
    const { rspack } = await import("@rspack/core");
    const { default: spanfn } = await import("@spanfn/unplugin/rspack");
    // rspack's own TypeScript transform strips the types after the plugin read them.
    await runCompiler(rspack, {
      mode: "production",
      target: "node",
      context: app,
      entry,
      output: { path: outDir, filename: "[name].cjs" },
      resolve: { extensions: [".ts", ".js"] },
      devtool: "source-map",
      module: {
        rules: [{ test: /\.ts$/, loader: "builtin:swc-loader", options: { jsc: { parser: { syntax: "typescript" } } }, type: "javascript/auto" }],
      },
      plugins: [spanfn({ instrument })],
    });
  },
  async rollup() {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const { default: spanfn } = await import("@spanfn/unplugin/rollup");
    const bundle = await rollup({
      input: entry,
      plugins: [spanfn({ instrument, root: app }), nodeResolve({ extensions: [".ts", ".js"], exportConditions: ["node"], preferBuiltins: true })],
      external: [/^node:/],
      onwarn(warning, warn) {
        // The plugin's own warnings (a file bundled without spans) fail the test, and so does an
        // import cycle (the app has none, so it is the runtime's: every user build would warn of it);
        // others are shown.
        if (warning.plugin === "spanfn" || warning.code === "CIRCULAR_DEPENDENCY") throw new Error(`rollup: ${warning.message}`);
        warn(warning);
      },
    });
    await bundle.write({ dir: outDir, format: "es", entryFileNames: "[name].mjs", sourcemap: true });
    await bundle.close();
  },
  async esbuild() {
    const { build } = await import("esbuild");
    const { default: spanfn } = await import("@spanfn/unplugin/esbuild");
    await build({
      entryPoints: entry,
      bundle: true,
      platform: "node",
      format: "esm",
      outdir: outDir,
      outExtension: { ".js": ".mjs" },
      minify: true,
      sourcemap: true,
      logLevel: "error",
      plugins: [spanfn({ instrument, root: app })],
    });
  },
};

/** webpack with the plugin; by default no TypeScript loader, the plugin stripping the types itself (`typescript: "strip"`). */
async function buildWithWebpack(outputConfig, pluginOptions = { typescript: "strip" }) {
  const { default: webpack } = await import("webpack");
  const { default: spanfn } = await import("@spanfn/unplugin/webpack");
  await runCompiler(webpack, {
    mode: "production",
    target: "node",
    context: app,
    entry,
    resolve: { extensions: [".ts", ".js"] },
    devtool: "source-map",
    plugins: [spanfn({ instrument, ...pluginOptions })],
    ...outputConfig,
  });
}

function runCompiler(create, config) {
  return new Promise((resolve, reject) => {
    create(config).run((error, stats) => {
      if (error) reject(error);
      else if (stats.hasErrors() || stats.hasWarnings()) reject(new Error(stats.toString("errors-warnings")));
      else resolve();
    });
  });
}

const builder = builders[bundler];
if (builder === undefined) {
  console.error(`build-app: unknown bundler ${bundler}; known: ${Object.keys(builders).join(", ")}`);
  process.exit(2);
}
await builder();
