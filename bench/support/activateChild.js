"use strict";
/**
 * Loads and activates the production extension bundle in a fresh plain-Node process, the way the
 * extension host does (require + activate(context)), with a stand-in `vscode` module and no Azure
 * behind it, then loads the lazy Azure SDK chunk the way the first Azure call does. Prints one JSON
 * line: timings, the modules each phase loaded, and every network connection attempted (none may
 * be: activation must not call Azure).
 *
 *   node bench/support/activateChild.js <dist folder>
 *
 * Plain JavaScript on purpose: a TypeScript loader in this process would add modules and time of
 * its own to exactly what is measured.
 */
const t0 = performance.now();
const Module = require("node:module");
const path = require("node:path");
const dist = process.argv[2];

// ---- what gets loaded, when -------------------------------------------------------------------
const builtinsAtStart = new Set(process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")));
let phase = "startup";
const loadedFiles = [];
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  const before = Object.keys(require.cache).length;
  const result = originalLoad.apply(this, arguments);
  if (Object.keys(require.cache).length > before) {
    for (const file of Object.keys(require.cache).slice(before)) loadedFiles.push({ phase, file: path.relative(dist, file) });
  }
  return result;
};
function builtinsSince(set) {
  return process.moduleLoadList.filter((m) => m.startsWith("NativeModule ") && !set.has(m)).map((m) => m.slice("NativeModule ".length));
}

// ---- no network: every attempt is recorded and refused ------------------------------------------
const network = [];
for (const name of ["net", "tls", "http", "https", "http2", "dgram"]) {
  const mod = require(name);
  for (const fn of ["connect", "createConnection", "request", "get", "createSocket"]) {
    if (typeof mod[fn] !== "function") continue;
    const original = mod[fn];
    mod[fn] = function () {
      network.push({ phase, call: `${name}.${fn}` });
      return original.apply(this, arguments);
    };
  }
}
if (typeof globalThis.fetch === "function") {
  globalThis.fetch = async (input) => {
    network.push({ phase, call: `fetch ${String(input).slice(0, 80)}` });
    throw new Error("no network during the activation benchmark");
  };
}

// ---- a stand-in for the `vscode` module -----------------------------------------------------
// Any property is a callable, constructible stand-in; `get(key, default)` answers the default (the
// shape of configuration and memento reads); events return disposables.
function standIn(name) {
  const fn = function () {};
  return new Proxy(fn, {
    get(_t, prop) {
      if (prop === "then") return undefined;
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === Symbol.iterator) return function* () {};
      if (prop === "toString" || prop === "toJSON") return () => name;
      if (prop === "dispose") return () => undefined;
      if (prop === "get") return (_key, fallback) => fallback;
      if (prop === "has") return () => false;
      if (prop === "length") return 0;
      return standIn(`${name}.${String(prop)}`);
    },
    apply(_t, _this, args) {
      if (typeof args[0] === "function" && /\.on[A-Z]|\.event$/.test(name)) return { dispose() {} };
      return standIn(`${name}()`);
    },
    construct() {
      return standIn(`new ${name}`);
    },
  });
}
const vscodeStub = standIn("vscode");
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request) {
  if (request === "vscode") return "vscode";
  return originalResolve.apply(this, arguments);
};
require.cache.vscode = { id: "vscode", filename: "vscode", loaded: true, exports: vscodeStub, children: [], paths: [] };

function memento() {
  const store = new Map();
  return { get: (k, d) => (store.has(k) ? store.get(k) : d), update: async (k, v) => void store.set(k, v), keys: () => [...store.keys()], setKeysForSync() {} };
}
const storage = path.join(require("node:os").tmpdir(), `ajc-activate-${process.pid}`);
const uri = (p) => ({ fsPath: p, path: p, scheme: "file", toString: () => `file://${p}`, with: () => uri(p) });
const context = {
  subscriptions: [],
  globalState: memento(),
  workspaceState: memento(),
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
  extensionUri: uri(path.dirname(dist)),
  extensionPath: path.dirname(dist),
  globalStorageUri: uri(path.join(storage, "global")),
  globalStoragePath: path.join(storage, "global"),
  storageUri: uri(path.join(storage, "workspace")),
  storagePath: path.join(storage, "workspace"),
  logUri: uri(path.join(storage, "log")),
  logPath: path.join(storage, "log"),
  extensionMode: 1,
  extension: { id: "azure-jit-connect.azure-jit-connect", packageJSON: {}, extensionPath: path.dirname(dist) },
  environmentVariableCollection: standIn("environmentVariableCollection"),
  asAbsolutePath: (p) => path.join(path.dirname(dist), p),
};

(async () => {
  const result = { nodeStartMs: t0, requireMs: 0, activateMs: 0, activateError: undefined, sdkRequireMs: 0, modules: {}, builtins: {}, network };
  const builtinsBefore = new Set(process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")));
  phase = "activation";
  const r0 = performance.now();
  const extension = require(path.join(dist, "extension.js"));
  const r1 = performance.now();
  try {
    await extension.activate(context);
  } catch (e) {
    result.activateError = String(e && e.message ? e.message : e).slice(0, 300);
  }
  const r2 = performance.now();
  result.requireMs = r1 - r0;
  result.activateMs = r2 - r1;
  result.builtins.activation = builtinsSince(builtinsBefore);
  // Let anything activation scheduled (timers at 0, promises) run, still with no Azure call.
  await new Promise((resolve) => setTimeout(resolve, 50));

  phase = "first Azure call (lazy SDK chunk)";
  const builtinsBeforeSdk = new Set(process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")));
  const s0 = performance.now();
  require(path.join(dist, "azureSdk.js"));
  result.sdkRequireMs = performance.now() - s0;
  result.builtins.sdk = builtinsSince(builtinsBeforeSdk);
  for (const f of loadedFiles) (result.modules[f.phase] ??= []).push(f.file);
  result.startupBuiltins = builtinsAtStart.size;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  try {
    if (typeof extension.deactivate === "function") await extension.deactivate();
  } catch {
    // not measured
  }
  require("node:fs").rmSync(storage, { recursive: true, force: true });
  process.exit(0);
})();
