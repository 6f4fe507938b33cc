// The release build's wasm-split loader (`__wasm_split.*.js`) lists, in a comment above
// each shared chunk, every page that shares it: a third of the file, sent to every
// browser in the board's first load and read by none. cargo-leptos minifies the main
// script but not this one, so `make build` strips those comments (and the indentation,
// and shortens the loader's private chunk names) here and writes the precompressed
// copies (.gz, .br) again. Same input, same output: the file's
// content-hashed name still names one content.
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/site/pkg";

// Each of the ~230 chunks is named by a 22-character content hash, listed once in the
// loader: random text no compressor can shrink, some 3 KB of every first load. Eight
// characters (48 bits) still give each content its own name, so the chunks are renamed
// (with their .br and .gz) and the loader and the manifest the server reads to preload
// a page's chunks say the short names.
const longName = /\b(chunk_\d+|split_\w+?)\.([A-Za-z0-9_-]{22})(?=[."])/g;
const shorten = (text) => text.replace(longName, (_, base, hash) => `${base}.${hash.slice(0, 8)}`);
const renamed = new Map();
for (const name of readdirSync(dir)) {
  if (!/^(chunk_\d+|split_\w+?)\.[A-Za-z0-9_-]{22}\.wasm(\.br|\.gz)?$/.test(name)) continue;
  const to = shorten(name);
  if (renamed.has(to)) throw new Error(`${name} and ${renamed.get(to)} would share a name`);
  renamed.set(to, name);
  renameSync(join(dir, name), join(dir, to));
}
if (renamed.size > 0) console.log(`${renamed.size} chunk files renamed by 8 characters of their hash`);

function writeCompressed(path, text) {
  writeFileSync(path, text);
  writeFileSync(`${path}.gz`, gzipSync(text, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(text, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: text.length,
      },
    }),
  );
}

for (const name of readdirSync(dir)) {
  if (!/^__wasm_split_manifest\..*\.json$/.test(name)) continue;
  const path = join(dir, name);
  const before = readFileSync(path, "utf8");
  const after = shorten(before);
  if (after !== before) writeCompressed(path, after);
}

for (const name of readdirSync(dir)) {
  if (!/^__wasm_split\..*\.js$/.test(name)) continue;
  const path = join(dir, name);
  const before = readFileSync(path, "utf8");
  // The loader holds no template literals, so no line's leading space matters; its
  // comments are whole lines (the chunks' users) or end a line after code.
  let after = before
    .split("\n")
    .filter((line) => !/^\s*\/\*.*\*\/\s*$/.test(line))
    .map((line) => line.replace(/\s*\/\/[^"'`]*$/, "").trim())
    .filter((line) => line.length > 0)
    .join("\n")
    // The loader's own names for the chunks it loads, never exported.
    .replace(/\b__chunk_(\d+)\b/g, "c$1");
  // Each of the ~200 chunks repeats the same fetch-and-instantiate function; one helper
  // (`L`, defined below the imports; `makeLoad` is a hoisted function) says it once.
  const fetcher =
    /makeLoad\(\(\) => \{\nconst src = fetch\(new URL\(("[^"]+"), import\.meta\.url\)\);\nreturn async \(imports\) => \(WebAssembly\.instantiateStreaming\(src, imports\)\);\n\}\n, \[/g;
  if (fetcher.test(after)) {
    const lines = after.replace(fetcher, (_, url) => `L(${url}, [`).split("\n");
    const firstCode = lines.findIndex((l) => !l.startsWith("import "));
    lines.splice(
      firstCode,
      0,
      "const L = (u, d) => makeLoad(() => { const src = fetch(new URL(u, import.meta.url)); return async (imports) => (WebAssembly.instantiateStreaming(src, imports)); }, d);",
    );
    after = lines.join("\n");
  }
  // The loader's own helpers, none of them exported, get short names.
  for (const [long, short] of [
    ["getSharedImports", "$g"],
    ["sharedImports", "$s"],
    ["wrapAsyncCb", "$w"],
    ["makeLoad", "$m"],
    ["loadingModule", "$l"],
    ["parallelStuff", "$p"],
    ["thisLoad", "$t"],
  ]) {
    after = after.replace(new RegExp(`\\b${long}\\b`, "g"), short);
  }
  after = shorten(after);
  if (before.includes("`")) throw new Error(`${name} holds a template literal: not trimmed`);
  if (after === before) continue;
  writeCompressed(path, after);
  console.log(`${name}: ${before.length} → ${after.length} bytes without the chunks' comments`);
}
