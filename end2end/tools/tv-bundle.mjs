// The meeting-room screen's own wasm and script (frontend/tv, after wasm-bindgen and
// wasm-opt in `make build`), made ready to serve: each named by its content
// (`tv.<hash>.js`, `tv.<hash>.wasm`, so browsers may keep them for a year), written to
// the site's pkg folder with precompressed copies (.br, .gz) as cargo-leptos writes
// the main wasm's, the previous build's copies removed, and the two names written to
// `<site>/tv-hash.txt`, where the server reads them (`app::ui::tv::shell`). The script
// imports its wasm by the name the page gives it, so renaming it changes nothing else.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const [from = "target/tv", site = "target/site"] = process.argv.slice(2);
const pkg = join(site, "pkg");
mkdirSync(pkg, { recursive: true });
for (const name of readdirSync(pkg)) {
  if (/^tv\.[0-9a-f]{16}\.(js|wasm)(\.br|\.gz)?$/.test(name)) rmSync(join(pkg, name));
}

const names = {};
for (const [kind, file] of [["js", "tv.js"], ["wasm", "tv_bg.wasm"]]) {
  const bytes = readFileSync(join(from, file));
  const name = `tv.${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.${kind}`;
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(join(pkg, name), bytes);
  writeFileSync(join(pkg, `${name}.br`), br);
  writeFileSync(join(pkg, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  names[kind] = name;
  console.log(`${name}: ${bytes.length} bytes, ${br.length} brotli`);
}
writeFileSync(join(site, "tv-hash.txt"), `js: ${names.js}\nwasm: ${names.wasm}\n`);
