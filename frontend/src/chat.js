// Chat: live delivery over websockets (with polling while the socket is down), Enter to
// send, inline edit and delete, older messages on demand, live unread counts in the sidebar.
// Every action also works without this script: forms post and the page reloads.
import { openSocket } from "./live.js";

const POLL_MS = 10000;
const FRAGMENT_HEADERS = { "HX-Request": "true" };

function csrfToken(form) {
  const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// Content fetched here is announced like htmx content, so other scripts (the @mention
// autocomplete of collab.js) attach to it.
function loaded(element) {
  document.dispatchEvent(new CustomEvent("htmx:load", { detail: { elt: element } }));
}

function parseItems(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return Array.from(template.content.children);
}

async function fetchText(url, options = {}) {
  const response = await fetch(url, { credentials: "same-origin", ...options,
    headers: { ...FRAGMENT_HEADERS, ...(options.headers || {}) } });
  return { response, text: await response.text() };
}

function bindConversation(root) {
  const list = root.querySelector("[data-chat-messages]");
  const announcer = root.querySelector("[data-chat-announcer]");
  const history = root.querySelector(".chat-history") || list;
  const messagesUrl = root.dataset.chatMessagesUrl;
  const userId = root.dataset.userId;
  let newest = Number(list.dataset.newest || 0);
  let loading = null;

  const nearBottom = () => history.scrollHeight - history.scrollTop - history.clientHeight < 80;
  const toBottom = () => { history.scrollTop = history.scrollHeight; };

  function announce(item) {
    if (!announcer || item.dataset.authorId === userId) return;
    const author = item.querySelector(".chat-message-author");
    const body = item.querySelector(".chat-message-body");
    announcer.textContent = root.dataset.newMessageText
      .replace("{author}", author ? author.textContent.trim() : "")
      .replace("{text}", body ? body.textContent.trim() : "");
  }

  function place(item) {
    const existing = document.getElementById(item.id);
    if (existing) existing.replaceWith(item);
    else list.append(item);
  }

  async function loadNew() {
    if (loading) return loading;
    loading = (async () => {
      const read = document.visibilityState === "visible" ? 1 : 0;
      const { response, text } = await fetchText(`${messagesUrl}?after=${newest}&read=${read}`);
      if (!response.ok) return;
      const stick = nearBottom();
      parseItems(text).filter((item) => item.dataset.messageId).forEach((item) => {
        const isNew = !document.getElementById(item.id);
        place(item);
        newest = Math.max(newest, Number(item.dataset.messageId));
        if (isNew) announce(item);
      });
      list.dataset.newest = String(newest);
      const empty = root.querySelector("[data-chat-empty]");
      if (empty && list.children.length) empty.remove();
      if (stick) toBottom();
    })().finally(() => { loading = null; });
    return loading;
  }

  async function refreshOne(id) {
    const item = document.getElementById(`message-${id}`);
    if (!item || item.classList.contains("is-editing")) return;
    const { response, text } = await fetchText(`${messagesUrl}${id}/`);
    if (response.ok) parseItems(text).forEach(place);
  }

  if (root.dataset.chatSocket) {
    openSocket(root.dataset.chatSocket, (message) => {
      if (message.change === "new") loadNew();
      else refreshOne(message.message);
    });
  }
  // Polling while no socket is open (a proxy without websockets, a dropped connection).
  window.setInterval(() => {
    if (!document.documentElement.dataset.liveConnected) loadNew();
  }, POLL_MS);

  bindComposer(root, loadNew);
  bindMessageActions(root, list);
  bindOlder(root, list, messagesUrl);
  toBottom();
  root.chatLoadNew = loadNew;
}

function showError(form, text) {
  const error = form.querySelector("[data-chat-error]");
  if (error) error.textContent = text;
}

// The @mention autocomplete (collab.js) shows a listbox the textarea controls.
function choosingMention(textarea) {
  const list = document.getElementById(textarea.getAttribute("aria-controls") || "");
  return Boolean(list && !list.hidden) || textarea.hasAttribute("aria-activedescendant");
}

function sendOnEnter(textarea) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.defaultPrevented) return;
    if (choosingMention(textarea)) return; // Enter picks the person instead
    event.preventDefault();
    textarea.form.requestSubmit();
  });
}

