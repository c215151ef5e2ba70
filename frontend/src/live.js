// Live updates over websockets: openSocket(path, onMessage) keeps a socket to /ws/… open,
// reconnecting with a growing pause. Record pages with [data-live-record] show "Updated by X
// just now" with a reload button when someone else changes the record.

export function openSocket(path, onMessage) {
  let pause = 1000;
  const connect = () => {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${path}`);
    socket.addEventListener("open", () => {
      pause = 1000;
      document.documentElement.dataset.liveConnected = "true";
    });
    socket.addEventListener("message", (event) => {
      try {
        onMessage(JSON.parse(event.data));
      } catch (error) {
        console.error("Live update not understood", error);
      }
    });
    socket.addEventListener("close", (event) => {
      delete document.documentElement.dataset.liveConnected;
      if (event.code === 4401 || event.code === 4403) return; // signed out or no access
      window.setTimeout(connect, pause);
      pause = Math.min(pause * 2, 30000);
    });
  };
  connect();
}

function bindRecord(element) {
  const notice = element.querySelector("[data-live-notice]");
  openSocket(element.dataset.liveRecord, (message) => {
    if (message.type !== "deleted" && String(message.actor_id) === element.dataset.userId) return;
    element.querySelector("[data-live-message]").textContent = message.type === "deleted"
      ? element.dataset.deletedText
      : element.dataset.updatedText.replace("{actor}", message.actor || "?");
    notice.hidden = false;
  });
  element.querySelector("[data-live-reload]").addEventListener("click", () => window.location.reload());
}

function init() {
  document.querySelectorAll("[data-live-record]").forEach(bindRecord);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
