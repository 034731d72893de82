/** The sink interface and what it is handed (declared with the runtime's other types, events.ts). */
export type { ProcessInfo, RuntimeReport, Sink } from "../events.js";
