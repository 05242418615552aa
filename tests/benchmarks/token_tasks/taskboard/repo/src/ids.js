// Short, sortable ids for cards: a prefix, a counter and a random suffix.

let counter = 0;

export function nextId(prefix = "c") {
  counter += 1;
  const random = Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, "0");
  return `${prefix}${counter.toString(36).padStart(4, "0")}${random}`;
}

export function resetIds() {
  counter = 0;
}
