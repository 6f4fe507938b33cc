// The release build's wasm-split loader (`__wasm_split.*.js`) lists, in a comment above
// each shared chunk, every page that shares it: a third of the file, sent to every
// browser in the board's first load and read by none. cargo-leptos minifies the main
// script but not this one, so `make build` strips those comments (and the indentation,
// and shortens the loader's private chunk names) here and writes the precompressed
// copies (.gz, .br) again. Same input, same output: the file's
// content-hashed name still names one content.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/site/pkg";
for (const name of readdirSync(dir)) {
  if (!/^__wasm_split\..*\.js$/.test(name)) continue;
  const path = join(dir, name);
  const before = readFileSync(path, "utf8");
  // The loader holds no template literals, so no line's leading space matters; its
  // comments are whole lines (the chunks' users) or end a line after code.
  const after = before
    .split("\n")
    .filter((line) => !/^\s*\/\*.*\*\/\s*$/.test(line))
    .map((line) => line.replace(/\s*\/\/[^"'`]*$/, "").trim())
    .filter((line) => line.length > 0)
    .join("\n")
    // The loader's own names for the chunks it loads, never exported.
    .replace(/\b__chunk_(\d+)\b/g, "c$1");
  if (before.includes("`")) throw new Error(`${name} holds a template literal: not trimmed`);
  if (after === before) continue;
  writeFileSync(path, after);
  writeFileSync(`${path}.gz`, gzipSync(after, { level: 9 }));
  writeFileSync(
    `${path}.br`,
    brotliCompressSync(after, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: after.length,
      },
    }),
  );
  console.log(`${name}: ${before.length} → ${after.length} bytes without the chunks' comments`);
}
