// The deal board: drag-and-drop (SortableJS) and keyboard moves of deal cards, saved at once
// through the move endpoint; refused moves snap back with a toast explaining why. Other
// people's moves arrive over a websocket (live.js) and refresh the columns in place.
// Also: drag-to-reorder rows of settings tables marked data-sortable-rows="<url>".
import Sortable from "sortablejs";
import { showToast } from "./toast.js";
import { openSocket } from "./live.js";

export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function post(url, data) {
  const body = new FormData();
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value)) value.forEach((item) => body.append(key, item));
    else if (value !== null && value !== undefined) body.append(key, value);
  }
  return fetch(url, {
    method: "POST", body, credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  });
}

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

class Board {
  constructor(element) {
    this.element = element;
    this.announcer = document.getElementById("board-announcer");
    this.pending = 0;
    this.dragging = false;
    this.refreshWanted = false;
    this.sortables = [];
    this.bind();
    element.addEventListener("click", (event) => this.onClick(event));
    if (element.dataset.liveUrl) {
      openSocket(element.dataset.liveUrl, (message) => this.onLiveMessage(message));
    }
  }

  bind() {
    this.sortables.forEach((sortable) => sortable.destroy());
    this.sortables = [...this.element.querySelectorAll(".board-cards")].map((list) =>
      Sortable.create(list, {
        group: "deals",
        animation: 150,
        filter: "select, button, label",
        preventOnFilter: false,
        onStart: () => { this.dragging = true; },
        onEnd: (event) => {
          this.dragging = false;
          if (event.from === event.to && event.oldIndex === event.newIndex) {
            if (this.refreshWanted) this.refresh();
            return;
          }
          this.save(event.item, { list: event.from, index: event.oldIndex });
        },
      }));
  }

  announce(text) {
    if (!this.announcer) return;
    this.announcer.textContent = "";
    window.setTimeout(() => { this.announcer.textContent = text; }, 50);
  }

  onClick(event) {
    const button = event.target.closest("[data-move-to], [data-move-up], [data-move-down]");
    if (!button) return;
    const card = button.closest(".board-card");
    const origin = { list: card.parentElement, index: [...card.parentElement.children].indexOf(card) };
    if (button.hasAttribute("data-move-to")) {
      const stage = card.querySelector("[data-move-select]").value;
      const list = this.element.querySelector(`.board-cards[data-stage="${stage}"]`);
      if (!list || list === card.parentElement) return;
      list.append(card);
    } else if (button.hasAttribute("data-move-up")) {
      const previous = card.previousElementSibling;
      if (!previous) return;
      previous.before(card);
    } else {
      const next = card.nextElementSibling;
      if (!next) return;
      next.after(card);
    }
    button.focus();
    this.save(card, origin);
  }

  async save(card, origin) {
    const list = card.parentElement;
    const neighbour = (element) => (element ? element.dataset.deal : null);
    this.pending += 1;
    let response = null;
    let result = {};
    try {
      response = await post(this.element.dataset.moveUrl, {
        deal: card.dataset.deal, stage: list.dataset.stage,
        after: neighbour(card.previousElementSibling), before: neighbour(card.nextElementSibling),
        version: card.dataset.version,
      });
      result = await response.json();
    } catch {
      result = { error: this.element.dataset.failedText };
    } finally {
      this.pending -= 1;
    }
    if (response && response.ok) {
      card.dataset.version = result.version;
      const name = card.querySelector(".board-card-name").textContent;
      this.announce(format(this.element.dataset.movedText, { deal: name, stage: list.dataset.stageName }));
    } else {
      this.snapBack(card, origin);
      showToast(result.error || this.element.dataset.failedText, "error");
      this.announce(result.error || this.element.dataset.failedText);
    }
    this.refresh();
  }

  snapBack(card, origin) {
    const after = origin.list.children[origin.index];
    if (after && after !== card) after.before(card);
    else origin.list.append(card);
    card.focus();
  }

  onLiveMessage(message) {
    if (String(message.actor_id) !== this.element.dataset.userId && message.actor) {
      this.announce(format(this.element.dataset.updatedText, { actor: message.actor }));
    }
    this.refresh();
  }

  // Refetch the columns (cards and totals) and swap them in, keeping the keyboard focus.
  async refresh() {
    if (this.dragging || this.pending) {
      this.refreshWanted = true;
      return;
    }
    this.refreshWanted = false;
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "columns");
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok || this.dragging || this.pending) {
      this.refreshWanted = true;
      return;
    }
    const html = await response.text();
    const focus = this.focusPath();
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    this.element.querySelector("#board-columns").replaceWith(template.content.firstElementChild);
    this.bind();
    this.restoreFocus(focus);
    this.element.dataset.refreshed = String(Number(this.element.dataset.refreshed || 0) + 1);
  }

  focusPath() {
    const active = document.activeElement;
    const card = active && active.closest && active.closest(".board-card");
    if (!card || !this.element.contains(card)) return null;
    const control = ["data-card-link", "data-move-select", "data-move-to", "data-move-up", "data-move-down"]
      .find((name) => active.hasAttribute(name));
    // A stage being chosen in the "Move to" list keeps the choice across the refresh.
    return { id: card.id, control, value: control === "data-move-select" ? active.value : null };
  }

  restoreFocus(focus) {
    if (!focus) return;
    const card = document.getElementById(focus.id);
    if (!card) return;
    const target = focus.control ? card.querySelector(`[${focus.control}]`) : card;
    if (target && focus.value !== null) target.value = focus.value;
    (target || card).focus();
  }
}

function bindSortableRows(tbody) {
  Sortable.create(tbody, {
    handle: ".drag-handle",
    animation: 150,
    onEnd: async (event) => {
      if (event.oldIndex === event.newIndex) return;
      const order = [...tbody.querySelectorAll("tr[data-id]")].map((row) => row.dataset.id);
      const response = await post(tbody.dataset.sortableRows, { order }).catch(() => null);
      if (!response || !response.ok) {
        showToast(tbody.dataset.failedText, "error");
      }
      window.location.reload();
    },
  });
}

function init() {
  document.querySelectorAll("[data-board]").forEach((element) => new Board(element));
  document.querySelectorAll("[data-sortable-rows]").forEach(bindSortableRows);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
