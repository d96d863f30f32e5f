// Compiles Vega-Lite specs (a JSON array on stdin) with the vendored vega-lite and renders
// each to SVG with the vendored vega, headless. Prints a JSON array of
// {svg, warnings, error}. Used by test_vendored_render.py; needs only node.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const vendor = process.argv[2];
for (const name of ["vega.min.js", "vega-lite.min.js"]) {
  // Run as plain scripts (no module/exports): the UMD builds then set globalThis.vega/vegaLite.
  vm.runInThisContext(fs.readFileSync(path.join(vendor, name), "utf8"), { filename: name });
}
const vega = globalThis.vega;
const vegaLite = globalThis.vegaLite;

function logger(messages) {
  const base = vega.logger(vega.Warn);
  base.warn = (...args) => { messages.push(args.join(" ")); return base; };
  return base;
}

async function renderOne(spec) {
  const warnings = [];
  try {
    const input = Object.assign({}, spec);
    if (input.width === "container") input.width = 480;
    const compiled = vegaLite.compile(input, { logger: logger(warnings) }).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Warn });
    view.logger(logger(warnings));
    const svg = await view.toSVG();
    view.finalize();
    return { svg, warnings, error: null };
  } catch (error) {
    return { svg: "", warnings, error: String(error && error.stack || error) };
  }
}

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const specs = JSON.parse(input);
  const results = [];
  for (const spec of specs) results.push(await renderOne(spec));
  process.stdout.write(JSON.stringify(results));
});
