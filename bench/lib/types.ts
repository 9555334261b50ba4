/** What every benchmark receives and returns. */

export interface BenchContext {
  /** Tiny sizes and few repetitions: proves the benchmark code still runs (CI smoke), no figures. */
  quick: boolean;
  /** Repetitions (rounds) for benchmarks that repeat; each benchmark scales it to its cost. */
  runs: number;
  log(line: string): void;
}

export type TargetStatus = "met" | "missed" | "info";

/** One line of the summary table. */
export interface Headline {
  figure: string;
  value: string;
  target: string;
  status: TargetStatus;
}

export interface BenchOutcome {
  name: string;
  title: string;
  /** Markdown for the benchmark's section (tables, method, notes). */
  markdown: string;
  headlines: Headline[];
  /** Everything measured, for bench/results/latest.json. */
  data: unknown;
  durationMs: number;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Omit<BenchOutcome, "name" | "title" | "durationMs">>;
}
