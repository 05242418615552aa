// Saving a board as JSON and reading it back.

import { readFile, writeFile, rename } from "node:fs/promises";
import { Board } from "./board.js";

export const FORMAT = 1;

export function toData(board) {
  return { format: FORMAT, ...board.toJSON() };
}

export function fromData(data) {
  if (data?.format !== FORMAT) {
    throw new Error(`unsupported board format: ${data?.format}`);
  }
  const board = new Board(data.columns.map((c) => c.name));
  for (const column of data.columns) {
    for (const card of column.cards) {
      const added = board.addCard(column.name, card);
      added.id = card.id;
    }
  }
  return board;
}

export async function saveBoard(board, path) {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(toData(board), null, 2));
  await rename(tmp, path); // never a half-written board
}

export async function loadBoard(path) {
  return fromData(JSON.parse(await readFile(path, "utf8")));
}
