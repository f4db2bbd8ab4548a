/**
 * The page's one state object.
 *
 * Controls call setState(patch); views subscribe and redraw what changed.
 * A patch is shallow-merged, so nested objects (config, history) are replaced
 * whole: that keeps "did it change?" a cheap identity test for subscribers.
 */

export function createStore(initial) {
  let state = { ...initial };
  const listeners = new Set();
  // A listener may call setState; its change is delivered after the current
  // round, so every listener sees the changes in the order they happened.
  const queue = [];
  let notifying = false;
  return {
    get: () => state,
    setState(patch) {
      const prev = state;
      const delta = typeof patch === "function" ? patch(state) : patch;
      if (!delta) return;
      state = { ...state, ...delta };
      queue.push([state, prev]);
      if (notifying) return;
      notifying = true;
      try {
        while (queue.length) {
          const [next, before] = queue.shift();
          for (const fn of listeners) fn(next, before);
        }
      } finally {
        notifying = false;
      }
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** True when any of `keys` holds a different object in `state` than in `prev`. */
export function changed(state, prev, ...keys) {
  return keys.some((k) => state[k] !== prev[k]);
}

/** A shallow merge into state.config, the part of the state that goes in the URL. */
export function configPatch(state, patch) {
  return { config: { ...state.config, ...patch } };
}
