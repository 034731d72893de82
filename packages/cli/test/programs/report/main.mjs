// A program with the shapes the HTML report shows: async spans inside async spans, sync work
// inside them, a function called from many places, a rejected promise.
function spin(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function parseRecord(i) {
  spin(0.2);
  return { id: i };
}

function validate(record) {
  spin(0.1);
  return record.id >= 0;
}

function parseAll(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const record = parseRecord(i);
    if (validate(record)) out.push(record);
  }
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchPage(page) {
  await sleep(3 + page);
  return parseAll(5);
}

async function fetchAll() {
  const pages = await Promise.all([fetchPage(1), fetchPage(2), fetchPage(3)]);
  return pages.flat();
}

async function mayFail() {
  await sleep(1);
  throw new Error("expected");
}

async function main() {
  const records = await fetchAll();
  spin(2);
  await mayFail().catch(() => {});
  const more = parseAll(10);
  console.log(records.length + more.length);
}

await main();
