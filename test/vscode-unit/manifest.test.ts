/**
 * The manifest reviewed like code (house style, practice 8): the typed command registry, settings
 * and context keys against package.json and package.nls.json, walkthrough media, the icon, and the
 * l10n bundle against every `l10n.t("…")` in the VS Code layer.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { COMMAND_IDS } from "../../src/vscode/commands/commandIds";
import { TREE_SELECTION_ARGUMENT } from "../../src/vscode/tree/vmTreeModel";
import { FORWARD_CONTEXT_VALUE } from "../../src/vscode/tree/forwardPresentation";
import { SETTING_DEFAULTS, SETTING_ENUMS } from "../../src/vscode/config";
import { CONTEXT_KEY_DEFAULTS } from "../../src/vscode/contextKeyValues";
import { scanL10nMessages } from "../../scripts/l10n/scanL10n";

const root = path.join(__dirname, "../..");
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(root, file), "utf8"));

interface Command { command: string; title: string; category?: string; icon?: string }
interface Setting { default?: unknown; enum?: string[]; enumDescriptions?: string[]; markdownDescription?: string; description?: string }
interface Manifest {
  activationEvents?: string[];
  icon?: string;
  contributes: {
    commands: Command[];
    menus: Record<string, { command: string; when?: string }[]>;
    keybindings: { command: string; key: string; args?: unknown; when?: string }[];
    configuration: { id?: string; title: string; properties: Record<string, Setting> }[];
    viewsWelcome: { view: string; contents: string; when?: string }[];
    views: Record<string, { id: string }[]>;
    walkthroughs: { steps: { id: string; description: string; media: { markdown?: string }; completionEvents?: string[] }[] }[];
  };
}

const manifest = read("package.json") as Manifest;
const nls = read("package.nls.json") as Record<string, string>;
const c = manifest.contributes;

function whenClauses(): string[] {
  return [...Object.values(c.menus).flat().map((m) => m.when ?? ""), ...c.viewsWelcome.map((v) => v.when ?? ""), ...c.keybindings.map((k) => k.when ?? "")];
}

describe("manifest: commands", () => {
  it("COMMAND_IDS is exactly contributes.commands, in the same order", () => {
    assert.deepEqual([...COMMAND_IDS], c.commands.map((x) => x.command));
  });

  it("every command has a localised title, a category and a codicon", () => {
    for (const cmd of c.commands) {
      assert.match(cmd.title, /^%.+%$/, cmd.command);
      assert.ok(cmd.category === "%azureJit.category%" || cmd.category === "%azureJit.demoCategory%", `${cmd.command}: category`);
      assert.match(cmd.icon ?? "", /^\$\([a-z0-9-]+\)$/, `${cmd.command}: icon`);
    }
  });

  it("the palette decides deliberately for every command, and menus name only our commands", () => {
    const palette = c.menus.commandPalette ?? [];
    assert.deepEqual(palette.map((p) => p.command).sort(), [...COMMAND_IDS].sort());
    for (const entry of Object.values(c.menus).flat()) assert.ok((COMMAND_IDS as readonly string[]).includes(entry.command), entry.command);
    for (const p of palette.filter((x) => x.command.startsWith("azureJit.demo."))) assert.equal(p.when, "azureJit.demoMode");
  });

  it("every context key in a when clause is one ContextKeys sets, with known values", () => {
    const known = new Set(Object.keys(CONTEXT_KEY_DEFAULTS));
    for (const when of whenClauses()) {
      const keysOnly = when.replace(/[vV]iew == \S+/g, "").replace(/config\.\S+/g, "");
      for (const m of keysOnly.matchAll(/(?<![\w.])(azureJit\.[A-Za-z]+)(?![\w.])/g)) assert.ok(known.has(m[1]!), `unknown context key ${m[1]} in "${when}"`);
      for (const m of when.matchAll(/azureJit\.inventoryState == (\w+)/g)) assert.ok(["idle", "loading", "ready", "empty", "error"].includes(m[1]!), when);
    }
  });

  it("Enter in the tree runs the selected row's default action (Connect on a VM, with port forwards under it or not); no test on the row's children", () => {
    const enter = c.keybindings.filter((k) => k.key === "enter");
    assert.equal(enter.length, 1);
    assert.equal(enter[0]!.command, "azureJit.openSelectedRow");
    assert.deepEqual(enter[0]!.args, TREE_SELECTION_ARGUMENT);
    const when = enter[0]!.when ?? "";
    // Only workbench keys for the focused row, so the binding needs no round trip to the extension
    // host (a key set from the selection event lost the race to a fast Enter).
    for (const term of ["focusedView == azureJit.vms", "listFocus", "!inputFocus"]) assert.ok(when.split(" && ").includes(term), `the Enter keybinding lacks "${term}": ${when}`);
    // A VM with port forwards has children: with `!treeElementHasChild` Enter on it would expand
    // instead of connecting; the command tells rows apart (vmTreeModel.enterActionFor).
    assert.doesNotMatch(when, /treeElementHasChild/);
  });

  it("a port-forward row has Open in Browser and Stop inline and in its context menu; they need the row, so the palette hides them", () => {
    const item = c.menus["view/item/context"] ?? [];
    const palette = new Map((c.menus.commandPalette ?? []).map((p) => [p.command, p.when]));
    for (const command of ["azureJit.openForwardInBrowser", "azureJit.stopForward"]) {
      const entries = item.filter((m) => m.command === command) as { command: string; when?: string; group?: string }[];
      assert.deepEqual(entries.map((m) => (m.group ?? "").replace(/@\d+$/, "")).sort(), ["1_forward", "inline"], command);
      for (const m of entries) {
        const test = /viewItem =~ \/(.+?)\/(?: |$)/.exec(m.when ?? "")?.[1];
        assert.ok(test, `${command}: no viewItem test in "${m.when}"`);
        assert.match(FORWARD_CONTEXT_VALUE, new RegExp(test), command);
      }
      assert.equal(palette.get(command), "false", command);
    }
    assert.equal(palette.get("azureJit.openSelectedRow"), "false");
    // And no other item action shows on a forward row: each has a viewItem test the row fails.
    for (const m of item.filter((x) => x.command !== "azureJit.openForwardInBrowser" && x.command !== "azureJit.stopForward")) {
      const tests = [...(m.when ?? "").matchAll(/viewItem =~ \/(.+?)\/(?: |$)/g)].map((x) => new RegExp(x[1]!));
      assert.ok(tests.some((t) => !t.test(FORWARD_CONTEXT_VALUE)), `${m.command} would show on a port-forward row: ${m.when}`);
    }
  });

  it("view/title and item menus are scoped to our view", () => {
    for (const entry of [...(c.menus["view/title"] ?? []), ...(c.menus["view/item/context"] ?? [])]) assert.match(entry.when ?? "", /^view == azureJit\.vms\b/, entry.command);
  });

  it("activates after start-up (countdown and expiry warnings of persisted grants) and on Remote-SSH reconnects; commands and views activate implicitly", () => {
    assert.deepEqual(manifest.activationEvents, ["onStartupFinished", "onResolveRemoteAuthority:ssh-remote"]);
  });
});

describe("manifest: settings", () => {
  const props: Record<string, Setting> = Object.assign({}, ...c.configuration.map((group) => group.properties));

  it("settings come in titled groups by purpose, each setting in exactly one", () => {
    assert.ok(Array.isArray(c.configuration) && c.configuration.length >= 4, "an array of groups");
    for (const group of c.configuration) assert.match(group.title, /^%azureJit\.config\.[a-zA-Z]+%$/);
    const keys = c.configuration.flatMap((group) => Object.keys(group.properties));
    assert.equal(new Set(keys).size, keys.length);
  });

  it("no setting asks for an ISO 8601 duration except the deprecated one kept for old values", () => {
    const describedAs = (s: Setting): string => nls[(s.markdownDescription ?? s.description ?? "").replace(/%/g, "")] ?? "";
    const iso = Object.entries(props).filter(([, s]) => /ISO 8601|\bPT\d/.test(describedAs(s)) || /^PT\d/.test(String(s.default)));
    assert.deepEqual(iso.map(([k]) => k), ["azureJit.access.defaultDuration"]);
    assert.ok((props["azureJit.access.defaultDuration"] as { markdownDeprecationMessage?: string }).markdownDeprecationMessage);
  });

  it("every setting is in the typed config module with the same default", () => {
    const declared = Object.fromEntries(Object.entries(props).map(([k, v]) => [k.replace(/^azureJit\./, ""), v.default]));
    assert.deepEqual(declared, JSON.parse(JSON.stringify(SETTING_DEFAULTS)));
  });

  it("enums match, each value described", () => {
    for (const [key, setting] of Object.entries(props)) {
      const short = key.replace(/^azureJit\./, "") as keyof typeof SETTING_DEFAULTS;
      assert.deepEqual(setting.enum, SETTING_ENUMS[short] ? [...SETTING_ENUMS[short]!] : undefined, key);
      if (setting.enum) assert.equal(setting.enumDescriptions?.length, setting.enum.length, key);
      assert.match(setting.markdownDescription ?? setting.description ?? "", /^%.+%$/, `${key}: description`);
    }
  });
});

describe("manifest: walkthrough", () => {
  const steps = c.walkthroughs.flatMap((w) => w.steps);

  it("every step can tick: its completion events name a declared command, context key or view", () => {
    const commands = new Set(c.commands.map((x) => x.command));
    const views = new Set(Object.values(c.views).flat().map((v) => v.id));
    for (const step of steps) {
      assert.ok((step.completionEvents ?? []).length > 0, `${step.id}: no completion event, so it never ticks`);
      for (const event of step.completionEvents ?? []) {
        const [kind, target = ""] = event.split(/:(.*)/s);
        if (kind === "onCommand") assert.ok(commands.has(target), `${step.id}: ${event}`);
        else if (kind === "onView") assert.ok(views.has(target), `${step.id}: ${event}`);
        else if (kind === "onContext") assert.ok((/^[\w.]+/.exec(target)?.[0] ?? "") in CONTEXT_KEY_DEFAULTS, `${step.id}: ${event}`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
    }
  });

  it("step descriptions use no code spans (VS Code shows the backticks raw there)", () => {
    for (const step of steps) assert.doesNotMatch(nls[step.description.replace(/%/g, "")] ?? step.description, /`/, step.id);
  });

  it("step pages draw icons as images, not symbols a browser without emoji fonts shows as boxes, and every image exists", () => {
    for (const step of steps) {
      if (!step.media.markdown) continue;
      const file = path.join(root, step.media.markdown);
      const text = readFileSync(file, "utf8");
      assert.doesNotMatch(text, /[\u2190-\u2bff\u{1f000}-\u{1faff}]/u, `${step.media.markdown} has a symbol glyph`);
      assert.doesNotMatch(text, /\$\([a-z-]+\)/, `${step.media.markdown}: codicon syntax does not render in walkthrough pages`);
      for (const m of text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(existsSync(path.join(path.dirname(file), m[1]!)), `${step.media.markdown}: ${m[1]}`);
    }
  });
});

describe("manifest: strings, media, l10n", () => {
  it("every %key% of package.json is in package.nls.json, and every nls key is used", () => {
    const text = readFileSync(path.join(root, "package.json"), "utf8");
    const used = new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!));
    for (const key of used) assert.ok(key in nls, `missing nls key ${key}`);
    for (const key of Object.keys(nls)) assert.ok(used.has(key), `unused nls key ${key}`);
  });

  it("walkthrough media and the icon exist; the icon is a 128×128 PNG", () => {
    for (const step of c.walkthroughs.flatMap((w) => w.steps)) if (step.media.markdown) assert.ok(existsSync(path.join(root, step.media.markdown)), step.media.markdown);
    const png = readFileSync(path.join(root, manifest.icon ?? "missing"));
    assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  it("l10n/bundle.l10n.json holds exactly the messages of l10n.t(…) calls, all string literals", () => {
    const { messages, nonLiteral } = scanL10nMessages(root);
    assert.deepEqual(nonLiteral, [], "l10n.t needs a string literal first argument");
    const bundle = read("l10n/bundle.l10n.json") as Record<string, string>;
    const missing = [...messages].filter((m) => !(m in bundle));
    const stale = Object.keys(bundle).filter((k) => !messages.has(k));
    assert.deepEqual({ missing, stale }, { missing: [], stale: [] }, "regenerate l10n/bundle.l10n.json");
    for (const [k, v] of Object.entries(bundle)) assert.equal(v, k);
  });
});
