// The filter builder of list pages and segments: conditions in nested AND/OR groups, each
// condition a field with a type-aware operator and value inputs, a membership of a segment or
// list, or a behaviour ("did event X at least N times in the last D days where …"). Written
// into the form's hidden `filter` input as the JSON tree of core/filters (docs/filters.md)
// whenever the form is submitted. Plain form controls, each labelled, so the builder works
// with the keyboard and screen readers; it tells listeners about every change with a
// `filter-builder:change` event (the segment page's live count).

const NO_VALUE = new Set(["is_empty", "is_not_empty", "is_true", "is_false"]);
const MANY = new Set(["in", "not_in", "has_any", "has_all", "has_none"]);
const SEGMENT = "@segment";
const EVENT = "@event";
// An event's data is read as text (segments/leaves.py types its keys as text or URLs).
const DATA_OPS = ["contains", "eq", "neq", "not_contains", "starts_with", "ends_with", "is_empty",
  "is_not_empty"];
const MAX_NESTING = 6; // core/filters allows 8 levels of groups
// English fallbacks for labels a page did not send (the server sends translated ones).
const DEFAULT_LABELS = {
  all: "all", any: "any", match: "Match", of: "of these conditions", field: "Field",
  operator: "Condition", value: "Value", remove: "Remove condition", removeGroup: "Remove group",
  addCondition: "Add condition", addGroup: "Add group", from: "From", to: "To", pick: "Choose…",
  kept: "Advanced conditions set through the API are kept as they are.",
  segmentField: "Member of a segment or list", eventField: "Behaviour (an event)",
  memberOf: "is a member of", notMemberOf: "is not a member of", segment: "Segment or list",
  did: "did", didNot: "did not do", occurrence: "Did or did not", event: "Event",
  frequency: "How often", once: "at least once", atLeast: "at least", atMost: "at most",
  betweenTimes: "between", times: "Times", timesFrom: "From times", timesTo: "To times",
  when: "When", anyTime: "at any time", lastDays: "in the last … days", betweenDates: "between dates",
  days: "Days", firstDay: "First day", lastDay: "Last day", dataKey: "Event data field",
  dataOp: "Data condition", dataValue: "Data value", addData: "Add data condition",
  removeData: "Remove data condition",
};
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

function selectOf(pairs, current, attrs = {}) {
  const select = el("select", attrs);
  for (const [value, text] of pairs) {
    const option = el("option", { value, text });
    option.selected = String(current ?? "") === String(value);
    select.append(option);
  }
  return select;
}

function numberOrText(text) {
  return text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text;
}

class FilterBuilder {
  constructor(root) {
    this.root = root;
    this.form = root.closest("form");
    this.input = (this.form || document).querySelector("[data-filter-input]");
    const catalogue = JSON.parse(document.getElementById(root.dataset.catalogue).textContent);
    // A list of fields (list pages), or {fields, segments, events} (the segment builder).
    this.options = Array.isArray(catalogue) ? { fields: catalogue } : { ...catalogue };
    this.fields = this.options.fields;
    this.byName = Object.fromEntries(this.fields.map((f) => [f.name, f]));
    this.t = { ...DEFAULT_LABELS, ...JSON.parse(document.getElementById(root.dataset.labels).textContent) };
    this.render(this.parse(this.input.value));
    // Capture phase: the hidden input is filled before htmx or the browser reads the form.
    document.addEventListener("submit", (event) => {
      if (event.target === this.form) this.write();
    }, true);
    this.form?.addEventListener("htmx:configRequest", (event) => {
      this.write();
      if (event.detail.elt === this.form) event.detail.parameters.filter = this.input.value;
    });
    root.addEventListener("change", () => this.changed());
    root.addEventListener("input", () => this.changed());
  }

  changed() {
    this.touched = true;
    this.root.dispatchEvent(new CustomEvent("filter-builder:change", { bubbles: true }));
  }

  // More kinds of condition offered later (membership and behaviour on list pages).
  addOptions(extra) {
    Object.assign(this.options, extra);
    if (extra.labels) Object.assign(this.t, extra.labels);
    if (this.touched || this.root.contains(document.activeElement)) {
      for (const select of this.root.querySelectorAll("[data-field]")) this.addSpecialFields(select);
    } else {
      this.render(this.parse(this.input.value));
    }
  }

  // --- reading a tree -------------------------------------------------------------------

