// The board as text: one block per column, a header line and one line per card.

import { formatDay } from "./dates.js";

const WIDTH = 32;

function clip(text, width) {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

export function renderCard(card) {
  const labels = card.labels.length ? ` [${card.labels.join(", ")}]` : "";
  const owner = card.owner ? ` @${card.owner}` : "";
  const due = card.due === null ? "" : ` due ${formatDay(card.due)}`;
  return `${card.title}${labels}${owner}${due}`;
}

export function columnHeader(column) {
  return `${column.name} (${column.size})`;
}

export function renderColumn(column, width = WIDTH) {
  const lines = [clip(columnHeader(column), width), "-".repeat(width)];
  for (const card of column.cards) {
    lines.push(clip(`- ${renderCard(card)}`, width));
  }
  if (!column.cards.length) {
    lines.push(clip("(empty)", width));
  }
  return lines;
}

export function renderBoard(board, width = WIDTH) {
  const blocks = board.columns.map((c) => renderColumn(c, width));
  const height = Math.max(...blocks.map((b) => b.length));
  const rows = [];
  for (let i = 0; i < height; i += 1) {
    rows.push(blocks.map((b) => b[i] ?? " ".repeat(width)).join(" | ").trimEnd());
  }
  return rows.join("\n");
}
