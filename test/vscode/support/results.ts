/** The JSON file the extension-host test run writes for the harness (its path travels in the environment). */
export const RESULTS_FILE_VARIABLE = "AZURE_JIT_VSCODE_TESTS_RESULTS";
/** An optional mocha `grep` for the extension-host run. */
export const GREP_VARIABLE = "AZURE_JIT_VSCODE_TESTS_GREP";

export interface TestOutcome {
  title: string;
  state: "passed" | "failed" | "pending";
  durationMs: number;
  error?: string;
}

export interface TestRunResults {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  tests: TestOutcome[];
  /** What mocha's spec reporter printed. */
  output: string;
}
