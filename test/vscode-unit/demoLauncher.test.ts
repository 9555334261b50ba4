/** The demo launcher's command line and tour: free ports by default, a sign-in link with no certificate step. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDemoArgs, UsageError } from "../../scripts/demo/args";
import { tourLines, tourMarkdown } from "../../scripts/demo/tour";

describe("demo launcher", () => {
  it("takes a free port unless --port fixes one", () => {
    assert.deepEqual(parseDemoArgs([]), { port: undefined, open: false, check: false, keep: false });
    assert.equal((parseDemoArgs(["--port", "9000"]) as { port?: number }).port, 9000);
    assert.throws(() => parseDemoArgs(["--port", "80"]), UsageError);
    assert.throws(() => parseDemoArgs(["--port", "x"]), UsageError);
  });

  it("the tour gives the proxied sign-in link and no certificate exception to click through", () => {
    const input = {
      workbenchUrl: "http://127.0.0.1:41000/?folder=%2Fw",
      deviceLoginUrl: "http://127.0.0.1:41000/proxy/42000/",
      controlUrl: "http://127.0.0.1:43000",
      caCertPath: "/x/ca.pem",
      user: { upn: "alice@contoso.example", displayName: "Alice Example" },
      vmNames: ["vm-ready"],
      startSeconds: 1,
    };
    for (const text of [tourLines(input).join("\n"), tourMarkdown(input)]) {
      assert.ok(text.includes("http://127.0.0.1:41000/proxy/42000/"));
      assert.doesNotMatch(text, /Proceed|Advanced →|warns about the certificate/);
      assert.match(text, /no certificate/);
    }
  });
});
