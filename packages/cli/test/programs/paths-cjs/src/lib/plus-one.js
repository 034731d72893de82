exports.plusOne = function plusOne(n) {
  return n + 1;
};
