// The bench as a library: run it and render its table (the CLI in cli/bench.ts is the usual way in).
export { runBench, type BenchResults, type BenchSettings } from './run.ts';
export { renderTable } from './report/table.ts';
