// Emails: the block builder (data-email-builder). The email is kept here as its JSON block
// document; the canvas, the settings panel and the preview are drawn from it. Blocks are
// added by dragging from the palette (SortableJS) or with the palette's Add buttons, moved by
// their drag handle, their Move buttons or Alt+Arrow keys. Saving names the version it
// edited, so a concurrent save is refused (409) and nothing typed here is lost.
import Sortable from "sortablejs";
import { showToast } from "./toast.js";

const COLUMN_TYPES = ["text", "image", "button", "divider", "spacer", "social"];
const PREVIEW_DELAY_MS = 600;
const ANIMATION_MS = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150;

// --- The document: blocks addressed by index paths ------------------------------------------
// [2] is the third top-level block; [1, 0, 3] the fourth block of column 0 of block 1.
// A list is addressed the same way: [] is the top level, [1, 0] column 0 of block 1.

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function listAt(document, listPath) {
  if (listPath.length === 0) return document.blocks;
  return document.blocks[listPath[0]].columns[listPath[1]].blocks;
}

function blockAt(document, path) {
  if (!path) return null;
  return listAt(document, path.slice(0, -1))[path[path.length - 1]] || null;
}

function pathKey(path) {
  return path.join(".");
}

function parsePath(key) {
  return key === "" ? [] : key.split(".").map(Number);
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? values[name] : match));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  append(node, ...children);
  return node;
}

// Like Element.append, skipping the null and undefined of optional parts.
function append(node, ...children) {
  node.append(...children.filter((child) => child !== null && child !== undefined));
}

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  const sprite = document.querySelector("[data-icon-sprite]")?.dataset.iconSprite || "/static/dist/icons.svg";
  use.setAttribute("href", `${sprite}#${name}`);
  svg.append(use);
  return svg;
}

// The words of some HTML, parsed inertly (never inserted into the page), blocks spaced apart.
function plainText(html) {
  const spaced = (html || "").replace(/<\/(p|h[1-6]|li|blockquote|div)>|<br\s*\/?>/gi, "$& ");
  const parsed = new DOMParser().parseFromString(spaced, "text/html");
  return (parsed.body.textContent || "").replace(/\s+/g, " ").trim();
}

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

// --- Settings fields of each block type ------------------------------------------------------

const STYLE_FIELDS = [
  { name: "padding", kind: "text" },
  { name: "align", kind: "align" },
  { name: "background_color", kind: "colour" },
  { name: "text_color", kind: "colour" },
];

const FIELDS = {
  text: [{ name: "html", kind: "richtext" }, { name: "font_size", kind: "number", min: 10, max: 48 },
    ...STYLE_FIELDS],
  image: [{ name: "src", kind: "image", alt: "alt", asset: "asset_id" },
    { name: "alt", kind: "text", requiredWith: "src" }, { name: "link", kind: "url" },
    { name: "width", kind: "number", min: 20, max: 800, optional: true }, ...STYLE_FIELDS],
  button: [{ name: "label", kind: "text", required: true }, { name: "url", kind: "url", required: true },
    { name: "button_color", kind: "colour" }, { name: "label_color", kind: "colour" },
    { name: "border_radius", kind: "number", min: 0, max: 40 }, ...STYLE_FIELDS],
  columns: [{ name: "count", kind: "columns" }, ...STYLE_FIELDS],
  divider: [{ name: "color", kind: "colour" }, { name: "thickness", kind: "number", min: 1, max: 10 },
    ...STYLE_FIELDS],
  spacer: [{ name: "height", kind: "number", min: 4, max: 200 },
    { name: "background_color", kind: "colour" }],
  social: [{ name: "links", kind: "links" }, ...STYLE_FIELDS],
  header: [{ name: "title", kind: "text" }, { name: "logo_src", kind: "image", alt: "logo_alt" },
    { name: "logo_alt", kind: "text", requiredWith: "logo_src" },
    { name: "logo_width", kind: "number", min: 20, max: 600 }, { name: "link", kind: "url" },
    ...STYLE_FIELDS],
  footer: [{ name: "note", kind: "textarea" }, { name: "postal_address", kind: "textarea", required: true },
    { name: "unsubscribe_label", kind: "text" }, { name: "preferences_label", kind: "text" },
    { name: "show_preferences", kind: "checkbox" }, ...STYLE_FIELDS],
};

const DOCUMENT_FIELDS = [
  { name: "background_color", kind: "colour" },
  { name: "content_background_color", kind: "colour" },
  { name: "text_color", kind: "colour" },
  { name: "link_color", kind: "colour" },
  { name: "font", kind: "font" },
  { name: "width", kind: "number", min: 480, max: 800 },
];

