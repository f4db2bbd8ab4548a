/**
 * Presenter mode on the main page (classroom mode only).
 *
 * Students: a bar that says "Following the teacher" and opens what the teacher
 * pins (a run, a tab, a Learn lab) as the class websocket announces it;
 * Unfollow / Follow again, remembered for the tab's lifetime.
 * The teacher: "Show the class" pins the open run or the current tab, and each
 * Learn lab gets its own "Show the class" button.
 * Everyone: the session's name in the top bar.
 */

import { api, followClass } from "../api.js";
import { el } from "../dom.js";
import { pinAction, pinText } from "../session.js";

const $ = (id) => document.getElementById(id);
const FOLLOW_KEY = "pg-follow";

function showLab(name) {
  const card = document.querySelector(`section.lab[aria-labelledby="${CSS.escape(name)}-title"]`);
  if (!card) return false;
  card.scrollIntoView({ block: "start", behavior: "smooth" });
  card.classList.add("pinned");
  setTimeout(() => card.classList.remove("pinned"), 2500);
  return true;
}

export function mountPresenter(ctx, boot) {
  const { store, report } = ctx;
  const session = boot.session || { role: "teacher", auth: "open" };
  $("who").textContent = session.auth === "tokens" ? `${session.role === "teacher" ? "Teacher" : session.name}` : "";
  $("who").hidden = session.auth !== "tokens";
  if (session.auth !== "tokens") return;
  const tabs = boot.tabs || [];

  if (session.role === "teacher") {
    mountTeacher(ctx);
    return;
  }

  const bar = $("follow-bar");
  const text = $("follow-text");
  const button = $("follow-toggle");
  let following = sessionStorage.getItem(FOLLOW_KEY) !== "0";
  let pin = null;
  let applied = 0; // the pin version last opened, so a reconnect does not reopen it

  const apply = async (version) => {
    const action = following && pinAction(pin, tabs);
    if (!action || version === applied) return;
    applied = version;
    if (action.run) await ctx.openRun(action.run, { tab: action.tab });
    else store.setState({ tab: action.tab });
    if (action.lab) requestAnimationFrame(() => showLab(action.lab));
  };
  const render = () => {
    bar.hidden = false;
    bar.classList.toggle("off", !following);
    text.textContent = following ? pinText(pin) : "Not following the teacher.";
    button.textContent = following ? "Unfollow" : "Follow the teacher";
  };
  button.addEventListener("click", () => {
    following = !following;
    sessionStorage.setItem(FOLLOW_KEY, following ? "1" : "0");
    applied = 0;
    render();
    apply(-1).catch(report);
  });
  followClass((msg) => {
    if (msg.type === "error") report(new Error(`Class stream: ${msg.message}`));
    if (msg.type !== "pin") return;
    pin = msg.pin;
    render();
    apply(msg.version).catch(report);
  });
  render();
}

function mountTeacher(ctx) {
  const { store, report } = ctx;
  const present = $("btn-present");
  present.hidden = false;
  present.addEventListener("click", async () => {
    const s = store.get();
    const onRun = s.run && ["train", "filters", "eval"].includes(s.tab);
    try {
      await (onRun ? api.setPin("run", s.run.id) : api.setPin("tab", s.tab));
      store.setState({ banner: { text: onRun ? `The class now follows run ${s.run.id}.` : `The class now sees the ${s.tab} tab.`, kind: "info" } });
    } catch (err) {
      report(err);
    }
  });
  for (const card of document.querySelectorAll("section.lab[aria-labelledby]")) {
    const name = card.getAttribute("aria-labelledby").replace(/-title$/, "");
    const button = el("button", { type: "button", class: "pin-lab", text: "Show the class" });
    button.addEventListener("click", () =>
      api.setPin("lab", name).then(() => store.setState({ banner: { text: "The class now sees this lab.", kind: "info" } })).catch(report),
    );
    card.prepend(button);
  }
}
