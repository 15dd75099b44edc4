/**
 * Prints one closing line, `Tests: N passed, N failed, N skipped`, after vitest's own summary, so
 * that any reader of the log (people, CI) finds the counts in a single plain form.
 */
import type { Reporter } from "vitest/reporters";

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

function count(tasks: Task[], totals: { passed: number; failed: number; skipped: number }) {
  for (const task of tasks) {
    if (task.tasks) count(task.tasks, totals);
    if (task.type !== "test") continue;
    const state = task.result?.state;
    if (state === "pass") totals.passed++;
    else if (state === "fail") totals.failed++;
    else totals.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = [], errors: unknown[] = []) {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    // A file that failed to load, or an unhandled error, counts as a failure too.
    totals.failed += files.filter((file) => file.result?.state === "fail" && !file.tasks?.length).length + errors.length;
    process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  }
}