function fullHex(value) {
  if (!value) return "";
  return value.length === 4 ? `#${[...value.slice(1)].map((c) => c + c).join("")}` : value;
}

// --- The builder ----------------------------------------------------------------------------

class EmailBuilder {
  constructor(root) {
    this.root = root;
    this.csrf = root.dataset.csrf;
    const state = readJson(root.dataset.state);
    this.labels = readJson(root.dataset.labels);
    this.newBlocks = readJson(root.dataset.newBlocks);
    this.urls = readJson(root.dataset.urls);
    this.document = state.document && Array.isArray(state.document.blocks)
      ? state.document : { settings: {}, blocks: [] };
    this.document.settings ||= {};
    this.version = state.version;
    this.selected = null;
    this.dirty = false;
    this.problems = [];
    this.sortables = [];
    this.previewTimer = null;
    this.previewRequest = 0;
    this.uid = 0;

    this.canvas = root.querySelector("[data-canvas]");
    this.canvas.dataset.list = "";
    this.canvas.dataset.emptyText = this.labels.messages.emptyCanvas;
    this.settings = root.querySelector("[data-settings]");
    this.settingsTitle = root.querySelector("[data-settings-title]");
    this.announcer = root.querySelector("[data-announcer]");
    this.status = root.querySelector("[data-save-status]");
    this.errorBox = root.querySelector("[data-builder-error]");
    this.iframe = root.querySelector("[data-preview-iframe]");

    this.bindPalette();
    this.bindCanvas();
    this.bindEnvelope();
    this.bindPreviewControls();
    this.bindActions();
    this.renderCanvas();
    this.renderSettings();
    this.refreshPreview();
  }

  t(group, key, values = {}) {
    return format(this.labels[group][key] || key, values);
  }

  typeLabel(type) {
    return this.labels.types[type] || type;
  }

  announce(text) {
    this.announcer.textContent = "";
    window.setTimeout(() => { this.announcer.textContent = text; }, 50);
  }

  nextId(prefix) {
    this.uid += 1;
    return `${prefix}-${this.uid}`;
  }

  // --- changes ------------------------------------------------------------------------------

  changed({ canvas = true } = {}) {
    this.dirty = true;
    this.status.textContent = this.labels.messages.unsaved;
    if (canvas) this.renderCanvas();
    this.schedulePreview();
  }

  newBlock(type) {
    return clone(this.newBlocks[type]);
  }

  // Insert after the selected block (in its column when it sits in one and the type fits
  // there), else at the end.
  insertionPoint(type) {
    const selected = this.selected;
    if (selected && selected.length === 3 && COLUMN_TYPES.includes(type)) {
      return { list: selected.slice(0, 2), index: selected[2] + 1 };
    }
    if (selected) return { list: [], index: selected[0] + 1 };
    return { list: [], index: this.document.blocks.length };
  }

  addBlock(type, list, index) {
    const blocks = listAt(this.document, list);
    blocks.splice(index, 0, this.newBlock(type));
    const path = [...list, index];
    this.select(path, { render: false });
    this.changed();
    this.focusBlock(path);
    this.announce(this.t("messages", "added", { type: this.typeLabel(type), position: index + 1 }));
  }

  moveBlock(path, delta) {
    const list = path.slice(0, -1);
    const blocks = listAt(this.document, list);
    const from = path[path.length - 1];
    const to = from + delta;
    if (to < 0 || to >= blocks.length) {
      // Past the top or bottom of a column, the block leaves it: above or below its columns.
      if (list.length === 2) this.moveOutOfColumn(path, delta);
      return;
    }
    const [block] = blocks.splice(from, 1);
    blocks.splice(to, 0, block);
    const moved = [...list, to];
    this.selected = moved;
    this.changed();
    this.renderSettings();
    this.focusBlock(moved);
    this.announce(this.t("messages", "moved", {
      type: this.typeLabel(block.type), position: to + 1, count: blocks.length }));
  }

  moveOutOfColumn(path, delta) {
    const [block] = listAt(this.document, path.slice(0, 2)).splice(path[2], 1);
    const index = delta < 0 ? path[0] : path[0] + 1;
    this.document.blocks.splice(index, 0, block);
    this.selected = [index];
    this.changed();
    this.renderSettings();
    this.focusBlock([index]);
    this.announce(this.t("messages", "moved", {
      type: this.typeLabel(block.type), position: index + 1, count: this.document.blocks.length }));
  }

  duplicateBlock(path) {
    const list = path.slice(0, -1);
    const index = path[path.length - 1];
    const blocks = listAt(this.document, list);
    blocks.splice(index + 1, 0, clone(blocks[index]));
    const copy = [...list, index + 1];
    this.select(copy, { render: false });
    this.changed();
    this.focusBlock(copy);
    this.announce(this.t("messages", "duplicated", { type: this.typeLabel(blocks[index].type) }));
  }

