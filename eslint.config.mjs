// Lint rules that enforce the architecture: the core, the tunnel and the shared protocol never see
// `vscode`; the product and the simulator never import each other (the simulator is written from
// Azure's wire formats, so that it cannot share the product's mistakes).
import tseslint from "typescript-eslint";

const noVscode = {
  name: "vscode",
  message: "src/core, src/tunnel and src/shared must not depend on the VS Code API (house style, practice 1).",
};

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", ".cache/**", ".sim/**", ".test-output/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
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
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/simulator/**", "simulator/*"], message: "The product must not import the simulator." }] }],
    },
  },
  {
    files: ["src/core/**/*.ts", "src/tunnel/**/*.ts", "src/shared/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [noVscode],
          patterns: [
            { group: ["**/vscode/**", "../vscode/*"], message: "The core must not import the VS Code adapters." },
            { group: ["**/simulator/**"], message: "The product must not import the simulator." },
          ],
        },
      ],
    },
  },
  {
    files: ["simulator/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "vscode", message: "The simulator is not part of the extension." }],
          patterns: [{ group: ["**/src/**", "../src/*", "../../src/*"], message: "The simulator must not import the product (it is written from Azure's wire formats)." }],
        },
      ],
    },
  },
);
