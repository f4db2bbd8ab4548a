/**
 * A lab's requests: the latest input wins (a slider sends many; older answers
 * are aborted), errors go to the page banner, 422 messages to the lab itself.
 */

import { api } from "../../api.js";
import { debounce } from "../../dom.js";

export function labCaller(name, { onResult, onError, report, wait = 60 }) {
  let controller = null;
  const send = async (body) => {
    controller?.abort();
    controller = new AbortController();
    const mine = controller;
    try {
      const result = await api.lab(name, body, mine.signal);
      if (mine === controller) onResult(result);
    } catch (err) {
      if (err.name === "AbortError") return;
      if (err.status === 422 && onError) onError(err.message, err.body?.detail);
      else report(err);
    }
  };
  const debounced = debounce(send, wait);
  return { now: send, soon: debounced };
}

/** The <output> next to a range input shows its value, formatted. */
export function bindOutput(input, output, format = (v) => v) {
  const show = () => {
    output.textContent = format(input.value);
  };
  input.addEventListener("input", show);
  show();
}
