import { errorMessage } from "../../core/errors";
import { redact } from "../../core/redact";
import type * as AzextUtilsModule from "./azextUtils";

type AzextUtils = typeof AzextUtilsModule;

let loading: Promise<AzextUtils> | undefined;

/** Loads the azext-utils chunk on first use (`import("./azextUtils")` becomes a require of dist/azextUtils.js). */
function loadAzextUtils(): Promise<AzextUtils> {
  loading ??= import("./azextUtils");
  return loading;
}

export interface DescribedError {
  /** The error's type or code ("RestError", "ENOENT", "403"). */
  type: string;
  /** One readable line, redacted. */
  message: string;
}

/**
 * Normalises an error of unknown shape (SDK errors with JSON or HTML bodies, nested `error.error`,
 * plain objects) with vscode-azext-utils' `parseError`, the Azure extensions' shared parser. Falls
 * back to the plain message when the chunk cannot load.
 */
export async function describeUnknownError(e: unknown): Promise<DescribedError> {
  try {
    const { parseError } = await loadAzextUtils();
    const parsed = parseError(e);
    return { type: parsed.errorType, message: redact(parsed.message) };
  } catch {
    return { type: e instanceof Error ? e.name : typeof e, message: redact(errorMessage(e)) };
  }
}
