import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { ScenarioError } from "./check";
import { resolveScenario, type LoadedScenario } from "./resolve";
import { scenarioCheck, type Scenario } from "./schema";

/** Where the built-in scenarios live (`demo` → simulator/scenarios/demo.yaml). */
export const SCENARIO_DIR = path.resolve(__dirname, "..", "..", "scenarios");

/** Reads a scenario file (YAML or JSON) and checks it against the schema. Problems name the file and the field. */
export function readScenarioFile(file: string): Scenario {
  const text = readFileSync(file, "utf8");
  let raw: unknown;
  if (file.endsWith(".json")) {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ScenarioError(file, [`not valid JSON: ${(e as Error).message}`]);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) throw new ScenarioError(file, doc.errors.map((e) => `YAML: ${e.message}`));
    raw = doc.toJS();
  }
  return validateScenario(raw, file);
}

export function validateScenario(raw: unknown, file: string): Scenario {
  const problems: string[] = [];
  const s = scenarioCheck(raw, "", problems);
  if (!s || problems.length > 0) throw new ScenarioError(file, problems.length > 0 ? problems : ["the scenario must be an object"]);
  return s;
}

/** Finds `name` as a built-in scenario, or as a path to a .yaml/.yml/.json file. */
export function locateScenario(name: string): string {
  const candidates = [name, path.join(SCENARIO_DIR, `${name}.yaml`), path.join(SCENARIO_DIR, `${name}.yml`), path.join(SCENARIO_DIR, `${name}.json`)];
  const found = candidates.find((c) => /\.(ya?ml|json)$/i.test(c) && existsSync(c));
  if (!found) throw new ScenarioError(name, [`no such scenario (looked for ${candidates.slice(1).map((c) => path.relative(process.cwd(), c)).join(", ")} and the path itself)`]);
  return found;
}

export function loadScenario(scenario: string | Scenario, nowMs: number): LoadedScenario {
  if (typeof scenario === "string") {
    const file = locateScenario(scenario);
    return resolveScenario(readScenarioFile(file), file, nowMs);
  }
  return resolveScenario(validateScenario(scenario, "<object>"), "<object>", nowMs);
}
