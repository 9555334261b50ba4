/// <reference types="mocha" />
/**
 * Errors of unknown shape are normalised at the command boundary with vscode-azext-utils'
 * `parseError` (loaded lazily, inside VS Code, where it needs the `vscode` module).
 */
import * as assert from "node:assert/strict";
import { describeUnknownError } from "../../../src/vscode/errors/describeUnknownError";

suite("unknown errors", () => {
  test("nested Azure error bodies become one readable line", async () => {
    const d = await describeUnknownError({ error: { code: "ResourceGroupNotFound", message: "Resource group 'rg-x' could not be found." } });
    assert.equal(d.type, "ResourceGroupNotFound");
    assert.equal(d.message, "Resource group 'rg-x' could not be found.");
  });

  test("HTML error pages are reduced to text, and tokens in messages are redacted", async () => {
    const html = await describeUnknownError(new Error("<html><body><h1>502 Bad Gateway</h1></body></html>"));
    assert.match(html.message, /502 Bad Gateway/);
    assert.doesNotMatch(html.message, /<h1>/);
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    const secret = await describeUnknownError(new Error(`request failed with Authorization: Bearer ${jwt}`));
    assert.doesNotMatch(secret.message, /eyJzdWIiOiJhbGljZSJ9/);
  });
});
