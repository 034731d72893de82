module.exports = {
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["**/*.spec.ts"],
  transform: { "\\.[jt]s$": "babel-jest" },
};
