/**
 * Who the page acts for (classroom mode) and what that allows: pure functions,
 * tested under node. The session comes from the bootstrap data
 * ({id, name, role, auth}); runs, uploads and models carry `owner`.
 */

/** May this session change the thing (pause, stop, delete, export)? */
export function mayChange(session, thing) {
  if (!thing) return false;
  if (!session || session.role === "teacher") return true;
  return (thing.owner || "local") === session.id;
}

/** "Ann's run" for a status line when the open run is someone else's, else "". */
export function watchingNote(session, run) {
  if (!run || mayChange(session, run)) return "";
  return `watching ${run.owner_name || "a classmate"}'s run (only they or the teacher can change it)`;
}

/**
 * What a pin asks the page to do: {tab, run?, lab?} or null for nothing.
 * Unknown tabs give null (an older page than the server's).
 */
export function pinAction(pin, tabs) {
  if (!pin) return null;
  if (pin.kind === "run") return { tab: "train", run: pin.target };
  if (pin.kind === "tab") return tabs.includes(pin.target) ? { tab: pin.target } : null;
  if (pin.kind === "lab") return { tab: "learn", lab: pin.target };
  return null;
}

/** The words for a pin, for the follow bar. */
export function pinText(pin) {
  if (!pin) return "The teacher is not presenting anything right now.";
  if (pin.kind === "run") return `Following the teacher: run ${pin.target}`;
  if (pin.kind === "tab") return `Following the teacher: the ${pin.target} tab`;
  return `Following the teacher: the ${pin.target} lab`;
}