function bindComposer(root, loadNew) {
  const form = root.querySelector("[data-chat-composer]");
  if (!form) return;
  const input = form.querySelector("[data-chat-input]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    showError(form, "");
    const { response, text } = await fetchText(form.action, {
      method: "POST", body: new FormData(form), headers: { "X-CSRFToken": csrfToken(form) } });
    if (response.ok) {
      input.value = "";
      await loadNew();
    } else {
      showError(form, text || response.statusText);
    }
    input.focus();
  });
}

function bindMessageActions(root, list) {
  list.addEventListener("click", async (event) => {
    const edit = event.target.closest("[data-chat-edit]");
    const cancel = event.target.closest("[data-chat-cancel]");
    const link = edit || cancel;
    if (!link) return;
    event.preventDefault();
    const { response, text } = await fetchText(link.href);
    if (!response.ok) return;
    const [item] = parseItems(text);
    link.closest(".chat-message").replaceWith(item);
    loaded(item);
    const field = item.querySelector("[data-chat-input]");
    if (field) {
      field.focus();
      sendOnEnter(field);
    } else {
      const again = item.querySelector("[data-chat-edit]");
      if (again) again.focus();
    }
  });
  list.addEventListener("submit", async (event) => {
    const form = event.target;
    const isDelete = form.matches("[data-chat-delete]");
    if (!isDelete && !form.matches("[data-chat-edit-form]")) return;
    event.preventDefault();
    if (isDelete && !window.confirm(form.dataset.confirm)) return;
    const { response, text } = await fetchText(form.action, {
      method: "POST", body: new FormData(form), headers: { "X-CSRFToken": csrfToken(form) } });
    if (!response.ok) {
      showError(form, text || response.statusText);
      return;
    }
    const [item] = parseItems(text);
    form.closest(".chat-message").replaceWith(item);
    const focusable = item.querySelector("[data-chat-edit]") || root.querySelector("[data-chat-input]");
    if (focusable) focusable.focus();
  });
}

function bindOlder(root, list, messagesUrl) {
  const link = root.querySelector("[data-chat-older]");
  if (!link) return;
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const { response, text } = await fetchText(
      `${messagesUrl}?before=${encodeURIComponent(link.dataset.chatOlder)}`);
    if (!response.ok) return;
    const items = parseItems(text);
    const marker = items.find((item) => item.dataset.chatOlderCursor);
    const messages = items.filter((item) => item.dataset.messageId);
    list.prepend(...messages);
    if (marker) link.dataset.chatOlder = marker.dataset.chatOlderCursor;
    else link.closest(".chat-older").remove();
    if (messages.length) messages[0].setAttribute("tabindex", "-1");
    if (messages.length) messages[0].focus();
  });
}

// The folded sidebar's button (narrow screens) shows the unread total.
function showTotal(layout, body) {
  const badge = layout.querySelector("[data-chat-unread-total]");
  if (!badge || !body) return;
  const total = Number(body.dataset.unreadTotal || 0);
  badge.querySelector("[data-count]").textContent = String(total);
  badge.hidden = total === 0;
}

function bindSidebar(layout) {
  const nav = layout.querySelector("[data-chat-sidebar-url]");
  const toggle = layout.querySelector("[data-chat-sidebar-toggle]");
  if (toggle && window.matchMedia("(max-width: 48rem)").matches) toggle.open = false;
  if (!nav) return;
  const current = layout.querySelector("[data-chat-conversation]");
  let timer = null;
  const refresh = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const { response, text } = await fetchText(nav.dataset.chatSidebarUrl);
      const body = nav.querySelector("[data-chat-sidebar]");
      if (!response.ok || !body) return;
      body.outerHTML = text;
      showTotal(layout, nav.querySelector("[data-chat-sidebar]"));
    }, 150);
  };
  openSocket("/ws/chat/", (message) => {
    if (current && String(message.conversation) === current.dataset.chatConversation) {
      if (current.chatLoadNew) current.chatLoadNew().then(refresh);
      return;
    }
    refresh();
  });
}

function init() {
  document.querySelectorAll(".chat-composer [data-chat-input]").forEach(sendOnEnter);
  document.querySelectorAll("[data-chat-conversation]").forEach(bindConversation);
  document.querySelectorAll("[data-chat-layout]").forEach(bindSidebar);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
