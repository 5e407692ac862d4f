// The simulator's content moderation: deterministic over a small word list
// per category (the categories of the moderation models the gateway fronts).
// Each listed word (or word stem) found in the text raises its category's
// score; a category is flagged from a score of 0.5, the text when any is.

const CATEGORY_WORDS = {
  harassment: ["idiot", "stupid", "loser", "moron"],
  "harassment/threatening": ["hunt you down", "you will regret"],
  hate: ["subhuman", "vermin"],
  "hate/threatening": ["exterminate them"],
  "self-harm": ["self-harm", "hurt myself"],
  "self-harm/intent": ["want to die", "end my life"],
  "self-harm/instructions": ["how to cut myself"],
  sexual: ["explicit", "porn", "nsfw"],
  "sexual/minors": ["underage"],
  violence: ["kill", "murder", "stab", "shoot"],
  "violence/graphic": ["gore", "dismember", "bloodbath"],
};

export const CATEGORIES = Object.keys(CATEGORY_WORDS);

/** Floor score of a category with no match, as a real classifier never says 0. */
const BASELINE = 0.0001;

/** A listed phrase counts where it starts a word ("kill" in "killing", not in "skill"). */
function hits(lower, phrase) {
  let n = 0;
  for (let at = lower.indexOf(phrase); at !== -1; at = lower.indexOf(phrase, at + phrase.length)) {
    if (at === 0 || !/\p{L}/u.test(lower[at - 1])) n++;
  }
  return n;
}

/** The score after `n` hits: 0.7, 0.91, 0.973, … rounded to 4 places. */
function score(n) {
  return n === 0 ? BASELINE : Math.round((1 - 0.3 ** n) * 10_000) / 10_000;
}

export function moderate(text) {
  const lower = text.toLowerCase();
  const categories = {};
  const categoryScores = {};
  for (const [category, phrases] of Object.entries(CATEGORY_WORDS)) {
    const s = score(phrases.reduce((sum, p) => sum + hits(lower, p), 0));
    categoryScores[category] = s;
    categories[category] = s >= 0.5;
  }
  return { flagged: Object.values(categories).some(Boolean), categories, category_scores: categoryScores };
}
