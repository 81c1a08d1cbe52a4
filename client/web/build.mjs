// Builds the browser client: derives the packet table from the .proto files, then bundles
// src/main.ts (TypeScript, protobufjs) with esbuild into OUT/index.html, OUT/app.js, OUT/app.css.
//   node build.mjs --out DIR --node-modules DIR --protos DIR_OR_FILE... --include DIR...
//   node build.mjs --tests DIR ...     also bundles test/*.test.ts into DIR (for node --test)
//   node build.mjs --typecheck ...     also checks the types with tsc (no output)
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LoadProtocol } from "./tools/ProtocolTable.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = { protos: [], include: [] };
for (let i = 2, key = null; i < process.argv.length; ++i) {
  const arg = process.argv[i];
  if (arg === "--typecheck") { args.typecheck = true; continue; }
  if (arg.startsWith("--")) { key = arg.slice(2).replace(/-./g, (m) => m[1].toUpperCase()); continue; }
  if (key === "protos" || key === "include") args[key].push(resolve(arg)); else args[key] = resolve(arg);
}
const nodeModules = args.nodeModules ?? join(here, "node_modules");
const protos = args.protos.length ? args.protos : [join(here, "../../protocol/proto")];
const include = args.include.length ? args.include : [join(here, "../../protocol")];
const out = args.out ?? join(here, "dist");

// esbuild from the node_modules given (the build folder's), not from beside this file.
const { build } = createRequire(join(nodeModules, "resolve.js"))("esbuild");
const protocol = LoadProtocol({ protoFiles: protos, includeDirs: include, nodeModules });
const protocolPlugin = {
  name: "tavern-protocol",
  setup(b) {
    b.onResolve({ filter: /^tavern:protocol$/ }, () => ({ path: "protocol", namespace: "tavern" }));
    b.onLoad({ filter: /.*/, namespace: "tavern" }, () => ({
      loader: "js",
      contents: `export const descriptor = ${JSON.stringify(protocol.descriptor)};\n` +
                `export const packets = ${JSON.stringify(protocol.packets)};\n`,
    }));
  },
};
const common = {
  bundle: true, nodePaths: [nodeModules], logLevel: "warning", plugins: [protocolPlugin],
  target: "es2020", absWorkingDir: here,
};

mkdirSync(out, { recursive: true });
await build({
  ...common, entryPoints: { app: join(here, "src/main.ts") }, outdir: out, format: "iife",
  minify: true, sourcemap: "linked",
});
copyFileSync(join(here, "src/index.html"), join(out, "index.html"));
writeFileSync(join(out, "packets.json"), JSON.stringify(protocol.packets, null, 2) + "\n");

if (args.tests) {
  const tests = readdirSync(join(here, "test")).filter((f) => f.endsWith(".test.ts"));
  await build({
    ...common, entryPoints: tests.map((f) => join(here, "test", f)), outdir: args.tests,
    platform: "node", format: "esm", outExtension: { ".js": ".mjs" }, target: "node18",
    external: ["node:*"],
  });
}

if (args.typecheck) {
  const config = join(out, "..", "tsconfig.check.json");
  writeFileSync(config, JSON.stringify({
    extends: join(here, "tsconfig.json"),
    compilerOptions: { types: ["node"], baseUrl: here, paths: { "*": [join(nodeModules, "*")] }, typeRoots: [join(nodeModules, "@types")] },
    include: [join(here, "src/**/*.ts"), join(here, "test/**/*.ts")],
  }));
  const tsc = join(nodeModules, "typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", config], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
