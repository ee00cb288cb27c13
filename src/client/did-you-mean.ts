/**
 * "did you mean" for option keys, in the same words as the server's configuration errors
 * (src/core/options.ts; duplicated because faultline/client shares only problem types with core).
 */

/** ` (did you mean "x"?)` for the closest known key within 3 edits, else ''. */
export function didYouMean(key: string, known: Iterable<string>): string {
  let best = '';
  let score = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < score) [best, score] = [candidate, d];
  }
  return score <= 3 ? ` (did you mean "${best}"?)` : '';
}

/** Levenshtein distance, one row. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}
