// The notification bell: a websocket pushes the unread count; on each change the bell is
// refetched from the server so its accessible name ("Notifications, 3 unread") stays
// translated. Without a socket, it refreshes every 30 seconds.
import { openSocket } from "./live.js";

function refreshBell(bell) {
  fetch(bell.dataset.bellUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (!html) return;
      const template = document.createElement("template");
      template.innerHTML = html.trim();
      const fresh = template.content.querySelector("[data-notification-bell]");
      if (!fresh) return;
      bell.setAttribute("aria-label", fresh.getAttribute("aria-label"));
      const count = bell.querySelector("[data-notification-count]");
      const freshCount = fresh.querySelector("[data-notification-count]");
      count.textContent = freshCount.textContent;
      count.hidden = freshCount.hidden;
    })
    .catch(() => {});
}

function init() {
  const bell = document.querySelector("[data-notification-bell]");
  if (!bell) return;
  openSocket("/ws/notifications/", (message) => {
    if (message.type === "unread") refreshBell(bell);
  });
  window.setInterval(() => {
    if (!document.documentElement.dataset.liveConnected) refreshBell(bell);
  }, 30000);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
