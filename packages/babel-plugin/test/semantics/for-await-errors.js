// `for await` over things that are not async iterables: the TypeError and its message.
export async function run(log) {
  const notIterable = { notAnIterator: true };
  try {
    for await (const x of notIterable) log(x);
  } catch (e) {
    log(e.constructor.name, e.message);
  }
  const badFactory = { [Symbol.asyncIterator]: 5 };
  try {
    for await (const x of badFactory) log(x);
  } catch (e) {
    log(e.constructor.name, e.message);
  }
  const returnsPrimitive = { [Symbol.asyncIterator]: () => 5 };
  try {
    for await (const x of returnsPrimitive) log(x);
  } catch (e) {
    log(e.constructor.name, e.message);
  }
  try {
    for await (const x of undefined) log(x);
  } catch (e) {
    log(e.constructor.name, e.message);
  }
}
