export { Board, BoardError } from "./board.js";
export { Card } from "./card.js";
export { Column } from "./column.js";
export * as filters from "./filters.js";
export { renderBoard, renderColumn, renderCard } from "./render.js";
export { saveBoard, loadBoard, toData, fromData } from "./storage.js";
export { perColumn, cycleTime, throughput } from "./stats.js";
