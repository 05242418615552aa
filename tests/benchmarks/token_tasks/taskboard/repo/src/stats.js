// Numbers about a board: cards and points per column, cycle times from card history.

export function perColumn(board) {
  return board.columns.map((c) => ({ column: c.name, cards: c.size, points: c.points() }));
}

export function cycleTime(card, startColumn, endColumn) {
  // Milliseconds from the first move into startColumn to the last move into endColumn.
  const moves = card.history.filter((e) => e.type === "moved");
  const start = moves.find((e) => e.to === startColumn);
  const end = [...moves].reverse().find((e) => e.to === endColumn);
  if (!start || !end) {
    return null;
  }
  return Date.parse(end.at) - Date.parse(start.at);
}

export function throughput(board, doneColumn, since) {
  const from = Date.parse(since);
  return board
    .column(doneColumn)
    .cards.filter((c) => c.history.some((e) => e.type === "moved" && e.to === doneColumn
      && Date.parse(e.at) >= from)).length;
}
