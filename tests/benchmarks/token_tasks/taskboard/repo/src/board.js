// The board: named columns in order, and the cards in them. Every change is recorded on the
// card's history so the activity view can replay it.

import { Card } from "./card.js";
import { Column } from "./column.js";

export class BoardError extends Error {}

export class Board {
  constructor(columnNames = ["Todo", "Doing", "Done"]) {
    this.columns = [];
    for (const name of columnNames) {
      this.addColumn(name);
    }
  }

  addColumn(name) {
    if (this.columns.some((c) => c.name.toLowerCase() === String(name).toLowerCase())) {
      throw new BoardError(`column ${name} exists already`);
    }
    const column = new Column(name);
    this.columns.push(column);
    return column;
  }

  column(name) {
    const found = this.columns.find((c) => c.name.toLowerCase() === String(name).toLowerCase());
    if (!found) {
      throw new BoardError(`no column named ${name}`);
    }
    return found;
  }

  renameColumn(oldName, newName) {
    const column = this.column(oldName);
    if (this.columns.some((c) => c !== column && c.name.toLowerCase() === newName.toLowerCase())) {
      throw new BoardError(`column ${newName} exists already`);
    }
    column.name = newName;
  }

  addCard(columnName, fields, position) {
    const column = this.column(columnName);
    const card = new Card(fields);
    column.insert(card, position);
    card.record({ type: "created", column: column.name });
    return card;
  }

  find(cardId) {
    for (const column of this.columns) {
      const at = column.indexOf(cardId);
      if (at !== -1) {
        return { column, card: column.cards[at], position: at };
      }
    }
    throw new BoardError(`no card ${cardId}`);
  }

  moveCard(cardId, toName, position) {
    const { column: from, card } = this.find(cardId);
    const to = this.column(toName);
    from.remove(cardId);
    const at = to.insert(card, position);
    card.record({ type: "moved", from: from.name, to: to.name, position: at });
    return card;
  }

  removeCard(cardId) {
    const { column, card } = this.find(cardId);
    column.remove(cardId);
    card.record({ type: "removed", column: column.name });
    return card;
  }

  cards() {
    return this.columns.flatMap((c) => c.cards);
  }

  toJSON() {
    return {
      columns: this.columns.map((c) => ({ name: c.name, cards: c.cards.map((k) => k.toJSON()) })),
    };
  }
}
