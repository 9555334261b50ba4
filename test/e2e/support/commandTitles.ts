import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../harness/paths";

/**
 * Command titles as the palette shows them ("Azure JIT: Request Access"), read from the manifest and
 * package.nls.json, so that specs and the demo's tour follow a renamed title instead of drifting.
 */
interface ManifestCommand {
  command: string;
  title: string;
  category?: string;
}

let cache: Map<string, string> | undefined;

function load(): Map<string, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { contributes?: { commands?: ManifestCommand[] } };
  const nls = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.nls.json"), "utf8")) as Record<string, string>;
  // "%key%" resolves through package.nls.json, as VS Code does.
  const resolve = (value: string): string => value.replace(/^%(.+)%$/, (whole, key: string) => nls[key] ?? whole);
  const titles = new Map<string, string>();
  for (const c of manifest.contributes?.commands ?? []) {
    const title = resolve(c.title);
    titles.set(c.command, c.category ? `${resolve(c.category)}: ${title}` : title);
  }
  return titles;
}

/** The palette title of a contributed command; throws for an id the manifest does not contribute. */
export function paletteTitle(commandId: string): string {
  cache ??= load();
  const title = cache.get(commandId);
  if (title === undefined) throw new Error(`package.json contributes no command ${commandId}`);
  return title;
}

/** The title without its category ("Request Access"), as context menus and inline actions show it. */
export function menuTitle(commandId: string): string {
  return paletteTitle(commandId).replace(/^[^:]+: /, "");
}

/** A manifest string by its package.nls.json key (view names, welcome texts). */
export function nlsString(key: string): string {
  const nls = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.nls.json"), "utf8")) as Record<string, string>;
  const value = nls[key];
  if (value === undefined) throw new Error(`package.nls.json has no ${key}`);
  return value;
}
