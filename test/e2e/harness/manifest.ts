import * as fs from "node:fs";
import * as path from "node:path";

/** The parts of an extension's package.json the harness needs. */
export interface ExtensionManifest {
  id: string;
  displayName: string;
  extensionKind: string[];
}

export function readManifest(extensionDir: string): ExtensionManifest {
  const raw: unknown = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8"));
  if (typeof raw !== "object" || raw === null) throw new Error(`${extensionDir}/package.json is not an object`);
  const field = (name: string): unknown => (raw as Record<string, unknown>)[name];
  const publisher = field("publisher");
  const name = field("name");
  if (typeof publisher !== "string" || typeof name !== "string") throw new Error(`${extensionDir}/package.json lacks publisher or name`);
  const kind = field("extensionKind");
  const displayName = field("displayName");
  return {
    id: `${publisher}.${name}`,
    displayName: typeof displayName === "string" ? displayName : name,
    extensionKind: Array.isArray(kind) ? kind.filter((k): k is string => typeof k === "string") : [],
  };
}

/**
 * Settings that let an extension run in code-server at all. With `extensionKind: ["ui"]` VS Code
 * wants to run it on the client side, which in code-server is the browser's web-worker host; a
 * Node extension has no browser entry, so it would not run anywhere. code-server's server side is
 * this same machine, so running it there ("workspace") is the faithful equivalent of desktop's
 * local extension host. `remote.extensionKind` is VS Code's own per-extension override for that.
 */
export function runInServerHost(manifests: readonly ExtensionManifest[]): Record<string, unknown> {
  return { "remote.extensionKind": Object.fromEntries(manifests.map((m) => [m.id, ["workspace"]])) };
}
