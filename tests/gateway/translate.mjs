// The simulator's translator: word for word over a small lexicon, so the same
// input always gives the same output and a test can predict it. Words the
// lexicon lacks, spacing and punctuation pass through unchanged;
// capitalisation follows the source word. The source language, when not
// given, is the lexicon language with the most words in the text ("en" when
// none matches).

/** ISO 639-1 codes (the gateway accepts any of them as `to` or `from`). */
export const LANGUAGE_CODES = new Set(
  ("aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo " +
    "es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka " +
    "kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng " +
    "nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su " +
    "sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu").split(" "),
);

const LEXICON_LANGUAGES = ["en", "es", "fr", "de"];

// One row per meaning, in LEXICON_LANGUAGES order.
const LEXICON = [
  ["hello", "hola", "bonjour", "hallo"],
  ["world", "mundo", "monde", "welt"],
  ["good", "bueno", "bon", "gut"],
  ["morning", "mañana", "matin", "morgen"],
  ["thanks", "gracias", "merci", "danke"],
  ["friend", "amigo", "ami", "freund"],
  ["cat", "gato", "chat", "katze"],
  ["dog", "perro", "chien", "hund"],
  ["house", "casa", "maison", "haus"],
  ["water", "agua", "eau", "wasser"],
  ["book", "libro", "livre", "buch"],
  ["yes", "sí", "oui", "ja"],
  ["no", "no", "non", "nein"],
  ["please", "por favor", "s'il vous plaît", "bitte"],
  ["welcome", "bienvenido", "bienvenue", "willkommen"],
  ["community", "comunidad", "communauté", "gemeinschaft"],
  ["event", "evento", "événement", "veranstaltung"],
  ["today", "hoy", "aujourd'hui", "heute"],
];

/** language → (lower-cased word → row index). */
const INDEX = new Map(LEXICON_LANGUAGES.map((lang, col) => [lang, new Map(LEXICON.map((row, i) => [row[col], i]))]));

const WORD = /\p{L}+/gu;

/** Whitespace-separated words: what the translation quota counts. */
export function countWords(text) {
  return text.split(/\s+/).filter(Boolean).length;
}

export function detectLanguage(text) {
  const words = (text.match(WORD) ?? []).map((w) => w.toLowerCase());
  let best = "en";
  let bestHits = 0;
  for (const lang of LEXICON_LANGUAGES) {
    const hits = words.filter((w) => INDEX.get(lang).has(w)).length;
    if (hits > bestHits) [best, bestHits] = [lang, hits];
  }
  return best;
}

function matchCase(source, word) {
  if (source === source.toUpperCase() && source.length > 1) return word.toUpperCase();
  if (source[0] === source[0].toUpperCase()) return word[0].toUpperCase() + word.slice(1);
  return word;
}

/** `{text, from}`: `text` in language `to`, from `from` (detected when absent). */
export function translate(text, to, from = detectLanguage(text)) {
  const source = INDEX.get(from);
  const target = LEXICON_LANGUAGES.indexOf(to);
  if (from === to || !source || target < 0) return { text, from };
  const out = text.replace(WORD, (w) => {
    const row = source.get(w.toLowerCase());
    return row === undefined ? w : matchCase(w, LEXICON[row][target]);
  });
  return { text: out, from };
}
