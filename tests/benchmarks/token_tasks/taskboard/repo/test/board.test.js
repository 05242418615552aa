import { test } from "node:test";
import assert from "node:assert/strict";
import { Board, BoardError } from "../src/index.js";

test("cards are added in order and moved between columns", () => {
  const board = new Board();
  const a = board.addCard("Todo", { title: "A" });
  const b = board.addCard("todo", { title: "B" }, 0);
  assert.deepEqual(board.column("Todo").cards.map((c) => c.title), ["B", "A"]);
  board.moveCard(a.id, "Doing");
  assert.equal(board.find(a.id).column.name, "Doing");
  assert.equal(board.find(b.id).position, 0);
  assert.equal(a.history.at(-1).type, "moved");
});

test("unknown columns and cards are errors", () => {
  const board = new Board();
  assert.throws(() => board.column("Later"), BoardError);
  assert.throws(() => board.moveCard("nope", "Done"), BoardError);
  assert.throws(() => board.addColumn("doing"), BoardError);
});