  parse(text) {
    let tree = {};
    try { tree = text ? JSON.parse(text) : {}; } catch { tree = {}; }
    if (!tree || typeof tree !== "object" || !Object.keys(tree).length) return { type: "group", match: "all", children: [] };
    const node = this.parseNode(tree);
    return node.type === "group" ? node : { type: "group", match: "all", children: [node] };
  }

  parseNode(node) {
    for (const match of ["all", "any"]) {
      if (Array.isArray(node[match]) && Object.keys(node).length === 1) {
        return { type: "group", match, children: node[match].map((child) => this.parseNode(child)) };
      }
    }
    if (node.not?.event !== undefined && this.options.events) return { type: "event", leaf: node.not, negated: !node.not.negate };
    if (node.event !== undefined && this.options.events) return { type: "event", leaf: node, negated: !!node.negate };
    if (node.segment !== undefined && this.options.segments) return { type: "segment", leaf: node };
    const flat = this.flat(node);
    if (flat.property && this.byName[flat.property] && !flat.where) return { type: "property", leaf: flat };
    return { type: "kept", node };
  }

  // An association leaf over one condition shows as a row on "association.field".
  flat(node) {
    if (node.association && node.where?.property && this.byName[`${node.association}.${node.where.property}`]) {
      return { ...node.where, property: `${node.association}.${node.where.property}` };
    }
    return node;
  }

  // --- drawing --------------------------------------------------------------------------

  render(state) {
    this.root.replaceChildren();
    const box = el("div", { class: "filter-root", "data-group": "" });
    const match = this.matchSelect(state.match);
    match.dataset.rootMatch = "";
    box.append(el("div", { class: "filter-match" }, [
      el("span", { text: this.t.match }), ...labelled(match, this.t.match), el("span", { text: this.t.of })]));
    this.fillGroup(box, match, state.children, 0, null);
    this.root.append(box);
    this.rootGroup = box;
  }

  matchSelect(value) {
    const select = selectOf([["all", this.t.all], ["any", this.t.any]], value);
    select.dataset.match = "";
    return select;
  }

  // The children and the buttons of a group (the root or a nested fieldset).
  fillGroup(box, match, children, depth, removeButton) {
    box.matchSelect = match;
    const list = el("div", { class: "filter-children" });
    box.childrenBox = list;
    box.append(list);
    for (const child of children) this.addNode(list, child, depth);
    const addCondition = el("button", { type: "button", class: "btn btn-secondary btn-sm", text: this.t.addCondition });
    addCondition.addEventListener("click", () => {
      this.addNode(list, { type: "property", leaf: {} }, depth, true);
      this.changed();
    });
    const buttons = el("div", { class: "button-row filter-buttons" }, [addCondition]);
    if (depth < MAX_NESTING) {
      const addGroup = el("button", { type: "button", class: "btn btn-secondary btn-sm", text: this.t.addGroup });
      addGroup.addEventListener("click", () => {
        this.addNode(list, { type: "group", match: "all", children: [{ type: "property", leaf: {} }] }, depth, true);
        this.changed();
      });
      buttons.append(addGroup);
    }
    if (removeButton) buttons.append(removeButton);
    box.append(buttons);
  }

  addNode(list, node, depth, focus = false) {
    if (node.type === "group") return this.addGroup(list, node, depth + 1, focus);
    if (node.type === "kept") return this.addKept(list, node.node);
    return this.addRow(list, node, focus);
  }

  addGroup(list, group, depth, focus) {
    const box = el("fieldset", { class: "filter-group", "data-group": "" });
    const match = this.matchSelect(group.match);
    box.append(el("legend", {}, [el("span", { text: this.t.match + " " }), ...labelled(match, this.t.match),
      el("span", { text: " " + this.t.of })]));
    const remove = el("button", { type: "button", class: "btn btn-link btn-sm", text: this.t.removeGroup });
    remove.addEventListener("click", () => {
      const parent = box.parentElement.closest("[data-group]");
      box.remove();
      parent.matchSelect.focus();
      this.changed();
    });
    this.fillGroup(box, match, group.children.length ? group.children : [{ type: "property", leaf: {} }], depth, remove);
    list.append(box);
    if (focus) box.querySelector("[data-field]")?.focus();
    return box;
  }

