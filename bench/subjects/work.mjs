// The tiny bit of work every measured function does, identical across cases.
export function work(x) {
  return (x * 31 + 7) & 0xffff;
}

const READY = Promise.resolve(1);

// A promise from another module: nothing in the caller's source says one comes back.
export function later(x) {
  return READY.then(() => work(x));
}
