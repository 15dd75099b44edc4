import { defineConfig } from "vitest/config";

// Three tiers (docs/testing.md): unit under Pulumi mocks, e2e on a real Docker engine (one file at a
// time: they share the engine), and Pulumi CLI tests through the Automation API.
export default defineConfig({
  test: {
    // verbose names every skipped test with its reason; the summary reporter prints one closing line.
    reporters: ["verbose", "./test/support/summary-reporter.ts"],
    // e2e and CLI files drive one Docker engine: run files one at a time (unit files are quick).
    fileParallelism: false,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 30_000,
          // GitHub's workflow parser imports JSON without import attributes: let vite load it.
          server: { deps: { inline: [/@actions\/workflow-parser/] } },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: "cli",
          include: ["test/cli/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
