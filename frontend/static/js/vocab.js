/**
 * The vocabularies the server defines once (api/vocabularies.py: activations,
 * paddings, layer types, initializers, optimizers, schedules, run statuses),
 * as the page's bootstrap data delivers them. No module spells one of these
 * lists out; they ask here (tests/api/test_vocabularies.py scans for copies).
 * main.js and classPage.js call setVocabularies() before mounting any view.
 */

let current = null;

export function setVocabularies(vocab) {
  current = vocab;
}

/** The vocabularies; a page that did not load them is a bug worth a loud error. */
export function vocabularies() {
  if (!current) throw new Error("vocabularies not loaded: setVocabularies(boot.vocabularies) first");
  return current;
}

/** queued, running or paused: a worker may still change the run. */
export const isActive = (status) => vocabularies().run_statuses.active.includes(status);
/** The run has ended (an interrupted run can still be resumed). */
export const isTerminal = (status) => vocabularies().run_statuses.terminal.includes(status);
/** Layer types with learned weights (dense, conv2d today). */
export const isWeighted = (type) => vocabularies().weighted_types.includes(type);

// What a select shows for a name, where it is not the name itself.
const LABELS = { relu: "ReLU", leaky_relu: "leaky ReLU" };

/**
 * Each option list a select holds: `name` is the vocabulary (optimizers give
 * {name, label}), the select's data-labels (JSON) may name some options.
 */
export function vocabOptions(vocab, name, labels = {}) {
  return (vocab[name] || []).map((entry) => {
    const value = typeof entry === "string" ? entry : entry.name;
    const text = labels[value] || (typeof entry === "string" ? LABELS[value] || value : entry.label || value);
    return { value, text };
  });
}

/**
 * Fills every <select data-vocab="..."> under `root` from the vocabularies.
 * Options already in the select stay: those marked data-first before the
 * vocabulary's, the others after it (the conv lab's p = 1, 2, 3).
 */
export function fillSelects(root, vocab) {
  for (const select of root.querySelectorAll("select[data-vocab]")) {
    const labels = select.dataset.labels ? JSON.parse(select.dataset.labels) : {};
    const first = [...select.options].filter((o) => "first" in o.dataset);
    const rest = [...select.options].filter((o) => !("first" in o.dataset));
    const made = vocabOptions(vocab, select.dataset.vocab, labels).map(({ value, text }) => new Option(text, value));
    select.replaceChildren(...first, ...made, ...rest);
    // Moved options keep whatever selectedness they had: start from the first one
    // (views then set the value the state holds).
    const marked = [...select.options].findIndex((o) => o.defaultSelected);
    select.selectedIndex = marked >= 0 ? marked : 0;
  }
}
