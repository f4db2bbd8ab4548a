/**
 * The export menu of a run row: a <details> cloned from #export-menu-template
 * (index.html), one item per format of GET /api/runs/{id}/export. An item
 * fetches the file and hands it to the browser's downloads; a refused export
 * (a run with no weights yet) is reported with the server's words.
 */

import { api } from "../api.js";
import { saveBlob } from "../dom.js";

export function exportMenu(run, report) {
  const menu = document.getElementById("export-menu-template").content.firstElementChild.cloneNode(true);
  menu.dataset.run = run.id;
  menu.querySelector("summary").setAttribute("aria-label", `Export run ${run.id}`);
  for (const item of menu.querySelectorAll("button[data-format]")) {
    item.setAttribute("aria-label", `Export run ${run.id} as ${item.firstChild.textContent.trim()}`);
    item.addEventListener("click", async () => {
      if (item.getAttribute("aria-busy") === "true") return;
      item.setAttribute("aria-busy", "true");
      try {
        const { blob, filename } = await api.exportRun(run.id, item.dataset.format);
        saveBlob(blob, filename);
        menu.open = false;
      } catch (err) {
        report(err);
      } finally {
        item.removeAttribute("aria-busy");
      }
    });
  }
  return menu;
}

/** One open menu at a time; a click elsewhere or Escape closes it. */
export function closeMenusOutside(root) {
  const openMenus = () => root.querySelectorAll("details.export-menu[open]");
  document.addEventListener("click", (e) => {
    for (const m of openMenus()) if (!m.contains(e.target)) m.open = false;
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    for (const m of openMenus()) {
      m.open = false;
      m.querySelector("summary").focus();
    }
  });
}
