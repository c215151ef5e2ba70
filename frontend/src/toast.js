// Toasts: short notices in the page's aria-live region (#toasts). Django messages arrive
// rendered in it; `showToast(text, level)`, a `data-toast="text"` button or an htmx
// `HX-Trigger: {"toast": {"message": "…", "level": "success"}}` header add more.
// Notices leave after a few seconds (not while pointed at or focused); errors stay until closed.

function region() {
  return document.getElementById("toasts");
}

// The region's data-dismiss-after (milliseconds) sets how long notices stay.
function dismissAfter() {
  return Number(region()?.dataset.dismissAfter) || 6000;
}

function dismiss(toast) {
  toast.classList.add("is-leaving");
  setTimeout(() => toast.remove(), 200);
}

function scheduleDismiss(toast) {
  if (toast.classList.contains("toast-error")) return;
  let timer = setTimeout(() => dismiss(toast), dismissAfter());
  const pause = () => clearTimeout(timer);
  const resume = () => {
    clearTimeout(timer);
    timer = setTimeout(() => dismiss(toast), dismissAfter());
  };
  toast.addEventListener("mouseenter", pause);
  toast.addEventListener("focusin", pause);
  toast.addEventListener("mouseleave", resume);
  toast.addEventListener("focusout", resume);
}

export function showToast(text, level = "info") {
  const container = region();
  if (!container) return null;
  const template = document.getElementById("toast-template");
  const toast = template.content.firstElementChild.cloneNode(true);
  toast.classList.add(`toast-${level}`);
  toast.querySelector(".toast-message").textContent = text;
  container.append(toast);
  scheduleDismiss(toast);
  return toast;
}

document.addEventListener("click", (event) => {
  const close = event.target.closest("[data-toast-close]");
  if (close) {
    dismiss(close.closest(".toast"));
    return;
  }
  const trigger = event.target.closest("[data-toast]");
  if (trigger) showToast(trigger.dataset.toast, trigger.dataset.toastLevel || "info");
});

document.body.addEventListener("toast", (event) => {
  const { message, level } = event.detail || {};
  if (message) showToast(message, level);
});

// Messages rendered with the page are re-inserted once the page has loaded, so screen
// readers announce them as changes to the live region.
function announceRenderedMessages() {
  const container = region();
  if (!container) return;
  const toasts = [...container.querySelectorAll(".toast")];
  toasts.forEach((toast) => toast.remove());
  setTimeout(() => {
    toasts.forEach((toast) => {
      container.append(toast);
      scheduleDismiss(toast);
    });
  }, 150);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", announceRenderedMessages);
} else {
  announceRenderedMessages();
}

window.clarion = Object.assign(window.clarion || {}, { showToast });
