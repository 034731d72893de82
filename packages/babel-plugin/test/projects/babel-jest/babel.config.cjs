// A user's project: the plugin beside the usual presets, as the README shows.
module.exports = {
  presets: [["@babel/preset-env", { targets: { node: "current" } }], "@babel/preset-typescript"],
  plugins: [["@spanfn/babel-plugin", { instrument: "marked" }]],
};
