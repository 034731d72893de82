module.exports = {
  presets: ["@babel/preset-typescript"],
  plugins: ["@spanfn/babel-plugin", "@babel/plugin-transform-modules-commonjs"],
};
