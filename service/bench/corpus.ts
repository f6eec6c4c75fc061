/**
 * A deterministic corpus: a Zipf-distributed vocabulary (its most frequent words are English stop
 * words, as in real text), documents drawn from it, and queries drawn from the same distribution
 * restricted to content words (a query of stop words only matches nothing).
 */

/** mulberry32: a small, fast, seedable PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STOP_WORDS = (
  "the of and to a in is it you that he was for on are with as his they be at one have this " +
  "from or had by not but what some we can out other were all there when up use your how said " +
  "an each she which do their if will way about many then them would so these her him has " +
  "more could no than been who its now my over did down only into just"
).split(" ");

const CONSONANTS = "bcdfghjklmnprstvz";
const VOWELS = "aeiou";

export class Vocabulary {
  readonly words: string[];
  private readonly cumulative: Float64Array;
  /** Index of the first content (non-stop) word. */
  readonly firstContentWord = STOP_WORDS.length;

  constructor(size: number, exponent: number, seed: number) {
    const rand = random(seed);
    const seen = new Set<string>(STOP_WORDS);
    this.words = [...STOP_WORDS];
    while (this.words.length < size) {
      let w = "";
      const syllables = 2 + Math.floor(rand() * 3);
      for (let i = 0; i < syllables; i++) {
        w += CONSONANTS[Math.floor(rand() * CONSONANTS.length)];
        w += VOWELS[Math.floor(rand() * VOWELS.length)];
      }
      if (!seen.has(w)) {
        seen.add(w);
        this.words.push(w);
      }
    }
    this.cumulative = new Float64Array(size);
    let sum = 0;
    for (let r = 0; r < size; r++) {
      sum += 1 / Math.pow(r + 1, exponent);
      this.cumulative[r] = sum;
    }
    for (let r = 0; r < size; r++) this.cumulative[r] /= sum;
  }

  /** A word index drawn from the Zipf distribution, at or after `from`. */
  draw(rand: () => number, from = 0): number {
    const low = from === 0 ? 0 : this.cumulative[from - 1];
    const u = low + rand() * (1 - low);
    let lo = from;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  text(rand: () => number, words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(this.words[this.draw(rand)]);
    return out.join(" ");
  }

  /** 1 or 2 content words (70% / 30%), Zipf-distributed among content words. */
  query(rand: () => number): string {
    const n = rand() < 0.7 ? 1 : 2;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.words[this.draw(rand, this.firstContentWord)]);
    return out.join(" ");
  }
}
