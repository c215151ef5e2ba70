// Tasks: the "t" shortcut (and "New task" buttons) open the new-task dialog on any page, and
// the browser's time zone is kept in a cookie so due dates are read and entered on the
// user's wall clock.

const NEW_TASK_URL = "/tasks/new/";

function rememberTimeZone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || document.cookie.includes(`clarion_tz=${encodeURIComponent(zone)}`)) return;
  document.cookie = `clarion_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
}
rememberTimeZone();

function typingInField(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable], [contenteditable=''], [role=combobox]"));
}

async function openTaskDialog(opener) {
  const params = new URLSearchParams({ dialog: "1", next: location.pathname + location.search });
  const link = document.querySelector("[data-task-link]")?.dataset.taskLink;
  if (link) params.append("link", link);
  const response = await fetch(`${NEW_TASK_URL}?${params}`, { headers: { "HX-Request": "true" } });
  if (!response.ok) return;
  document.getElementById("task-dialog")?.remove();
  const holder = document.createElement("div");
  holder.innerHTML = await response.text();
  const dialog = holder.querySelector("dialog");
  if (!dialog) return;
  document.body.append(dialog);
  if (window.htmx) window.htmx.process(dialog);
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  dialog.showModal();
  dialog.querySelector("input[name=title]")?.focus();
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "t" && event.key !== "T") return;
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  if (typingInField(event.target) || document.querySelector("dialog[open]")) return;
  event.preventDefault();
  openTaskDialog(document.activeElement);
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-task-new]");
  if (!button || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  openTaskDialog(button);
});