  addKept(list, node) {
    const row = el("div", { class: "filter-row filter-kept-row", "data-kept": JSON.stringify(node) });
    row.append(el("span", { class: "filter-kept", text: this.t.keptRow || this.t.kept }),
      el("code", { class: "filter-kept-json", text: JSON.stringify(node) }), this.removeButton(row));
    list.append(row);
    return row;
  }

  removeButton(row) {
    const remove = el("button", { type: "button", class: "btn btn-link btn-sm filter-remove", "aria-label": this.t.remove, text: "×" });
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      const group = row.parentElement.closest("[data-group]");
      row.remove();
      (next?.querySelector("select, input, button") || group.querySelector(":scope > .filter-buttons button")).focus();
      this.changed();
    });
    return remove;
  }

  fieldChoices() {
    const choices = this.fields.map((f) => [f.name, f.label]);
    if (this.options.segments) choices.push([SEGMENT, this.t.segmentField]);
    if (this.options.events) choices.push([EVENT, this.t.eventField]);
    return choices;
  }

  addSpecialFields(select) {
    const have = new Set([...select.options].map((o) => o.value));
    for (const [value, text] of this.fieldChoices()) {
      if (!have.has(value)) select.append(el("option", { value, text }));
    }
  }

  addRow(list, node, focus = false) {
    const row = el("div", { class: "filter-row" });
    const kind = node.type === "property" ? node.leaf.property : node.type === "segment" ? SEGMENT : EVENT;
    const field = selectOf(this.fieldChoices(), kind, { "data-field": "" });
    const body = el("span", { class: "filter-body" });
    row.append(...labelled(field, this.t.field), body, this.removeButton(row));
    list.append(row);
    const draw = (leaf) => {
      row.classList.toggle("filter-row-event", field.value === EVENT);
      if (field.value === SEGMENT) this.drawSegment(body, leaf);
      else if (field.value === EVENT) this.drawEvent(body, leaf, node.negated && leaf === node.leaf);
      else this.drawProperty(body, this.byName[field.value], leaf);
    };
    field.addEventListener("change", () => draw({}));
    draw(node.leaf || {});
    if (focus) field.focus();
    return row;
  }

  drawProperty(body, spec, leaf) {
    body.replaceChildren();
    const op = selectOf(spec.operators, leaf.property === spec.name ? leaf.op : spec.operators[0]?.[0], { "data-op": "" });
    const value = el("span", { class: "filter-value" });
    body.append(...labelled(op, this.t.operator), value);
    op.addEventListener("change", () => this.renderValue(value, spec, op.value));
    this.renderValue(value, spec, op.value, leaf.property === spec.name ? leaf.value : undefined);
  }

  drawSegment(body, leaf) {
    body.replaceChildren();
    const op = selectOf([["in", this.t.memberOf], ["not_in", this.t.notMemberOf]], leaf.op || "in", { "data-op": "" });
    const segment = selectOf([["", this.t.pick], ...this.options.segments], leaf.segment ?? "", { "data-value": "" });
    body.append(...labelled(op, this.t.operator), ...labelled(segment, this.t.segment));
  }

  drawEvent(body, leaf, negated) {
    body.replaceChildren();
    const did = selectOf([["did", this.t.did], ["not", this.t.didNot]], negated ? "not" : "did", { "data-did": "" });
    const kindSelect = selectOf([["", this.t.pick], ...this.options.events], leaf.event ?? "", { "data-event": "" });
    const count = leaf.count || {};
    const countOp = Object.keys(count)[0] || "";
    const often = selectOf([["", this.t.once], ["gte", this.t.atLeast], ["lte", this.t.atMost],
      ["between", this.t.betweenTimes]], countOp, { "data-count-op": "" });
    const times = el("span", { class: "filter-value", "data-count-values": "" });
    const drawTimes = (value) => {
      times.replaceChildren();
      if (!often.value) return;
      const number = (current, label) => labelled(el("input", { type: "number", min: "0", step: "1", inputmode: "numeric", value: current ?? 1, "data-count": "" }), label);
      if (often.value === "between") {
        const [low, high] = Array.isArray(value) ? value : [];
        times.append(...number(low, this.t.timesFrom), ...number(high ?? 3, this.t.timesTo));
      } else times.append(...number(value, this.t.times));
    };
    often.addEventListener("change", () => drawTimes());
    drawTimes(count[countOp]);
    const whenNow = leaf.within_days !== undefined ? "within_days" : leaf.between ? "between" : "";
    const when = selectOf([["", this.t.anyTime], ["within_days", this.t.lastDays], ["between", this.t.betweenDates]], whenNow, { "data-when": "" });
    const windowBox = el("span", { class: "filter-value", "data-when-values": "" });
    const drawWindow = () => {
      windowBox.replaceChildren();
      if (when.value === "within_days") {
        windowBox.append(...labelled(el("input", { type: "number", min: "1", step: "1", inputmode: "numeric", value: leaf.within_days ?? 30, "data-days": "" }), this.t.days));
      } else if (when.value === "between") {
        const [first, last] = leaf.between || [];
        windowBox.append(...labelled(el("input", { type: "date", value: first ?? "", "data-date": "" }), this.t.firstDay),
          ...labelled(el("input", { type: "date", value: last ?? "", "data-date": "" }), this.t.lastDay));
      }
    };
    when.addEventListener("change", drawWindow);
    drawWindow();
    const where = el("div", { class: "filter-where" });
    const whereRows = el("div", { class: "filter-where-rows" });
    const addData = el("button", { type: "button", class: "btn btn-link btn-sm", text: this.t.addData });
    addData.addEventListener("click", () => {
      this.addDataRow(whereRows, {}, kindSelect.value, true);
      this.changed();
    });
    where.append(whereRows, addData);
    for (const condition of this.parseWhere(leaf.where)) this.addDataRow(whereRows, condition, leaf.event);
    kindSelect.addEventListener("change", () => {
      for (const input of whereRows.querySelectorAll("[data-key]")) input.setAttribute("list", this.keysList(kindSelect.value) || "");
    });
    body.append(...labelled(did, this.t.occurrence), ...labelled(kindSelect, this.t.event),
      ...labelled(often, this.t.frequency), times, ...labelled(when, this.t.when), windowBox, where);
  }

  // An event's data conditions: property leaves over the event's data keys, several joined
  // by "all".
  parseWhere(where) {
    if (!where) return [];
    const leaves = where.all || [where];
    return leaves.filter((leaf) => leaf && leaf.property !== undefined);
  }

  addDataRow(list, condition, kind, focus = false) {
    const row = el("div", { class: "filter-data-row", "data-where": "" });
    const key = el("input", { type: "text", value: condition.property ?? "", "data-key": "", list: this.keysList(kind) });
    const ops = DATA_OPS.map((op) => [op, this.labelOf(op)]);
    const op = selectOf(ops, condition.op || "contains", { "data-data-op": "" });
    const value = el("input", { type: "text", value: condition.value ?? "", "data-data-value": "" });
    const toggle = () => { value.hidden = NO_VALUE.has(op.value); value.previousElementSibling.hidden = value.hidden; };
    op.addEventListener("change", toggle);
    const remove = el("button", { type: "button", class: "btn btn-link btn-sm", "aria-label": this.t.removeData, text: "×" });
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      const add = list.parentElement.querySelector(":scope > button");
      row.remove();
      (next?.querySelector("input") || add).focus();
      this.changed();
    });
    row.append(...labelled(key, this.t.dataKey), ...labelled(op, this.t.dataOp), ...labelled(value, this.t.dataValue), remove);
    list.append(row);
    toggle();
    if (focus) key.focus();
  }

  // The operator labels the field catalogue already carries, for the event data operators.
  labelOf(op) {
    for (const field of this.fields) {
      const found = field.operators.find(([name]) => name === op);
      if (found) return found[1];
    }
    return op;
  }

  // The known data keys of an event kind as suggestions (one datalist per kind).
  keysList(kind) {
    const keys = (this.options.eventKeys || {})[kind] || [];
    if (!keys.length) return undefined;
    this.keyLists ||= {};
    if (!this.keyLists[kind]) {
      this.keyLists[kind] = `fb-keys-${++uid}`;
      this.root.after(el("datalist", { id: this.keyLists[kind] }, keys.map((key) => el("option", { value: key }))));
    }
    return this.keyLists[kind];
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
      return selectOf([["", this.t.pick], ...spec.options], current ?? "", { "data-value": "" });
    }
    const type = { number: "number", date: "date" }[spec.family] || "text";
    const input = el("input", { type, "data-value": "", value: current ?? "" });
    if (type === "number") input.step = "any";
    return input;
  }

  // --- writing the tree -------------------------------------------------------------------

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

  propertyLeaf(row, spec) {
    const op = row.querySelector("[data-op]").value;
    const [association, property] = spec.name.includes(".") ? spec.name.split(".") : [null, spec.name];
    const leaf = { property, op };
    const value = this.readValue(row, spec, op);
    if (value !== undefined) leaf.value = value;
    return association ? { association, where: leaf } : leaf;
  }

  segmentLeaf(row) {
    const value = row.querySelector("[data-value]").value;
    return { segment: value === "" ? null : Number(value), op: row.querySelector("[data-op]").value };
  }

  eventLeaf(row) {
    const leaf = { event: row.querySelector("[data-event]").value };
    const often = row.querySelector("[data-count-op]").value;
    const counts = [...row.querySelectorAll("[data-count]")].map((input) => numberOrText(input.value));
    if (often) leaf.count = { [often]: often === "between" ? counts : counts[0] };
    const when = row.querySelector("[data-when]").value;
    if (when === "within_days") leaf.within_days = numberOrText(row.querySelector("[data-days]").value);
    if (when === "between") leaf.between = [...row.querySelectorAll("[data-date]")].map((input) => input.value);
    const where = [...row.querySelectorAll("[data-where]")].map((data) => {
      const op = data.querySelector("[data-data-op]").value;
      const condition = { property: data.querySelector("[data-key]").value.trim(), op };
      if (!NO_VALUE.has(op)) condition.value = data.querySelector("[data-data-value]").value;
      return condition;
    });
    if (where.length) leaf.where = where.length === 1 ? where[0] : { all: where };
    if (row.querySelector("[data-did]").value === "not") leaf.negate = true;
    return leaf;
  }

  rowTree(row) {
    if (row.dataset.kept) return JSON.parse(row.dataset.kept);
    const field = row.querySelector("[data-field]").value;
    if (field === SEGMENT) return this.segmentLeaf(row);
    if (field === EVENT) return this.eventLeaf(row);
    return this.propertyLeaf(row, this.byName[field]);
  }

  // Each row and group learns its path ("filter.all[0].any[1]"), the way InvalidFilter names
  // the node it rejects, so an error can be shown next to its condition.
  groupTree(box, path) {
    const match = box.matchSelect.value;
    const children = [];
    for (const child of box.childrenBox.querySelectorAll(":scope > .filter-row, :scope > [data-group]")) {
      const childPath = `${path}.${match}[${children.length}]`;
      const node = child.matches("[data-group]") ? this.groupTree(child, childPath) : this.rowTree(child);
      if (!node) continue;
      child.dataset.path = childPath;
      children.push(node);
    }
    return children.length ? { [match]: children } : null;
  }

  tree() {
    return this.groupTree(this.rootGroup, "filter");
  }

  write() {
    const tree = this.tree();
    this.input.value = tree ? JSON.stringify(tree) : "";
    if (!this.form) return;
    const columns = [...this.form.querySelectorAll("input[name=column]:checked")].map((c) => c.value).join(",");
    for (const copy of document.querySelectorAll("[data-filter-copy]")) copy.value = this.input.value;
    for (const copy of document.querySelectorAll("[data-columns-copy]")) copy.value = columns;
    const sort = this.form.querySelector("[name=sort]");
    for (const copy of document.querySelectorAll("[data-sort-copy]")) copy.value = sort ? sort.value : "";
  }

  // --- errors -----------------------------------------------------------------------------

  clearError() {
    for (const node of this.root.querySelectorAll(".filter-error")) node.remove();
    for (const node of this.root.querySelectorAll("[aria-invalid]")) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    }
  }

  // Show `message` next to the condition or group the error's path names (the deepest one
  // whose path starts it), or at the top when none does.
  showError(path, message) {
    this.clearError();
    let target = this.rootGroup;
    let best = -1;
    for (const node of this.root.querySelectorAll("[data-path]")) {
      const own = node.dataset.path;
      const rest = path.slice(own.length);
      if (path.startsWith(own) && (rest === "" || ".[ ".includes(rest[0])) && own.length > best) {
        target = node;
        best = own.length;
      }
    }
    const id = `fb-error-${++uid}`;
    const note = el("p", { class: "filter-error", id, text: message });
    const control = target.querySelector("select, input");
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", id);
    }
    if (target === this.rootGroup) target.prepend(note);
    else target.after(note);
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
