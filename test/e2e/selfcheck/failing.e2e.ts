/// <reference types="mocha" />
import { useSession } from "../harness/mocha";

/**
 * Run only by `run.ts --self-check`, which expects this spec to fail and then checks that the
 * failure left a screenshot and the session's logs behind.
 */
describe("self-check", function () {
  const session = useSession({ name: "self-check-failing" });

  it("fails on a command that does not exist", async () => {
    await session().workbench.runCommand("Azure JIT: No Such Command", 3000);
  });
});
