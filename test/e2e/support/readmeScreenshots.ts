import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../harness/paths";
import { type Workbench } from "../harness/pageObjects/workbench";

/**
 * The README's pictures come from the specs, so they show the product as it is: a spec takes the
 * screenshot as usual (test-results/screenshots/), and with AZURE_JIT_E2E_UPDATE_MEDIA=1 it is also
 * copied to media/screenshots/<mediaName>.png. Only passing steps get there: a failing assertion
 * before this call skips it.
 */
export const mediaScreenshotsDir = path.join(repoRoot, "media/screenshots");

export async function readmeScreenshot(workbench: Workbench, name: string, mediaName: string, options: { keepPointer?: boolean } = {}): Promise<string> {
  const file = await workbench.screenshot(name, options);
  if (process.env.AZURE_JIT_E2E_UPDATE_MEDIA === "1") {
    fs.mkdirSync(mediaScreenshotsDir, { recursive: true });
    fs.copyFileSync(file, path.join(mediaScreenshotsDir, `${mediaName}.png`));
  }
  return file;
}
