/**
 * The layout the architecture promises (docs/ARCHITECTURE.md, issue 11 point 6), checked on the
 * source itself: no file in src/ over 400 lines, no import cycle between src/ files (type-only
 * imports included: a cycle of types still ties two files' designs together), and the core and the
 * tunnel never import `vscode`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const SRC = path.resolve(__dirname, "../../src");
const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** Relative specifiers of `import … from`, `export … from`, `import("…")` and side-effect imports. */
export function importSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, /^\s*import\s*["']([^"']+)["']/gm];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]!);
  return found;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return undefined;
}

/** Every cycle's files, each cycle once (Tarjan's strongly connected components of size > 1, or a self-import). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return cycles;
}

describe("source structure", () => {
  const files = sourceFiles(SRC);

  it("finds the source", () => {
    assert.ok(files.length > 100, `only ${files.length} files under ${SRC}`);
  });

  it(`no file in src/ is over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: path.relative(SRC, f), lines: fs.readFileSync(f, "utf8").split("\n").length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file} (${f.lines})`);
    assert.deepEqual(long, [], "split these along the domain's seams");
  });

  it("no import cycles in src/", () => {
    const graph = new Map(files.map((f) => [f, importSpecifiers(fs.readFileSync(f, "utf8")).flatMap((s) => resolveRelative(f, s) ?? [])]));
    const cycles = importCycles(graph).map((c) => c.map((f) => path.relative(SRC, f)).join(" ↔ "));
    assert.deepEqual(cycles, []);
  });

  it("the cycle finder finds cycles (a check that cannot fail proves nothing)", () => {
    assert.deepEqual(importCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]])), [["a", "b", "c"]]);
    assert.deepEqual(importCycles(new Map([["a", ["a"]]])), [["a"]]);
    assert.deepEqual(importCycles(new Map([["a", ["b"]], ["b", []]])), []);
    assert.deepEqual(importSpecifiers(`import type { X } from "./x";\nexport { y } from '../y';\nconst z = await import("./z");\nimport "./side";`).sort(), ["../y", "./side", "./x", "./z"]);
  });

  it("src/core and src/tunnel never import vscode", () => {
    const offenders = files
      .filter((f) => /^(core|tunnel)\//.test(path.relative(SRC, f)))
      .filter((f) => importSpecifiers(fs.readFileSync(f, "utf8")).includes("vscode"))
      .map((f) => path.relative(SRC, f));
    assert.deepEqual(offenders, []);
  });
});
