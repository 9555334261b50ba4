/**
 * A failure a handler wants to answer with. ARM and Key Vault render it as a CloudError body
 * `{"error":{"code","message"}}` (§0.2); the login origin renders OAuth errors itself.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra members merged into `error` (e.g. Key Vault's `innererror`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = "BadRequest"): HttpError => new HttpError(400, code, message);
