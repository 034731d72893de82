// The repo's own Babel config: jest runs every TypeScript test through it (babel-jest).
// Targets the running Node so tests exercise native async/await, classes and private fields.
export default {
  presets: [
    ["@babel/preset-env", { targets: { node: "current" } }],
    ["@babel/preset-typescript", { allowDeclareFields: true }],
  ],
};
