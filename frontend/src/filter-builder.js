// The filter builder of the list pages: conditions in AND/OR groups, each with a field, a
// type-aware operator and value inputs, written into the form's hidden `filter` input as the
// JSON tree of core/filters (docs/filters.md) whenever the form is submitted. Plain form
// controls, each labelled, so the builder works with the keyboard and screen readers.

const NO_VALUE = new Set(["is_empty", "is_not_empty", "is_true", "is_false"]);
const MANY = new Set(["in", "not_in", "has_any", "has_all", "has_none"]);
let uid = 0;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function labelled(control, text) {
  const id = `fb-${++uid}`;
  control.id = id;
  return [el("label", { for: id, class: "visually-hidden", text }), control];
}

class FilterBuilder {
  constructor(root) {
    this.root = root;
    this.form = root.closest("form");
    this.input = this.form.querySelector("[data-filter-input]");
    this.fields = JSON.parse(document.getElementById(root.dataset.catalogue).textContent);
    this.byName = Object.fromEntries(this.fields.map((f) => [f.name, f]));
    this.t = JSON.parse(document.getElementById(root.dataset.labels).textContent);
    this.kept = [];
    this.render(this.parse(this.input.value));
    // Capture phase: the hidden input is filled before htmx or the browser reads the form.
    document.addEventListener("submit", (event) => {
      if (event.target === this.form) this.write();
    }, true);
    this.form.addEventListener("htmx:configRequest", (event) => {
      this.write();
      if (event.detail.elt === this.form) event.detail.parameters.filter = this.input.value;
    });
  }

  // An association leaf over one condition shows as a row on "association.field".
  flat(node) {
    if (node.association && node.where?.property && this.byName[`${node.association}.${node.where.property}`]) {
      return { ...node.where, property: `${node.association}.${node.where.property}` };
    }
    return node;
  }

  parse(text) {
    let tree = {};
    try { tree = text ? JSON.parse(text) : {}; } catch { tree = {}; }
    const flatten = (list) => (list || []).map((child) => this.flat(child));
    for (const key of ["all", "any"]) if (tree[key]) tree[key] = flatten(tree[key]).map((child) => {
      for (const inner of ["all", "any"]) if (child[inner]) return { [inner]: flatten(child[inner]) };
      return child;
    });
    const match = "any" in tree ? "any" : "all";
    const children = tree[match] || (tree.property ? [tree] : []);
    const groups = [];
    const loose = [];
    for (const child of children) {
      if (child.property) loose.push(child);
      else if (child.all || child.any) {
        const op = child.any ? "any" : "all";
        if (child[op].every((leaf) => leaf.property)) groups.push({ match: op, leaves: child[op] });
        else this.kept.push(child);
      } else this.kept.push(child);
    }
    if (!Object.keys(tree).length || !children.length) return { match: "all", groups: [] };
    if (loose.length) groups.unshift({ match, leaves: loose, top: true });
    return { match: groups.length > 1 && loose.length ? "all" : match, groups };
  }

  render(state) {
    this.root.replaceChildren();
    const matchSelect = this.matchSelect(state.match);
    matchSelect.dataset.rootMatch = "";
    this.root.append(el("div", { class: "filter-match" }, [
      el("span", { text: this.t.match }), ...labelled(matchSelect, this.t.match),
      el("span", { text: this.t.of })]));
    this.groupsBox = el("div", { class: "filter-groups" });
    this.root.append(this.groupsBox);
    for (const group of state.groups) this.addGroup(group);
    if (this.kept.length) this.root.append(el("p", { class: "filter-kept", text: this.t.kept }));
    const addGroup = el("button", { type: "button", class: "btn btn-secondary btn-sm", text: this.t.addGroup });
    addGroup.addEventListener("click", () => this.addGroup({ match: "all", leaves: [{}] }, true));
    this.root.append(el("div", { class: "button-row" }, [addGroup]));
  }

  matchSelect(value) {
    const select = el("select");
    for (const op of ["all", "any"]) {
      const option = el("option", { value: op, text: this.t[op] });
      option.selected = op === value;
      select.append(option);
    }
    return select;
  }

