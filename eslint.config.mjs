// Lint rules that enforce the architecture: the core, the tunnel and the shared protocol never see
// `vscode`; the product and the simulator never import each other (the simulator is written from
// Azure's wire formats, so that it cannot share the product's mistakes).
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import tseslint from "typescript-eslint";

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * `layers/no-import-from`: resolves each relative import against the importing file and reports
 * it when it lands inside one of the forbidden folders. Path patterns cannot do this: `../src` is
 * the simulator's own folder from `simulator/scenarios`, and the product from `simulator/src/x`.
 */
const layersPlugin = {
  rules: {
    "no-import-from": {
      meta: { type: "problem", schema: [{ type: "object", properties: { folders: { type: "array", items: { type: "string" } }, message: { type: "string" } } }] },
      create(context) {
        const { folders = [], message = "This import crosses an architectural boundary." } = context.options[0] ?? {};
        const forbidden = folders.map((f) => path.join(root, f) + path.sep);
        const check = (node, source) => {
          if (typeof source !== "string" || !source.startsWith(".")) return;
          const target = path.resolve(path.dirname(context.filename), source) + path.sep;
          if (forbidden.some((f) => target.startsWith(f))) context.report({ node, message: `${message} (${source})` });
        };
        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === "Literal" && check(node, node.source.value),
        };
      },
    },
  },
};

const noVscode = {
  name: "vscode",
  message: "src/core, src/tunnel and src/shared must not depend on the VS Code API (house style, practice 1).",
};

/** Notifications carry VM names and Azure's error texts: they go through notify.ts, which escapes them. */
const notifyOnly = {
  selector: "CallExpression[callee.property.name=/^show(Information|Warning|Error)Message$/]",
  message: "Show notifications with notify.info/warn/error (src/vscode/notify.ts): it escapes control and bidi characters.",
};

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", ".cache/**", ".sim/**", ".test-output/**", "test-results/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    plugins: { layers: layersPlugin },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      eqeqeq: ["error", "smart"],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "no-console": "error",
      "layers/no-import-from": ["error", { folders: ["simulator", "test"], message: "The product must not import the simulator or tests." }],
    },
  },
  {
    files: ["src/core/**/*.ts", "src/tunnel/**/*.ts", "src/shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [noVscode] }],
    },
  },
  {
    // Commands are registered only through the wrapper (logging, timing, the error boundary), and
    // context keys set only through the manager that owns their closed set (house style 6 and 16).
    files: ["src/vscode/**/*.ts", "src/extension.ts"],
    ignores: ["src/vscode/commands/registerCommand.ts", "src/vscode/contextKeys.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='registerCommand']", message: "Register commands with registerCommand() in src/vscode/commands/registerCommand.ts." },
        { selector: "CallExpression[callee.property.name='executeCommand'][arguments.0.value='setContext']", message: "Set context keys through ContextKeys (src/vscode/contextKeys.ts)." },
        notifyOnly,
      ],
    },
  },
  {
    // The one place that may call window.show*Message: it escapes what Azure provided (SECURITY.md).
    files: ["src/vscode/notify.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["src/core/**/*.ts", "src/tunnel/**/*.ts", "src/shared/**/*.ts"],
    rules: {
      "layers/no-import-from": ["error", { folders: ["simulator", "test", "src/vscode"], message: "The core, tunnel and shared code must not import the VS Code adapters, the simulator or tests." }],
    },
  },
  {
    files: ["simulator/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "The simulator is not part of the extension." }] }],
      "layers/no-import-from": ["error", { folders: ["src", "test"], message: "The simulator must not import the product (it is written from Azure's wire formats)." }],
    },
  },
);
