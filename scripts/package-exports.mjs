// The files a package.json's `exports` names, for the build scripts.

/**
 * The `.js` files `exports` names under a `require` condition (`require: true`: what CommonJS
 * loads), or outside one (`require: false`: what `import` loads), as written there (`./dist/…`).
 */
export function exportedFiles(exports, { require }) {
  const found = new Set();
  const walk = (node, underRequire) => {
    if (typeof node === "string") {
      if (underRequire === require && node.endsWith(".js")) found.add(node);
    } else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) walk(value, underRequire || key === "require");
    }
  };
  walk(exports ?? {}, false);
  return [...found];
}