  deleteBlock(path) {
    const list = path.slice(0, -1);
    const index = path[path.length - 1];
    const blocks = listAt(this.document, list);
    const [removed] = blocks.splice(index, 1);
    this.selected = null;
    this.problems = [];
    this.changed();
    this.renderSettings();
    const neighbour = blocks.length ? [...list, Math.min(index, blocks.length - 1)] : null;
    if (neighbour) this.focusBlock(neighbour);
    else this.canvas.closest("section").querySelector("h2").focus?.();
    this.announce(this.t("messages", "deleted", { type: this.typeLabel(removed.type) }));
  }

  // A drop from the palette (a new block) or from any canvas list (a move).
  drop({ fromList, oldIndex, toList, newIndex, newType }) {
    const target = listAt(this.document, toList);
    let block;
    if (newType) {
      block = this.newBlock(newType);
    } else {
      const source = listAt(this.document, fromList);
      [block] = source.splice(oldIndex, 1);
    }
    target.splice(Math.min(newIndex, target.length), 0, block);
    // Moving a top-level block above a columns block shifts that block's index: find the
    // dropped block again by identity.
    const path = this.pathOf(block);
    this.selected = path;
    this.changed();
    this.renderSettings();
    if (newType) {
      this.announce(this.t("messages", "added", { type: this.typeLabel(block.type), position: path[path.length - 1] + 1 }));
    }
  }

  pathOf(block) {
    const top = this.document.blocks.indexOf(block);
    if (top >= 0) return [top];
    for (const [index, parent] of this.document.blocks.entries()) {
      if (parent.type !== "columns") continue;
      for (const [column, holder] of parent.columns.entries()) {
        const inner = holder.blocks.indexOf(block);
        if (inner >= 0) return [index, column, inner];
      }
    }
    return null;
  }

  select(path, { render = true } = {}) {
    this.selected = path;
    if (render) this.renderCanvas();
    this.renderSettings();
  }

  // --- the palette --------------------------------------------------------------------------

  bindPalette() {
    const palette = this.root.querySelector("[data-palette]");
    palette.addEventListener("click", (event) => {
      const button = event.target.closest("[data-add-block]");
      if (!button) return;
      const type = button.dataset.addBlock;
      const point = this.insertionPoint(type);
      this.addBlock(type, point.list, point.index);
    });
    Sortable.create(palette, {
      group: { name: "blocks", pull: "clone", put: false },
      sort: false,
      animation: ANIMATION_MS,
      onEnd: (event) => {
        if (event.to === palette) return;
        const toList = parsePath(event.to.dataset.list);
        event.item.remove();
        // Redraw once SortableJS has finished with the drop.
        window.setTimeout(() => this.drop({ toList, newIndex: event.newIndex, newType: event.item.dataset.blockType }));
      },
    });
  }

  // --- the canvas ---------------------------------------------------------------------------

