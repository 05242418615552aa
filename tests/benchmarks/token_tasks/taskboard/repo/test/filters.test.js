import { test } from "node:test";
import assert from "node:assert/strict";
import { Board, filters } from "../src/index.js";

test("a query combines label and owner", () => {
  const board = new Board();
  board.addCard("Todo", { title: "Docs", labels: ["Docs"], owner: "ana" });
  board.addCard("Doing", { title: "Code", labels: ["docs"], owner: "bo" });
  const hits = filters.select(board, filters.parseQuery("label:docs owner:ana"));
  assert.deepEqual(hits.map((h) => h.card.title), ["Docs"]);
  assert.throws(() => filters.parseQuery("colour:red"));
});

test("due within a number of days", () => {
  const board = new Board();
  board.addCard("Todo", { title: "Soon", due: "2024-05-03" });
  board.addCard("Todo", { title: "Later", due: "2024-06-01" });
  const hits = filters.select(board, filters.dueWithin(7, "2024-05-01"));
  assert.deepEqual(hits.map((h) => h.card.title), ["Soon"]);
});
