// The server's vocabularies for node tests: vocabularies.json is what
// api/vocabularies.py serves (tests/api/test_vocabularies.py keeps them equal).
import { readFileSync } from "node:fs";
import { setVocabularies } from "../../frontend/static/js/vocab.js";

export const VOCAB = JSON.parse(readFileSync(new URL("./vocabularies.json", import.meta.url), "utf8"));
setVocabularies(VOCAB);
