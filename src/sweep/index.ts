export * from './config.ts';
export * from './grid.ts';
export * from './pareto.ts';
export * from './progress.ts';
export { runIdFor } from './run-id.ts';
export * from './orchestration.ts';