  bindCanvas() {
    this.canvas.addEventListener("click", (event) => {
      const action = event.target.closest("[data-block-action]");
      const item = event.target.closest("[data-path]");
      if (!item) return;
      const path = parsePath(item.dataset.path);
      if (action) {
        this.blockAction(action.dataset.blockAction, path, action);
        return;
      }
      if (event.target.closest("button, select, input, label")) return;
      this.select(path);
      this.focusBlock(path);
    });
    this.canvas.addEventListener("keydown", (event) => {
      const item = event.target.closest("[data-path]");
      if (!item || event.target !== item) return;
      const path = parsePath(item.dataset.path);
      if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
        event.preventDefault();
        this.moveBlock(path, event.key === "ArrowUp" ? -1 : 1);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.select(path);
        this.focusBlock(path);
        this.announce(this.t("messages", "selected", { type: this.typeLabel(blockAt(this.document, path).type) }));
      } else if (event.key === "Escape" && this.selected) {
        event.preventDefault();
        this.select(null);
        this.focusBlock(path);
      } else if (event.key === "Delete") {
        event.preventDefault();
        this.deleteBlock(path);
      }
    });
  }

  blockAction(action, path, control) {
    if (action === "up") this.moveBlock(path, -1);
    else if (action === "down") this.moveBlock(path, 1);
    else if (action === "duplicate") this.duplicateBlock(path);
    else if (action === "delete") this.deleteBlock(path);
    else if (action === "add-to-column") {
      const select = control.parentElement.querySelector("select");
      const list = path.slice(0, 1).concat(Number(control.dataset.column));
      this.addBlock(select.value, list, listAt(this.document, list).length);
    }
  }

  focusBlock(path) {
    const item = this.canvas.querySelector(`[data-path="${pathKey(path)}"]`);
    if (item) item.focus();
  }

  renderCanvas() {
    this.sortables.forEach((sortable) => sortable.destroy());
    this.sortables = [];
    this.canvas.replaceChildren(...this.document.blocks.map((block, index) =>
      this.renderBlock(block, [index], this.document.blocks.length)));
    this.bindSortable(this.canvas, null);
    this.canvas.querySelectorAll("[data-column-list]").forEach((list) => this.bindSortable(list, COLUMN_TYPES));
  }

  bindSortable(list, allowed) {
    this.sortables.push(Sortable.create(list, {
      group: {
        name: "blocks",
        put: (to, from, dragged) => !allowed || allowed.includes(dragged.dataset.blockType),
      },
      handle: ".email-drag-handle",
      animation: ANIMATION_MS,
      fallbackOnBody: true,
      swapThreshold: 0.65,
      onEnd: (event) => {
        if (event.from === event.to && event.oldIndex === event.newIndex) return;
        const fromList = parsePath(event.from.dataset.list);
        const toList = parsePath(event.to.dataset.list);
        // The canvas is redrawn from the document, wherever SortableJS left the node.
        window.setTimeout(() => this.drop({ fromList, oldIndex: event.oldIndex, toList, newIndex: event.newIndex }));
      },
    }));
  }

  problemFor(path) {
    return this.problems.find((problem) => pathKey(problem.block || []) === pathKey(path));
  }

  renderBlock(block, path, siblings) {
    const key = pathKey(path);
    const index = path[path.length - 1];
    const label = this.typeLabel(block.type);
    const position = this.t("messages", "block", { position: index + 1, type: label });
    const problem = this.problemFor(path);
    const errorId = problem ? `block-error-${key.replace(/\./g, "-")}` : null;
    const selected = this.selected && pathKey(this.selected) === key;
    const item = element("li", {
      className: `email-block email-block-${block.type}${selected ? " is-selected" : ""}${problem ? " has-error" : ""}`,
      "data-path": key, "data-block-type": block.type, tabindex: "0",
      "aria-label": position, "aria-current": selected ? "true" : null,
      "aria-describedby": errorId,
    });
    const bar = element("div", { className: "email-block-bar" },
      element("span", { className: "email-drag-handle", "aria-hidden": "true", title: label }, icon("move")),
      element("span", { className: "email-block-type", text: label }),
      element("span", { className: "email-block-actions" },
        this.actionButton("up", "arrow-up", this.t("actions", "moveUp"), position, index === 0 && path.length === 1),
        this.actionButton("down", "arrow-down", this.t("actions", "moveDown"), position, index === siblings - 1 && path.length === 1),
        this.actionButton("duplicate", "copy", this.t("actions", "duplicate"), position),
        this.actionButton("delete", "trash-2", this.t("actions", "delete"), position)));
    item.append(bar, this.blockBody(block, path));
    if (problem) item.append(element("p", { className: "field-error email-block-error", id: errorId, text: problem.message }));
    return item;
  }

  actionButton(action, iconName, text, position, disabled = false) {
    return element("button", {
      type: "button", className: "btn btn-icon btn-sm", "data-block-action": action,
      title: text, disabled, "aria-label": `${text} (${position})`,
    }, icon(iconName));
  }

  blockBody(block, path) {
    const body = element("div", { className: "email-block-body" });
    const summary = (text) => element("p", { className: "email-block-summary", text });
    switch (block.type) {
      case "text":
        body.append(summary(plainText(block.html).slice(0, 160) || "…"));
        break;
      case "image":
      case "header": {
        const src = block.type === "image" ? block.src : block.logo_src;
        if (src) body.append(element("img", { src, alt: (block.type === "image" ? block.alt : block.logo_alt) || "", className: "email-block-image" }));
        if (block.type === "header" && block.title) body.append(summary(block.title));
        if (!src && block.type === "image") body.append(summary(this.labels.messages.noImage));
        break;
      }
      case "button":
        body.append(element("span", {
          className: "email-button-sample",
          style: `background:${block.button_color || "#2563eb"};color:${block.label_color || "#ffffff"}`,
          text: block.label,
        }));
        break;
      case "columns":
        body.append(this.renderColumns(block, path));
        break;
      case "divider":
        body.append(element("hr", { className: "email-block-divider" }));
        break;
      case "spacer":
        body.append(summary(`${block.height}px`));
        break;
      case "social":
        body.append(summary((block.links || []).map((link) => this.labels.networks[link.network] || link.network).join(" · ") || "…"));
        break;
      case "footer":
        body.append(summary(plainText(block.postal_address)));
        break;
      default:
        break;
    }
    return body;
  }

  renderColumns(block, path) {
    const holder = element("div", { className: `email-columns email-columns-${block.columns.length}` });
    block.columns.forEach((column, columnIndex) => {
      const listPath = [path[0], columnIndex];
      const name = this.t("messages", "column", { n: columnIndex + 1 });
      const list = element("ol", {
        className: "email-column-list", "data-column-list": "", "data-list": pathKey(listPath),
        "aria-label": name, "data-empty-text": this.labels.messages.emptyColumn,
      });
      list.append(...column.blocks.map((inner, innerIndex) =>
        this.renderBlock(inner, [...listPath, innerIndex], column.blocks.length)));
      const selectId = this.nextId("column-add");
      const select = element("select", { id: selectId, className: "email-column-add-type" },
        ...COLUMN_TYPES.map((type) => element("option", { value: type, text: this.typeLabel(type) })));
      const adder = element("div", { className: "email-column-add" },
        element("label", { for: selectId, className: "visually-hidden", text: this.t("actions", "addToColumn", { n: columnIndex + 1 }) }),
        select,
        element("button", {
          type: "button", className: "btn btn-secondary btn-sm", "data-block-action": "add-to-column",
          "data-column": String(columnIndex), text: this.t("actions", "addToColumn", { n: columnIndex + 1 }),
        }));
      holder.append(element("div", { className: "email-column" },
        element("p", { className: "email-column-name", text: name }), list, adder));
    });
    return holder;
  }

  // --- the settings panel -------------------------------------------------------------------

  renderSettings() {
    const block = blockAt(this.document, this.selected);
    const fields = block ? FIELDS[block.type] || [] : DOCUMENT_FIELDS;
    const target = block || this.document.settings;
    this.settingsTitle.textContent = block
      ? this.t("actions", "select", { type: this.typeLabel(block.type) })
      : this.labels.emailSettings;
    const form = element("div", { className: "email-settings-fields" });
    if (!block) form.append(element("p", { className: "field-help", text: this.labels.messages.none }));
    else {
      form.append(element("button", {
        type: "button", className: "btn btn-secondary btn-sm email-settings-back", text: this.labels.emailSettings,
        onclick: () => { this.select(null); this.settingsTitle.focus(); },
      }));
    }
    for (const field of fields) form.append(this.field(target, field));
    this.settings.replaceChildren(form);
    // The rich-text editor of notes (collab.js) attaches to new textareas on htmx:load.
    if (form.querySelector("textarea[data-richtext]")) {
      document.dispatchEvent(new CustomEvent("htmx:load", { detail: { elt: form } }));
    }
  }

  fieldLabel(name) {
    return this.labels.fields[name] || name;
  }

  // An emptied colour or number falls back to the schema's default.
  set(target, name, value, options) {
    const empty = value === null || value === undefined || value === "";
    if (empty && (options.kind === "colour" || options.kind === "number")) delete target[name];
    else target[name] = value ?? "";
    this.changed();
  }

  field(target, field) {
    const id = this.nextId(`setting-${field.name}`);
    const label = element("label", { for: id, text: this.fieldLabel(field.name) });
    const wrap = element("div", { className: `field email-field-${field.kind}` });
    const value = target[field.name];
    const update = (newValue) => this.set(target, field.name, newValue, field);
    switch (field.kind) {
      case "richtext": {
        const area = element("textarea", {
          id, "data-richtext": "", rows: "6", "data-text-toolbar": this.fieldLabel("html"),
        });
        area.value = value || "";
        wrap.append(label, area);
        // The editor syncs the textarea on input; read it after that.
        wrap.addEventListener("input", () => { target.html = area.value; this.changed(); });
        return wrap;
      }
      case "textarea": {
        const area = element("textarea", { id, rows: "3", required: field.required });
        area.value = value || "";
        area.addEventListener("input", () => update(area.value));
        wrap.append(label, area);
        return wrap;
      }
      case "checkbox": {
        const box = element("input", { id, type: "checkbox" });
        box.checked = Boolean(value);
        box.addEventListener("change", () => update(box.checked));
        wrap.classList.add("field-checkbox");
        wrap.append(box, label);
        return wrap;
      }
      case "number": {
        const input = element("input", { id, type: "number", min: field.min, max: field.max, inputmode: "numeric" });
        input.value = value ?? "";
        input.addEventListener("input", () => {
          const number = input.value === "" ? null : Number.parseInt(input.value, 10);
          update(Number.isNaN(number) ? null : number);
        });
        wrap.append(label, input);
        return wrap;
      }
      case "colour":
        return this.colourField(target, field, id, label, wrap);
      case "align":
      case "font": {
        const choices = field.kind === "align" ? this.labels.align : this.labels.fonts;
        const select = element("select", { id },
          ...Object.entries(choices).map(([key, text]) => element("option", { value: key, text, selected: key === value })));
        select.addEventListener("change", () => update(select.value));
        wrap.append(label, select);
        return wrap;
      }
      case "image":
        return this.imageField(target, field, id, wrap);
      case "links":
        return this.linksField(target, wrap);
      case "columns":
        return this.columnsField(target, id, label, wrap);
      default: {
        const input = element("input", {
          id, type: field.kind === "url" ? "url" : "text", required: field.required,
          inputmode: field.kind === "url" ? "url" : null,
        });
        input.value = value ?? "";
        const hintId = field.requiredWith ? `${id}-hint` : null;
        const hint = hintId ? element("p", { className: "field-help", id: hintId, text: this.labels.messages.altRequired }) : null;
        if (hintId) input.setAttribute("aria-describedby", hintId);
        const check = () => {
          const missing = field.requiredWith && target[field.requiredWith] && !input.value.trim();
          input.setAttribute("aria-invalid", missing ? "true" : "false");
        };
        input.addEventListener("input", () => { update(input.value); check(); });
        check();
        append(wrap, label, input, hint);
        return wrap;
      }
    }
  }

  colourField(target, field, id, label, wrap) {
    const input = element("input", { id, type: "color" });
    input.value = fullHex(target[field.name]) || "#ffffff";
    const state = element("span", { className: "text-muted email-colour-value", text: target[field.name] || this.labels.notSet });
    input.addEventListener("input", () => {
      state.textContent = input.value;
      this.set(target, field.name, input.value, field);
    });
    const reset = element("button", {
      type: "button", className: "btn btn-secondary btn-sm", text: this.labels.reset,
      "aria-label": `${this.labels.reset}: ${this.fieldLabel(field.name)}`,
    });
    reset.addEventListener("click", () => {
      state.textContent = this.labels.notSet;
      this.set(target, field.name, null, field);
    });
    wrap.append(label, element("div", { className: "email-colour-row" }, input, state, reset));
    return wrap;
  }

  imageField(target, field, id, wrap) {
    const name = this.fieldLabel(field.name);
    const preview = element("div", { className: "email-image-choice" });
    const showChoice = () => {
      const src = target[field.name];
      preview.replaceChildren(src
        ? element("img", { src, alt: target[field.alt] || "", className: "email-image-thumb" })
        : element("p", { className: "text-muted", text: this.labels.messages.noImage }));
    };
    showChoice();
    const choose = (asset) => {
      target[field.name] = asset.url;
      if (field.asset) target[field.asset] = asset.id;
      if (!target[field.alt]) target[field.alt] = "";
      showChoice();
      this.changed();
      this.renderSettings();
      const altInput = [...this.settings.querySelectorAll("label")].find((node) => node.textContent === this.fieldLabel(field.alt));
      if (altInput) document.getElementById(altInput.htmlFor)?.focus();
    };
    const library = element("button", { type: "button", className: "btn btn-secondary btn-sm", text: this.t("actions", "chooseImage") });
    library.addEventListener("click", () => this.openLibrary(choose));
    const uploadId = `${id}-upload`;
    const upload = element("input", { id: uploadId, type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", className: "email-upload-input" });
    upload.addEventListener("change", () => {
      if (upload.files[0]) this.uploadImage(upload.files[0], choose, uploadStatus);
    });
    const uploadStatus = element("p", { className: "field-help", role: "status" });
    const clear = element("button", { type: "button", className: "btn btn-secondary btn-sm", text: this.t("actions", "clearImage") });
    clear.addEventListener("click", () => {
      target[field.name] = "";
      if (field.asset) delete target[field.asset];
      showChoice();
      this.changed();
    });
    wrap.append(
      element("p", { className: "email-field-title", id, text: name }),
      preview,
      element("div", { className: "email-image-actions" }, library, upload,
        element("label", { for: uploadId, className: "btn btn-secondary btn-sm" }, this.t("actions", "upload")), clear),
      uploadStatus,
    );
    return wrap;
  }

  linksField(target, wrap) {
    target.links ||= [];
    const list = element("div", { className: "email-links" });
    const draw = () => {
      list.replaceChildren(...target.links.map((link, index) => {
        const networkId = this.nextId("link-network");
        const urlId = this.nextId("link-url");
        const network = element("select", { id: networkId },
          ...Object.entries(this.labels.networks).map(([key, text]) => element("option", { value: key, text, selected: key === link.network })));
        network.addEventListener("change", () => { link.network = network.value; this.changed(); });
        const url = element("input", { id: urlId, type: "url", value: link.url || "" });
        url.addEventListener("input", () => { link.url = url.value; this.changed(); });
        const remove = element("button", {
          type: "button", className: "btn btn-secondary btn-sm", text: this.t("actions", "removeLink"),
        });
        remove.addEventListener("click", () => { target.links.splice(index, 1); draw(); this.changed(); });
        return element("fieldset", { className: "email-link-row" },
          element("legend", { text: `${this.fieldLabel("links")} ${index + 1}` }),
          element("label", { for: networkId, text: this.fieldLabel("network") }), network,
          element("label", { for: urlId, text: this.fieldLabel("url") }), url, remove);
      }));
    };
    draw();
    const add = element("button", { type: "button", className: "btn btn-secondary btn-sm", text: this.t("actions", "addLink") });
    add.addEventListener("click", () => {
      target.links.push({ network: "website", url: "https://" });
      draw();
      this.changed();
    });
    wrap.append(element("p", { className: "email-field-title", text: this.fieldLabel("links") }), list, add);
    return wrap;
  }

  columnsField(target, id, label, wrap) {
    const select = element("select", { id },
      ...[1, 2, 3].map((count) => element("option", { value: String(count), text: String(count), selected: count === target.columns.length })));
    select.addEventListener("change", () => {
      const count = Number(select.value);
      while (target.columns.length < count) target.columns.push({ blocks: [] });
      // A removed column's blocks go into the last column that stays, never lost.
      while (target.columns.length > count) {
        const removed = target.columns.pop();
        target.columns[target.columns.length - 1].blocks.push(...removed.blocks);
      }
      this.changed();
    });
    wrap.append(label, select);
    return wrap;
  }

  // --- the file library ---------------------------------------------------------------------

  openLibrary(choose) {
    let dialog = this.root.querySelector("[data-asset-dialog]");
    if (!dialog) {
      dialog = element("dialog", { className: "modal modal-lg", "data-asset-dialog": "", "aria-labelledby": "asset-dialog-title" },
        element("div", { className: "modal-header" }, element("h2", { id: "asset-dialog-title", text: this.t("actions", "chooseImage") })),
        element("div", { className: "modal-body" }, element("ul", { className: "email-asset-grid", role: "list", "data-asset-grid": "" })),
        element("div", { className: "modal-footer" }, element("button", { type: "button", className: "btn btn-secondary", "data-modal-close": "", text: this.labels.close || "OK" })));
      this.root.append(dialog);
    }
    const grid = dialog.querySelector("[data-asset-grid]");
    grid.replaceChildren(element("li", { className: "text-muted", text: "…" }));
    dialog.querySelector("[data-asset-more]")?.remove();
    dialog.showModal();
    const pick = (asset) => element("li", {}, element("button", {
      type: "button", className: "email-asset", onclick: () => { dialog.close(); choose(asset); },
    }, element("img", { src: asset.url, alt: "", loading: "lazy" }), element("span", { text: asset.name })));
    // Fifty images a page; "More images" fetches the next page.
    const load = (page) => fetch(`${this.urls.assets}?page=${page}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((data) => {
        if (page === 1) grid.replaceChildren();
        if (page === 1 && !data.results.length) {
          grid.append(element("li", { className: "text-muted", text: this.labels.messages.noAssets }));
        }
        grid.append(...data.results.map(pick));
        dialog.querySelector("[data-asset-more]")?.remove();
        if (data.has_next) {
          grid.after(element("button", {
            type: "button", className: "btn btn-secondary btn-sm", "data-asset-more": "",
            text: this.labels.moreImages, onclick: () => load(page + 1),
          }));
        }
      });
    load(1);
  }

  uploadImage(file, choose, status) {
    const body = new FormData();
    body.append("file", file);
    status.textContent = this.labels.messages.uploading;
    fetch(this.urls.upload, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": this.csrf, Accept: "application/json" },
    })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        status.textContent = ok ? "" : data.error;
        if (ok) choose(data);
      })
      .catch(() => { status.textContent = this.labels.messages.saveFailed; });
  }

  // --- name, subject, preview text ----------------------------------------------------------

  bindEnvelope() {
    this.root.querySelectorAll("[data-field]").forEach((input) => {
      input.addEventListener("input", () => this.changed({ canvas: false }));
    });
  }

  envelope() {
    const value = (name) => this.root.querySelector(`[data-field="${name}"]`).value;
    return { name: value("name"), subject: value("subject"), preheader: value("preheader") };
  }

  // --- the preview --------------------------------------------------------------------------

  bindPreviewControls() {
    const frame = this.root.querySelector("[data-preview-frame]");
    this.root.querySelectorAll("[data-preview-width]").forEach((button) => {
      button.addEventListener("click", () => {
        frame.dataset.width = button.dataset.previewWidth;
        this.root.querySelectorAll("[data-preview-width]").forEach((other) => {
          other.setAttribute("aria-pressed", String(other === button));
        });
      });
    });
    this.contactSelect = this.root.querySelector("[data-preview-contact]");
    this.contactSelect.addEventListener("change", () => this.refreshPreview());
  }

  schedulePreview() {
    window.clearTimeout(this.previewTimer);
    this.previewTimer = window.setTimeout(() => this.refreshPreview(), PREVIEW_DELAY_MS);
  }

  post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf, Accept: "application/json" },
      body: JSON.stringify(payload),
    }).then((response) => response.json().catch(() => ({})).then((data) => ({ status: response.status, data })));
  }

  refreshPreview() {
    const request = ++this.previewRequest;
    const payload = { ...this.envelope(), document: this.document, contact_id: this.contactSelect.value || null };
    this.post(this.urls.preview, payload).then(({ status, data }) => {
      if (request !== this.previewRequest) return; // a newer preview is on its way
      const warning = this.root.querySelector("[data-unknown-tokens]");
      if (status !== 200) {
        warning.hidden = false;
        warning.textContent = data.error || this.labels.messages.previewFailed;
        return;
      }
      this.iframe.srcdoc = data.html;
      this.root.querySelector("[data-preview-subject]").textContent = data.subject;
      const unknown = data.unknown_tokens || [];
      const lines = [...(data.errors || [])];
      if (unknown.length) lines.push(`${this.labels.messages.unknownTokens} ${unknown.join(", ")}`);
      warning.hidden = lines.length === 0;
      warning.textContent = lines.join(" ");
      this.root.dataset.previewReady = String(request);
    }).catch(() => {});
  }

  // --- save, test, template -----------------------------------------------------------------

  bindActions() {
    this.root.querySelector("[data-save]").addEventListener("click", () => this.save());
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") {
        event.preventDefault();
        this.save();
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (!this.dirty) return;
      event.preventDefault();
      event.returnValue = this.labels.messages.leave;
    });
    this.root.querySelector("[data-send-test]").addEventListener("click", () => this.sendTest());
    this.root.querySelector("[data-save-as-template]").addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveAsTemplate(event.target);
    });
  }

  showError(text) {
    this.errorBox.hidden = !text;
    this.errorBox.textContent = text || "";
  }

  save() {
    if (this.saving) return this.saving;
    this.status.textContent = this.labels.messages.saving;
    const payload = { ...this.envelope(), document: this.document, version: this.version };
    this.saving = this.post(this.urls.save, payload).then(({ status, data }) => {
      this.saving = null;
      if (status === 200) {
        this.version = data.version;
        this.dirty = false;
        this.problems = [];
        this.showError("");
        this.status.textContent = this.labels.messages.saved;
        this.renderCanvas();
        return true;
      }
      if (status === 409) {
        // Keep everything typed here; saving again replaces the other version.
        this.version = data.current.version;
        this.showError(this.labels.messages.conflict);
      } else if (status === 422) {
        this.problems = data.problems || [];
        this.showError(`${this.labels.messages.invalid} ${data.error || ""}`);
        this.renderCanvas();
        const first = this.problems.find((problem) => problem.block && problem.block.length);
        if (first) { this.select(first.block); this.focusBlock(first.block); }
      } else {
        this.showError(data.error || this.labels.messages.saveFailed);
      }
      this.status.textContent = this.labels.messages.unsaved;
      return false;
    }).catch(() => {
      this.saving = null;
      this.showError(this.labels.messages.saveFailed);
      return false;
    });
    return this.saving;
  }

  saveFirst() {
    return this.dirty ? this.save() : Promise.resolve(true);
  }

  sendTest() {
    this.saveFirst().then((saved) => {
      if (!saved) return;
      this.post(this.urls.send_test, { contact_id: this.contactSelect.value || null })
        .then(({ status, data }) => showToast(status === 200 ? data.message : data.error, status === 200 ? "success" : "error"));
    });
  }

  saveAsTemplate(form) {
    this.saveFirst().then((saved) => {
      if (!saved) return;
      const fields = Object.fromEntries(new FormData(form).entries());
      this.post(this.urls.save_as_template, fields).then(({ status, data }) => {
        if (status === 201) form.closest("dialog").close();
        showToast(status === 201 ? data.message : data.error, status === 201 ? "success" : "error");
      });
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-email-builder]").forEach((root) => {
    root.emailBuilder = new EmailBuilder(root);
  });
});
