// Regenerates l10n/bundle.l10n.json from the l10n.t(...) calls in src/ (the manifest test checks
// that the two agree). Run: node --import tsx scripts/l10n/update.ts
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { scanL10nMessages } from "./scanL10n";

const root = path.resolve(__dirname, "..", "..");
const { messages, nonLiteral } = scanL10nMessages(root);
if (nonLiteral.length > 0) {
  process.stderr.write(`l10n.t needs a string literal first argument:\n${nonLiteral.join("\n")}\n`);
  process.exit(1);
}
const bundle = Object.fromEntries([...messages].sort().map((m) => [m, m]));
writeFileSync(path.join(root, "l10n", "bundle.l10n.json"), `${JSON.stringify(bundle, null, 2)}\n`);
process.stdout.write(`l10n/bundle.l10n.json: ${messages.size} messages\n`);
