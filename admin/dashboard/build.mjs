// Bundles src/main.js (with uPlot and its CSS) into one self-contained HTML page.
//   node build.mjs OUT_FILE [NODE_MODULES_DIR]
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [out, nodeModules = join(here, "node_modules")] = process.argv.slice(2);
// esbuild from the node_modules given (the build folder's), not from beside this file.
const { build } = createRequire(join(nodeModules, "resolve.js"))("esbuild");
const result = await build({
  entryPoints: [join(here, "src/main.js")],
  bundle: true, minify: true, write: false, format: "iife", target: "es2020",
  outdir: "out", nodePaths: [nodeModules], logLevel: "warning",
});
const file = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? "";
const script = file(".js").replaceAll("</script", "<\\/script");
const page = readFileSync(join(here, "src/index.html"), "utf8")
  .replace("/*STYLE*/", () => file(".css"))
  .replace("/*SCRIPT*/", () => script);
writeFileSync(out, page);
