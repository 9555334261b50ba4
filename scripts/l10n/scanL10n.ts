import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * Finds every `l10n.t("…")` message in src/vscode and src/extension.ts (string-literal first
 * argument, as VS Code's l10n tooling requires), decoded like JavaScript would.
 */
export function scanL10nMessages(root: string): { messages: Set<string>; nonLiteral: string[] } {
  const files = [path.join(root, "src/extension.ts"), ...walk(path.join(root, "src/vscode"))];
  const messages = new Set<string>();
  const nonLiteral: string[] = [];
  const call = /\bl10n\.t\(\s*/g;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(call)) {
      const start = (m.index ?? 0) + m[0].length;
      const literal = /^"((?:[^"\\\n]|\\.)*)"/.exec(text.slice(start));
      if (literal?.[1] !== undefined) messages.add(JSON.parse(`"${literal[1]}"`) as string);
      else if (!/^message\b/.test(text.slice(start))) nonLiteral.push(`${path.relative(root, file)}: ${text.slice(start, start + 40).split("\n")[0]}`);
    }
  }
  return { messages, nonLiteral };
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
    });
}
