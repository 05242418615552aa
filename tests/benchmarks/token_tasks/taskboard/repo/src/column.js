// A column: a name and its cards, in order.

export class Column {
  constructor(name) {
    const clean = String(name ?? "").trim();
    if (!clean) {
      throw new Error("a column needs a name");
    }
    this.name = clean;
    this.cards = [];
  }

  get size() {
    return this.cards.length;
  }

  indexOf(cardId) {
    return this.cards.findIndex((c) => c.id === cardId);
  }

  insert(card, position = this.cards.length) {
    const at = Math.max(0, Math.min(position, this.cards.length));
    this.cards.splice(at, 0, card);
    return at;
  }

  remove(cardId) {
    const at = this.indexOf(cardId);
    if (at === -1) {
      return null;
    }
    return this.cards.splice(at, 1)[0];
  }

  points() {
    return this.cards.reduce((sum, c) => sum + c.points, 0);
  }
}