  addGroup(group, focus = false) {
    const box = el("fieldset", { class: "filter-group" });
    const select = this.matchSelect(group.match);
    select.dataset.groupMatch = "";
    const remove = el("button", { type: "button", class: "btn btn-link btn-sm", text: this.t.removeGroup });
    remove.addEventListener("click", () => {
      box.remove();
      this.root.querySelector("[data-root-match]").focus();
    });
    box.append(el("legend", {}, [el("span", { text: this.t.match + " " }), ...labelled(select, this.t.match),
      el("span", { text: " " + this.t.of })]));
    const rows = el("div", { class: "filter-rows" });
    box.append(rows);
    const add = el("button", { type: "button", class: "btn btn-secondary btn-sm", text: this.t.addCondition });
    add.addEventListener("click", () => this.addRow(rows, {}, true));
    box.append(el("div", { class: "button-row" }, [add, remove]));
    this.groupsBox.append(box);
    for (const leaf of group.leaves.length ? group.leaves : [{}]) this.addRow(rows, leaf, focus);
  }

  addRow(rows, leaf, focus = false) {
    const row = el("div", { class: "filter-row" });
    const field = el("select", { "data-field": "" });
    for (const f of this.fields) {
      const option = el("option", { value: f.name, text: f.label });
      option.selected = f.name === leaf.property;
      field.append(option);
    }
    const op = el("select", { "data-op": "" });
    const value = el("span", { class: "filter-value" });
    const remove = el("button", { type: "button", class: "btn btn-link btn-sm", "aria-label": this.t.remove, text: "×" });
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      (next?.querySelector("select") || rows.closest("fieldset").querySelector("button")).focus();
    });
    row.append(...labelled(field, this.t.field), ...labelled(op, this.t.operator), value, remove);
    rows.append(row);
    const refreshOps = (keep) => {
      const spec = this.byName[field.value];
      op.replaceChildren(...spec.operators.map(([name, label]) => {
        const option = el("option", { value: name, text: label });
        option.selected = name === keep;
        return option;
      }));
      this.renderValue(value, spec, op.value, leaf.property === spec.name ? leaf.value : undefined);
    };
    field.addEventListener("change", () => refreshOps());
    op.addEventListener("change", () => this.renderValue(value, this.byName[field.value], op.value));
    refreshOps(leaf.op);
    if (focus) field.focus();
  }

  renderValue(box, spec, op, current) {
    box.replaceChildren();
    if (NO_VALUE.has(op)) return;
    if (op === "between") {
      const [low, high] = Array.isArray(current) ? current : [];
      box.append(...labelled(this.scalar(spec, low), this.t.from), ...labelled(this.scalar(spec, high), this.t.to));
      return;
    }
    if (op === "within_last_days") {
      box.append(...labelled(el("input", { type: "number", min: "0", step: "1", value: current ?? 30, "data-value": "" }), this.t.value));
      return;
    }
    if (MANY.has(op) && spec.options.length) {
      const select = el("select", { multiple: "", "data-value": "", size: Math.min(4, spec.options.length) });
      const chosen = new Set((current || []).map(String));
      for (const [value, label] of spec.options) {
        const option = el("option", { value, text: label });
        option.selected = chosen.has(value);
        select.append(option);
      }
      box.append(...labelled(select, this.t.value));
      return;
    }
    const input = this.scalar(spec, MANY.has(op) && Array.isArray(current) ? current.join(", ") : current);
    if (MANY.has(op)) input.dataset.list = "";
    box.append(...labelled(input, this.t.value));
  }

  scalar(spec, current) {
    if (spec.options.length) {
      const select = el("select", { "data-value": "" });
      select.append(el("option", { value: "", text: this.t.pick }));
      for (const [value, label] of spec.options) {
        const option = el("option", { value, text: label });
        option.selected = String(current) === value;
        select.append(option);
      }
      return select;
    }
    const type = { number: "number", date: "date" }[spec.family] || "text";
    const input = el("input", { type, "data-value": "", value: current ?? "" });
    if (type === "number") input.step = "any";
    return input;
  }

  readValue(row, spec, op) {
    if (NO_VALUE.has(op)) return undefined;
    const inputs = [...row.querySelectorAll("[data-value]")];
    const cast = (text) => (spec.family === "number" || op === "within_last_days") && text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text;
    if (op === "between") return inputs.map((input) => cast(input.value));
    const input = inputs[0];
    if (input.multiple) return [...input.selectedOptions].map((o) => cast(o.value));
    if ("list" in input.dataset) return input.value.split(",").map((v) => cast(v.trim())).filter((v) => v !== "");
    if (spec.family === "user" && input.value === "me") return "me";
    if ((spec.family === "user" || spec.family === "reference") && input.value !== "") return Number(input.value);
    return cast(input.value);
  }

  tree() {
    const groups = [];
    for (const box of this.groupsBox.querySelectorAll(".filter-group")) {
      const leaves = [];
      for (const row of box.querySelectorAll(".filter-row")) {
        const spec = this.byName[row.querySelector("[data-field]").value];
        const op = row.querySelector("[data-op]").value;
        const [association, property] = spec.name.includes(".") ? spec.name.split(".") : [null, spec.name];
        const leaf = { property, op };
        const value = this.readValue(row, spec, op);
        if (value !== undefined) leaf.value = value;
        leaves.push(association ? { association, where: leaf } : leaf);
      }
      if (leaves.length) groups.push({ [box.querySelector("[data-group-match]").value]: leaves });
    }
    const all = [...groups, ...this.kept];
    if (!all.length) return null;
    return { [this.root.querySelector("[data-root-match]").value]: all };
  }

  write() {
    const tree = this.tree();
    this.input.value = tree ? JSON.stringify(tree) : "";
    const columns = [...this.form.querySelectorAll("input[name=column]:checked")].map((c) => c.value).join(",");
    for (const copy of document.querySelectorAll("[data-filter-copy]")) copy.value = this.input.value;
    for (const copy of document.querySelectorAll("[data-columns-copy]")) copy.value = columns;
    const sort = this.form.querySelector("[name=sort]");
    for (const copy of document.querySelectorAll("[data-sort-copy]")) copy.value = sort ? sort.value : "";
  }
}

