/**
 * The layer builder: one card per layer with a type selector, a form generated
 * from the server's layer catalog, move/remove buttons, and the server's
 * verdict (output shape, parameters, conv formula, or the error at this layer).
 *
 * createBuilder(listEl, {onChange(layers)}) -> {render(layers, catalog, report, errors)}
 * The DOM is rebuilt only when the layers differ from what the form last sent,
 * so typing in a field never loses focus.
 */

import { el } from "./dom.js";
import { paramFields, coerceParam, moveItem } from "./spec.js";
import { fmtShape, fmtCount } from "./format.js";

// Shown inline; everything else goes under "more".
const MAIN = new Set(["units", "filters", "kernel_size", "stride", "padding", "pool_size", "rate", "alpha", "activation"]);

function fieldInput(field, value, id) {
  const common = { id, name: field.name, "data-param": field.name };
  if (field.kind === "choice") {
    const opts = [];
    if (!field.required) opts.push(el("option", { value: "", text: field.default === null ? "none" : `default (${field.default})` }));
    for (const c of field.choices) opts.push(el("option", { value: c, text: c, selected: value === c }));
    return el("select", common, opts);
  }
  if (field.kind === "bool") {
    return el("input", { ...common, type: "checkbox", checked: value === undefined ? Boolean(field.default) : Boolean(value) });
  }
  const num = field.kind === "int" || field.kind === "float";
  return el("input", {
    ...common,
    type: num ? "number" : "text",
    step: field.kind === "int" ? "1" : "any",
    min: field.min ?? undefined,
    max: field.max ?? undefined,
    value: value === undefined ? "" : String(value),
    placeholder: field.default === null || field.default === undefined ? (field.required ? "required" : "") : String(field.default),
    required: field.required,
    inputmode: num ? "decimal" : undefined,
  });
}

export function createBuilder(listEl, { onChange }) {
  let layers = [];
  let lastKey = "";
  let catalog = {};
  const emit = (next) => {
    layers = next;
    lastKey = JSON.stringify(next);
    onChange(next);
  };

  function card(layer, i) {
    const types = Object.keys(catalog);
    const typeSel = el(
      "select",
      {
        "aria-label": `Type of layer ${i}`,
        class: "type-select",
        onchange: (e) => {
          const next = layers.slice();
          next[i] = { type: e.target.value };
          for (const f of paramFields(catalog, e.target.value)) if (f.required && f.default !== null) next[i][f.name] = f.default;
          emit(next);
          build();
        },
      },
      (types.includes(layer.type) ? types : [layer.type, ...types]).map((t) => el("option", { value: t, text: t, selected: t === layer.type })),
    );
    const move = (to) => {
      emit(moveItem(layers, i, to));
      build();
      listEl.querySelectorAll(".layer")[to]?.querySelector(`[data-move="${to < i ? "up" : "down"}"]`)?.focus();
    };
    const head = el(
      "div",
      { class: "layer-head" },
      el("span", { class: "layer-index", text: String(i) }),
      typeSel,
      el("span", { class: "layer-info", "data-info": "" }),
      el(
        "span",
        { class: "layer-buttons" },
        el("button", { type: "button", class: "icon", "data-move": "up", "aria-label": `Move layer ${i} up`, disabled: i === 0, onclick: () => move(i - 1), text: "\u2191" }),
        el("button", { type: "button", class: "icon", "data-move": "down", "aria-label": `Move layer ${i} down`, disabled: i === layers.length - 1, onclick: () => move(i + 1), text: "\u2193" }),
        el("button", {
          type: "button",
          class: "icon danger",
          "aria-label": `Remove layer ${i}`,
          onclick: () => {
            emit(layers.filter((_, j) => j !== i));
            build();
          },
          text: "\u2715",
        }),
      ),
    );
    const fields = paramFields(catalog, layer.type);
    const main = [];
    const more = [];
    for (const f of fields) {
      const id = `l${i}-${f.name}`;
      const input = fieldInput(f, layer[f.name], id);
      const handler = (e) => {
        const t = e.target;
        const v = f.kind === "bool" ? t.checked : coerceParam(f.kind, t.value);
        const next = layers.slice();
        next[i] = { ...next[i] };
        if (v === undefined) delete next[i][f.name];
        else next[i][f.name] = v;
        emit(next);
      };
      input.addEventListener(f.kind === "choice" || f.kind === "bool" ? "change" : "input", handler);
      const label = el("label", { class: "field", for: id, title: f.description, "data-field": f.name }, el("span", { text: f.name.replace(/_/g, " ") }), input);
      (f.required || MAIN.has(f.name) ? main : more).push(label);
    }
    const body = el("div", { class: "layer-body" }, main);
    if (more.length) body.append(el("details", { class: "more" }, el("summary", { text: "more" }), el("div", { class: "layer-body" }, more)));
    return el("li", { class: "layer", "data-index": String(i), "data-type": layer.type }, head, fields.length ? body : null, el("div", { class: "layer-formula", "data-formula": "" }), el("div", { class: "layer-error", role: "alert", "data-error": "" }));
  }

  function build() {
    listEl.replaceChildren(...layers.map(card));
  }

  function annotate(report, errors) {
    const infos = new Map((report?.layers || []).map((l) => [l.index, l]));
    listEl.querySelectorAll(".layer").forEach((li) => {
      const i = Number(li.dataset.index);
      const info = infos.get(i);
      const errs = errors?.layers?.[i] || [];
      li.querySelector("[data-info]").textContent = info ? `\u2192 ${fmtShape(info.output_shape)} \u00b7 ${fmtCount(info.params)} params` : "";
      const formula = info?.detail?.formula;
      const pad = info?.detail?.pad;
      li.querySelector("[data-formula]").textContent = formula ? `output size: ${formula}${pad ? ` (padding ${pad[0]} before, ${pad[1]} after)` : ""}` : "";
      li.querySelector("[data-error]").textContent = errs.map((e) => e.message).join("; ");
      li.classList.toggle("has-error", errs.length > 0);
      li.querySelectorAll("[data-field]").forEach((f) => f.classList.toggle("bad", errs.some((e) => e.field === f.dataset.field)));
    });
  }

  return {
    render(nextLayers, nextCatalog, report, errors) {
      const key = JSON.stringify(nextLayers);
      if (key !== lastKey || nextCatalog !== catalog) {
        layers = nextLayers;
        catalog = nextCatalog;
        lastKey = key;
        build();
      }
      annotate(report, errors);
    },
  };
}
