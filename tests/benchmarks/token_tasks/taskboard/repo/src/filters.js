// Filters over a board's cards. Each filter is a predicate; `matchAll` combines them.

import { parseDay, addDays } from "./dates.js";

export const byLabel = (label) => (card) => card.hasLabel(label);

export const byOwner = (owner) => (card) => card.owner === owner;

export const unassigned = () => (card) => card.owner === null;

export function dueWithin(days, today) {
  const start = parseDay(today);
  const end = addDays(start, days);
  return (card) => card.due !== null && card.due >= start && card.due <= end;
}

export const overdue = (today) => (card) => card.isOverdue(today);

export function matchAll(...predicates) {
  return (card) => predicates.every((p) => p(card));
}

export function matchAny(...predicates) {
  return (card) => predicates.some((p) => p(card));
}

export function select(board, predicate) {
  return board.columns.flatMap((column) =>
    column.cards.filter(predicate).map((card) => ({ column: column.name, card })),
  );
}

export function parseQuery(text) {
  // "label:docs owner:ana" -> a predicate; unknown keys are an error, not ignored.
  const parts = String(text).trim().split(/\s+/).filter(Boolean);
  const predicates = parts.map((part) => {
    const [key, value] = part.split(":", 2);
    if (key === "label" && value) return byLabel(value);
    if (key === "owner" && value) return byOwner(value);
    if (key === "is" && value === "unassigned") return unassigned();
    throw new Error(`unknown filter: ${part}`);
  });
  return matchAll(...predicates);
}
