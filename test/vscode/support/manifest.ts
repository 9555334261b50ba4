import * as vscode from "vscode";
import sourceManifest from "../../../package.json";

/** The id VS Code gives the extension: `<publisher>.<name>` from the repository's package.json. */
export const EXTENSION_ID = `${sourceManifest.publisher}.${sourceManifest.name}`;

/** Every command id of ours starts with this (house style: `azureJit.verbNoun`). */
export const COMMAND_PREFIX = "azureJit.";

export function getExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded in this extension host`);
  return extension;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The command ids in `contributes.commands` of the manifest VS Code actually loaded (so a test run
 * against another build of the manifest checks that build).
 */
export function contributedCommands(extension: vscode.Extension<unknown>): string[] {
  const manifest: unknown = extension.packageJSON;
  if (!isRecord(manifest)) throw new Error("packageJSON is not an object");
  const contributes = manifest.contributes;
  const commands = isRecord(contributes) ? contributes.commands : undefined;
  if (commands === undefined) return [];
  if (!Array.isArray(commands)) throw new Error("contributes.commands is not an array");
  return commands.map((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry.command !== "string") throw new Error(`contributes.commands[${index}] has no command id`);
    return entry.command;
  });
}

/** Commands VS Code itself registers for every contributed view (see `ViewsService`). */
const VIEW_COMMAND_SUFFIXES = ["focus", "open", "resetViewLocation", "resetViewContainerLocation", "toggleVisibility", "removeView"];

/**
 * Ids of commands the workbench generates for the manifest's views and view containers (a view
 * `azureJit.vms` gets `azureJit.vms.focus`, ...): registered, but not ours to contribute.
 */
export function generatedViewCommands(extension: vscode.Extension<unknown>): Set<string> {
  const manifest: unknown = extension.packageJSON;
  const contributes = isRecord(manifest) ? manifest.contributes : undefined;
  const ids: string[] = [];
  for (const key of ["views", "viewsContainers"]) {
    const groups = isRecord(contributes) ? contributes[key] : undefined;
    if (!isRecord(groups)) continue;
    for (const entries of Object.values(groups)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as unknown[]) if (isRecord(entry) && typeof entry.id === "string") ids.push(entry.id);
    }
  }
  return new Set(ids.flatMap((id) => VIEW_COMMAND_SUFFIXES.map((suffix) => `${id}.${suffix}`)));
}
