export default {
  testEnvironment: "node",
  roots: ["<rootDir>/packages", "<rootDir>/tests/types"],
  testMatch: ["**/test/**/*.test.ts", "**/tests/types/*.test.ts"],
  transform: { "\\.[cm]?[jt]s$": "babel-jest" },
  // Sources import siblings as "./x.js" (what Node's ESM resolver needs); jest resolves the .ts.
  moduleNameMapper: {
    "^@spanfn/tracing$": "<rootDir>/packages/tracing/src/index.ts",
    "^@spanfn/tracing/node$": "<rootDir>/packages/tracing/src/node/index.ts",
    "^\\./writer-script\\.js$": "<rootDir>/packages/tracing/test/writer-script.ts",
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  testTimeout: 20000,
};
