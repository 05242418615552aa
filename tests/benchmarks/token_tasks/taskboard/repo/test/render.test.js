import { test } from "node:test";
import assert from "node:assert/strict";
import { Board, renderBoard } from "../src/index.js";

test("the board renders one block per column", () => {
  const board = new Board(["Todo", "Done"]);
  board.addCard("Todo", { title: "Write notes", labels: ["docs"], owner: "ana" });
  const text = renderBoard(board, 28);
  const [header] = text.split("\n");
  assert.match(header, /^Todo \(1\)\s+\| Done \(0\)$/);
  assert.match(text, /Write notes \[docs\] @ana/);
  assert.match(text, /\(empty\)/);
});
