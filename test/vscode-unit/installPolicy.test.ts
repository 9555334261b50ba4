/**
 * A fresh clone's `npm ci` must be quiet (issue 13): the project declares the Node it runs on, every
 * locked package with an install script is reviewed in `allowScripts` (approved or denied), and no
 * locked package demands a newer Node than the project declares (npm prints EBADENGINE for those).
 * The proof is a real fresh-clone `npm ci`; this catches the regressions between such runs.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const root = path.join(__dirname, "../..");
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(root, file), "utf8"));

interface Manifest {
  engines?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}
interface LockedPackage {
  version?: string;
  hasInstallScript?: boolean;
  engines?: Record<string, string> | string[];
}

const manifest = readJson("package.json") as Manifest;
const lock = readJson("package-lock.json") as { packages: Record<string, LockedPackage> };

type Version = [number, number, number];

function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The lowest version a range admits, for the forms package.json files use here (`>=x`, `^x`, `x`, `>= x`). */
function lowestAdmitted(range: string): Version | undefined {
  const first = range.split("||")[0]?.trim().split(/\s+(?=[<>=^~])/)[0] ?? "";
  return parseVersion(first.replace(/^(>=|\^|~|=)\s*/, ""));
}

/** Whether the project's lowest declared Node satisfies a dependency's `engines.node` (every `||` branch tried). */
function admits(range: string, node: Version): boolean {
  return range.split("||").some((branch) => {
    const parts = branch.trim().match(/(>=|<=|>|<|\^|~|=)?\s*v?\d+(?:\.\d+){0,2}(?:\.x)?/g) ?? [];
    if (parts.length === 0) return true; // "*" or an empty range
    return parts.every((part) => {
      const op = /^(>=|<=|>|<|\^|~|=)/.exec(part)?.[1] ?? "=";
      const v = parseVersion(part.replace(/^(>=|<=|>|<|\^|~|=)\s*/, "").replace(/\.x$/, ""));
      if (!v) return true;
      const c = compare(node, v);
      switch (op) {
        case ">=":
          return c >= 0;
        case ">":
          return c > 0;
        case "<=":
          return c <= 0;
        case "<":
          return c < 0;
        case "^":
          return c >= 0 && node[0] === v[0];
        case "~":
          return c >= 0 && node[0] === v[0] && node[1] === v[1];
        default:
          return node[0] === v[0];
      }
    });
  });
}

describe("install policy (a quiet npm ci)", () => {
  const nodeRange = manifest.engines?.node;

  it("declares the Node engine, and .nvmrc names a version inside it", () => {
    assert.ok(nodeRange, "package.json engines.node is missing");
    const lowest = lowestAdmitted(nodeRange);
    assert.ok(lowest, `engines.node "${nodeRange}" has no lower bound`);
    const nvmrc = parseVersion(readFileSync(path.join(root, ".nvmrc"), "utf8"));
    assert.ok(nvmrc, ".nvmrc does not hold a version");
    assert.equal(nvmrc[0], lowest[0], ".nvmrc and engines.node name different Node majors");
  });

  it("reviews every locked install script in allowScripts", () => {
    const reviewed = new Set(Object.keys(manifest.allowScripts ?? {}).map((entry) => entry.replace(/(?<=.)@.*$/, "")));
    const unreviewed = Object.entries(lock.packages)
      .filter(([, pkg]) => pkg.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length))
      .filter((name) => name !== "" && !reviewed.has(name));
    assert.deepEqual(unreviewed, [], "packages with install scripts missing from package.json allowScripts");
  });

  it("locks no package that needs a newer Node than the project declares", () => {
    const lowest = nodeRange ? lowestAdmitted(nodeRange) : undefined;
    assert.ok(lowest);
    const tooNew = Object.entries(lock.packages)
      .filter(([where, pkg]) => where !== "" && !Array.isArray(pkg.engines) && typeof pkg.engines?.node === "string" && !admits(pkg.engines.node, lowest))
      .map(([where, pkg]) => `${where}@${pkg.version ?? "?"} needs node ${(pkg.engines as Record<string, string>).node}`);
    assert.deepEqual(tooNew, []);
  });

  it("the engine check itself refuses what npm warns about", () => {
    assert.equal(admits(">=22", [20, 18, 0]), false);
    assert.equal(admits(">=18 || >=22", [20, 18, 0]), true);
    assert.equal(admits("^20.18.0 || >=22", [20, 18, 0]), true);
    assert.equal(admits(">= 14.17", [20, 18, 0]), true);
    assert.equal(admits(">=12 <20", [20, 18, 0]), false);
  });
});
