export type { ProblemDetails } from './core/problem.js';
export { INCIDENT_HEADER, PROBLEM_JSON } from './core/problem.js';
