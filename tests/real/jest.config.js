// The real-code suite (npm run test:real): its own jest project, beside the packages' one.
export default {
  rootDir: "../..",
  testEnvironment: "node",
  roots: ["<rootDir>/tests/real"],
  testMatch: ["**/tests/real/*.test.ts"],
  modulePathIgnorePatterns: ["<rootDir>/tests/real/node_modules", "<rootDir>/tests/real/.work"],
  transform: { "\\.[cm]?[jt]s$": "babel-jest" },
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 900000,
};
