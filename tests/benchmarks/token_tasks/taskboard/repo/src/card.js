// A card: a title, labels, an owner and an optional due date.

import { nextId } from "./ids.js";
import { parseDay, formatDay } from "./dates.js";

const MAX_TITLE = 200;

export class Card {
  constructor({ title, labels = [], owner = null, due = null, points = 0 }) {
    const clean = String(title ?? "").trim();
    if (!clean) {
      throw new Error("a card needs a title");
    }
    if (clean.length > MAX_TITLE) {
      throw new Error(`a title has at most ${MAX_TITLE} characters`);
    }
    this.id = nextId();
    this.title = clean;
    this.labels = [...new Set(labels.map((l) => l.toLowerCase()))].sort();
    this.owner = owner;
    this.due = due === null ? null : parseDay(due);
    this.points = points;
    this.history = [];
  }

  hasLabel(label) {
    return this.labels.includes(label.toLowerCase());
  }

  addLabel(label) {
    if (!this.hasLabel(label)) {
      this.labels = [...this.labels, label.toLowerCase()].sort();
    }
  }

  isOverdue(today) {
    return this.due !== null && this.due < parseDay(today);
  }

  record(event) {
    this.history.push({ ...event, at: event.at ?? new Date().toISOString() });
  }

  toJSON() {
    return {
      id: this.id,
      title: this.title,
      labels: this.labels,
      owner: this.owner,
      due: this.due === null ? null : formatDay(this.due),
      points: this.points,
    };
  }
}