// Bulk selection: "select the page" ticks every row; "all N matching" stands for the whole
// filter result, so the row boxes are cleared to make clear they no longer matter.
document.addEventListener("change", (event) => {
  const target = event.target;
  const form = target.closest?.("[data-bulk-form]");
  if (!form) return;
  if (target.matches("[data-select-page]")) {
    for (const box of form.querySelectorAll("[data-row-select]")) box.checked = target.checked;
  }
});

function start(root = document) {
  for (const node of root.querySelectorAll("[data-filter-builder]")) {
    if (node.filterBuilder) continue;
    node.filterBuilder = new FilterBuilder(node);
  }
}

// The save-view dialog carries the builder's current state even if it was not applied.
document.addEventListener("click", (event) => {
  if (event.target.closest?.('[data-modal-open="save-view"]')) {
    document.querySelector("[data-filter-builder]")?.filterBuilder?.write();
  }
});

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => start());
else start();

// The bulk "edit a field" dialog offers the input that fits the chosen field: options for
// selects (several for multiselects), yes/no for booleans, date and number inputs.
function renderBulkValue(select) {
  const box = select.closest("dialog").querySelector("[data-bulk-value]");
  const catalogue = document.getElementById("list-catalogue");
  if (!box || !catalogue) return;
  const spec = JSON.parse(catalogue.textContent).find((f) => f.name === select.value);
  if (!spec) return;
  const label = box.querySelector("label");
  let control;
  if (spec.family === "boolean") {
    control = el("select", { name: "value" }, [el("option", { value: "", text: "—" }),
      el("option", { value: "yes", text: box.dataset.yes }), el("option", { value: "no", text: box.dataset.no })]);
  } else if (spec.options.length) {
    control = el("select", { name: "value" });
    if (spec.family === "multiselect") control.multiple = true;
    else control.append(el("option", { value: "", text: "—" }));
    for (const [value, text] of spec.options) control.append(el("option", { value, text }));
  } else {
    const type = { number: "number", date: "date" }[spec.family] || "text";
    control = el("input", { name: "value", type });
    if (type === "number") control.step = "any";
  }
  control.id = label.htmlFor;
  box.replaceChildren(label, control);
}

document.addEventListener("change", (event) => {
  if (event.target.matches?.("[data-bulk-field]")) renderBulkValue(event.target);
});
document.addEventListener("click", (event) => {
  if (event.target.closest?.('[data-modal-open="bulk-edit"]')) {
    const select = document.querySelector("[data-bulk-field]");
    if (select) renderBulkValue(select);
  }
});

// Each bulk dialog says how many records the action will touch.
document.addEventListener("click", (event) => {
  const opener = event.target.closest?.("[data-bulk-form] [data-modal-open]");
  if (!opener) return;
  const form = opener.closest("[data-bulk-form]");
  const all = form.querySelector("[data-select-all-matching]")?.checked;
  const count = all ? form.dataset.total : form.querySelectorAll("[data-row-select]:checked").length;
  for (const node of form.querySelectorAll("[data-selection-count]")) node.textContent = count;
});
