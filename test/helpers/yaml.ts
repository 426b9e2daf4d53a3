/** Hostile YAML for the tests of every YAML reader. */

/** the classic "billion laughs": nine levels of nine aliases each, 10^9 strings once expanded */
export const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((x, k) => `${x}: &${x} [${Array(9).fill(`*${'abcdefghi'[k]}`).join(',')}]`),
  '',
].join('\n');
